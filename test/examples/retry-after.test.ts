/**
 * The worked example from the README: a connector's SCIM client must retry a 429 after the time Retry-After
 * gives. Scimulator answers 429 twice, then lets the request through; the journal shows what the client did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';

/** The "client under test": creates a user, retrying on 429 and honouring Retry-After (seconds). */
async function createUserWithRetry(baseUrl: string, token: string, userName: string, maxAttempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${baseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
    });
    if (res.status !== 429 || attempt === maxAttempts) return res;
    const wait = Number(res.headers.get('Retry-After') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

describe('example: a client that honours Retry-After', () => {
  let scim: ScimulatorHandle;

  beforeAll(async () => {
    scim = await startScimulator();
  });
  afterAll(() => scim.close());

  it('retries exactly twice and waits as told', async () => {
    await scim.faults.add({
      name: 'throttle creates',
      match: { operation: 'create', resourceType: 'User' },
      action: { type: 'error', status: 429, retryAfter: 1 },
      times: 2,
    });

    const res = await createUserWithRetry(scim.baseUrl, scim.token, 'retry.me@example.com');
    expect(res.status).toBe(201);

    const attempts = await scim.requests.find({ operation: 'create' });
    expect(attempts.map((r) => r.status)).toEqual([429, 429, 201]);
    expect(attempts.slice(0, 2).every((r) => r.fault?.name === 'throttle creates')).toBe(true);
    // Each retry came at least Retry-After (1 s) after the 429 that asked for it.
    for (let i = 1; i < attempts.length; i++) {
      const gap = Date.parse(attempts[i]!.time) - Date.parse(attempts[i - 1]!.time);
      expect(gap).toBeGreaterThanOrEqual(1000);
    }
  });

  it('waitFor resolves with the next matching request', async () => {
    const since = (await scim.requests.find({ order: 'desc', limit: 1 }))[0]?.seq ?? 0;
    const waiting = scim.requests.waitFor({ since, operation: 'list' }, { timeoutMs: 5000 });
    await fetch(`${scim.baseUrl}/Users`, { headers: { Authorization: `Bearer ${scim.token}` } });
    const entry = await waiting;
    expect(entry).toMatchObject({ operation: 'list', status: 200, method: 'GET' });
  });

  it('tenants created through the handle are isolated', async () => {
    const tenant = await scim.createTenant({ id: 'example-tenant' });
    const res = await fetch(`${tenant.baseUrl}/Users`, { headers: { Authorization: `Bearer ${tenant.token}` } });
    expect(res.status).toBe(200);
    expect(await tenant.control.requests.count()).toBe(1);
    expect(await scim.requests.count({ operation: 'list', since: 0 })).toBeGreaterThanOrEqual(1);
    const wrong = await fetch(`${tenant.baseUrl}/Users`, { headers: { Authorization: `Bearer ${scim.token}` } });
    expect(wrong.status).toBe(401);
  });
});
