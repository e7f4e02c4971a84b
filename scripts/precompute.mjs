#!/usr/bin/env node
/**
 * Part of `npm run build`: precomputes the directory `npm start` serves (seeds/default.json: seed 1, 50 users,
 * 8 groups) into dist/seed/precomputed-directory.json, so that the default start needs no faker
 * (src/seed/generator.ts explains when the file is used).
 */
import { forSeeding, writePrecomputed } from '../dist/seed/generator.js';
import { DEFAULT_GENERATE } from '../dist/seed/scenario.js';

await writePrecomputed(forSeeding({ ...DEFAULT_GENERATE }));
