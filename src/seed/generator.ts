/**
 * Lazy access to the directory generator. The generator needs faker, whose import alone costs about as much
 * CPU as the rest of the start-up; nothing imports it statically, so a server that generates nothing
 * (`scimulator serve`, `--data`, a scenario with literal resources only) never loads it.
 *
 * The async entry points that read a scenario (loadScenarioFile, scenarioFor) load it when the scenario
 * generates; code that builds a directory from a scenario it parsed itself (parseScenario) awaits
 * loadGenerator() first.
 *
 * The build also precomputes the default directory (`npm start`: seed 1, 50 users, 8 groups) into
 * dist/seed/precomputed-directory.json, so that the default start loads no faker either. The file answers only
 * exactly the generate options it was made for, and only while the code it was made by is unchanged (a
 * fingerprint of every compiled module); otherwise the directory is generated as usual. Generation is
 * deterministic, so both give the same directory (test/seed/lazy-generator.test.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedDirectory, GenerateOptions } from './generate.js';
import { runSteps, type Steps } from './steps.js';

type GeneratorModule = typeof import('./generate.js');

let loaded: GeneratorModule | undefined;

/** Loads the generator (and faker) once. */
export async function loadGenerator(): Promise<GeneratorModule> {
  loaded ??= await import('./generate.js');
  return loaded;
}

/** Whether the generator has been loaded (tests check that starting without generating never loads it). */
export function generatorLoaded(): boolean {
  return loaded !== undefined;
}

/** The loaded generator; throws when loadGenerator() was not awaited first. */
export function generator(): GeneratorModule {
  if (!loaded) throw new Error('the directory generator is not loaded: await loadGenerator() before generating a directory');
  return loaded;
}

/** The instant generated and literal resources are dated at unless a scenario names one. */
export const DEFAULT_REFERENCE_DATE = '2025-01-01T00:00:00.000Z';

type Spec = Omit<GenerateOptions, 'onProgress'>;

/** Where the build puts the precomputed default directory: beside this module. */
export const PRECOMPUTED_FILE = fileURLToPath(new URL('./precomputed-directory.json', import.meta.url));

interface Precomputed {
  key: string;
  fingerprint: string;
  directory: GeneratedDirectory;
}

/** The generate options that matter to the generator, as a key (every option but onProgress, sorted). */
function keyOf(spec: Spec & { onProgress?: unknown; shape?: unknown }): string {
  const entries = Object.entries(spec).filter(([k, v]) => k !== 'onProgress' && k !== 'shape' && v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

let fingerprintMemo: string | undefined;

/**
 * What the generator's output depends on: every module of this build (the .js files of dist/, or the .ts files
 * of src/ when run from source) and faker's version.
 */
function fingerprint(): string {
  if (fingerprintMemo !== undefined) return fingerprintMemo;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path);
      else if (/\.(js|ts)$/.test(name.name) && !name.name.endsWith('.d.ts')) hash.update(path.slice(root.length)).update(readFileSync(path));
    }
  };
  walk(root);
  const faker = createRequire(import.meta.url)('@faker-js/faker/package.json') as { version: string };
  fingerprintMemo = hash.update(`faker ${faker.version}`).digest('hex');
  return fingerprintMemo;
}

const precomputedText = new Map<string, string | null>();

/** The precomputed directory for these options (fresh objects), or undefined when the file does not answer them. */
export function precomputedDirectory(spec: Spec, file = PRECOMPUTED_FILE): GeneratedDirectory | undefined {
  let text = precomputedText.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = null;
    }
    precomputedText.set(file, text);
  }
  if (text === null) return undefined;
  const head = /^\{"key":("(?:[^"\\]|\\.)*"),"fingerprint":"([0-9a-f]+)"/.exec(text);
  if (!head || JSON.parse(head[1]!) !== keyOf(spec) || head[2] !== fingerprint()) return undefined;
  return (JSON.parse(text) as Precomputed).directory;
}

/** Whether generating with these options needs the generator (no precomputed directory answers them). */
export function needsGenerator(spec: Spec, file = PRECOMPUTED_FILE): boolean {
  return spec.users + spec.groups > 0 && precomputedDirectory(spec, file) === undefined;
}

/** The generate options a seeded store is built from: versions numbered W/"1", W/"2", ... as the store would. */
export function forSeeding<T extends Spec>(spec: T): T & { versions: true } {
  return { ...spec, versions: true };
}

/** The directory for these options: precomputed when the build made it, else generated (load the generator first). */
export function generateDirectory(options: GenerateOptions): GeneratedDirectory {
  return runSteps(generateDirectorySteps(options));
}

/** generateDirectory in steps (see generate.ts generateDirectorySteps); a precomputed directory takes none. */
export function* generateDirectorySteps(options: GenerateOptions): Steps<GeneratedDirectory> {
  const { onProgress, ...spec } = options;
  const ready = precomputedDirectory(spec);
  if (ready) {
    const total = ready.users.length + ready.groups.length;
    onProgress?.(total, total);
    return ready;
  }
  return yield* generator().generateDirectorySteps(options);
}

/** Generates the directory for `spec` and writes it as the precomputed file (the build does this for the default). */
export async function writePrecomputed(spec: Spec, file = PRECOMPUTED_FILE): Promise<void> {
  const directory = (await loadGenerator()).generateDirectory(spec);
  const doc: Precomputed = { key: keyOf(spec), fingerprint: fingerprint(), directory };
  writeFileSync(file, JSON.stringify(doc));
  precomputedText.delete(file);
}
