/**
 * --journal-file (startScimulator's journalFile): one NDJSON file with every tenant's entries, each line naming its
 * tenant, including tenants created after the server started.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScimulator } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('journal file', () => {
  it("appends every tenant's entries, with the tenant id, including tenants created later", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-jf-'));
    dirs.push(dir);
    const file = join(dir, 'jf.ndjson');
    const scim = await startScimulator({ journalFile: file });
    try {
      expect((await fetch(`${scim.baseUrl}/Users`, { headers: { Authorization: `Bearer ${scim.token}` } })).status).toBe(200);
      const later = await scim.createTenant({ id: 'later' });
      expect((await fetch(`${later.baseUrl}/Groups`, { headers: { Authorization: `Bearer ${later.token}` } })).status).toBe(200);
    } finally {
      await scim.close();
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tenant: string; method: string; path: string });
    expect(lines.map((l) => [l.tenant, l.method, l.path])).toEqual([
      ['default', 'GET', '/scim/v2/Users'],
      ['later', 'GET', '/tenants/later/scim/v2/Groups'],
    ]);
  });
});
