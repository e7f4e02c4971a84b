/**
 * The directory generator, and faker with it, is loaded only when a directory is generated (src/seed/generator.ts):
 * a server that starts empty, or creates tenants without generating, never pays for it. This file must not
 * import test/seed/helpers.ts, which loads the generator for the other tests.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN } from '../../src/config.js';
import { generateDirectory, generator, generatorLoaded, loadGenerator, needsGenerator, precomputedDirectory, writePrecomputed } from '../../src/seed/generator.js';
import { startServer } from '../../src/server.js';

describe('lazy generator', () => {
  it('a server that generates nothing never loads the generator; the first generating tenant does', async () => {
    expect(() => generator()).toThrow(/loadGenerator/);
    const server = await startServer({ port: 0 });
    try {
      expect(generatorLoaded()).toBe(false);
      const users = await fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${DEFAULT_TOKEN}` } });
      expect(users.status).toBe(200);
      const plain = await fetch(`${server.url}/_mock/tenants`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'plain' }) });
      expect(plain.status).toBe(201);
      expect(generatorLoaded()).toBe(false);

      const generated = await fetch(`${server.url}/_mock/tenants`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'gen', users: 5, groups: 1 }) });
      expect(generated.status).toBe(201);
      expect(generatorLoaded()).toBe(true);
      const { token } = (await generated.json()) as { token: string };
      const list = await fetch(`${server.url}/tenants/gen/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(((await list.json()) as { totalResults: number }).totalResults).toBe(5);
    } finally {
      await server.close();
    }
  });

  it('a precomputed directory is exactly the generated one, and answers only its own options and code', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scimulator-precomputed-')), 'precomputed-directory.json');
    const spec = { seed: 1, users: 50, groups: 8 };
    await writePrecomputed(spec, file);
    const generated = (await loadGenerator()).generateDirectory(spec);
    expect(precomputedDirectory(spec, file)).toEqual(generated);
    // Fresh objects every time (the store and the shapes change them).
    expect(precomputedDirectory(spec, file)).not.toBe(precomputedDirectory(spec, file));
    expect(needsGenerator(spec, file)).toBe(false);
    for (const other of [{ ...spec, seed: 2 }, { ...spec, users: 51 }, { ...spec, inactiveRatio: 0.5 }, { ...spec, referenceDate: '2024-01-01T00:00:00.000Z' }]) {
      expect(precomputedDirectory(other, file)).toBeUndefined();
      expect(needsGenerator(other, file)).toBe(true);
    }
    // Made by other code (a stale file after a rebuild): not used.
    const stale = join(mkdtempSync(join(tmpdir(), 'scimulator-precomputed-')), 'precomputed-directory.json');
    writeFileSync(stale, readFileSync(file, 'utf8').replace(/"fingerprint":"[0-9a-f]{8}/, '"fingerprint":"00000000'));
    expect(precomputedDirectory(spec, stale)).toBeUndefined();
    // Without a file beside the module (running from source), the directory is generated.
    expect(generateDirectory(spec)).toEqual(generated);
  });
});

