/**
 * The shipped vitest global setup (scimulator/vitest), run the way a user runs it: a separate vitest process whose
 * config names a setup file that calls scimulatorGlobalSetup(options), with two test files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/ship/fixtures/vitest-global-setup');

it('starts one server for the run, hands it to every test file through inject and env, and stops it afterwards', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'scimulator-vitest-')), 'seen.ndjson');
  const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--config', join(FIXTURE, 'vitest.config.ts')], {
    cwd: FIXTURE,
    env: { ...process.env, FIXTURE_OUT: out, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output).toBe(0);

  const seen = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(seen.map((s) => s.file).sort()).toEqual(['a', 'b']);
  const [a, b] = seen;
  // One server for both files, seeded with the options the setup file passed.
  expect(a!.url).toBe(b!.url);
  expect(a!.baseUrl).toBe(`${a!.url}/scim/v2`);
  expect(a!.controlUrl).toBe(`${a!.url}/_mock`);
  expect(a!.token).toBe('scimulator-dev-token');
  expect(a!.totalResults).toBe(3);
  // The teardown closed it when the run ended.
  await expect(fetch(`${a!.url}/_mock/health`)).rejects.toThrow();
}, 120_000);
