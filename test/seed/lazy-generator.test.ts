/**
 * The directory generator, and faker with it, is loaded only when a directory is generated (src/seed/generator.ts):
 * a server that starts empty, or creates tenants without generating, never pays for it. This file must not
 * import test/seed/helpers.ts, which loads the generator for the other tests.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN } from '../../src/config.js';
import { generator, generatorLoaded } from '../../src/seed/generator.js';
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
});
