/**
 * Worked examples through the embedding API and the typed control client: a connector whose create answer is lost
 * must not create twice, and a connector behind OAuth 2.0 must refresh its token on 401 invalid_token, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The "client under test": create, retry on a network error, and treat 409 on a retry as "it was mine" (look it up). */
async function provision(baseUrl: string, headers: () => Record<string, string>, userName: string): Promise<{ id: string; attempts: number }> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/Users`, {
        method: 'POST',
        headers: { ...headers(), 'Content-Type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [USER], userName }),
      });
    } catch {
      continue; // the answer was lost: retry
    }
    if (res.status === 201) return { id: ((await res.json()) as { id: string }).id, attempts: attempt };
    if (res.status === 409 && attempt > 1) {
      const found = await fetch(`${baseUrl}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers: headers() });
      const list = (await found.json()) as { Resources: Array<{ id: string }> };
      return { id: list.Resources[0]!.id, attempts: attempt };
    }
    throw new Error(`unexpected ${res.status}`);
  }
  throw new Error('gave up');
}

describe('example: faults that real targets show', () => {
  let scim: ScimulatorHandle;

  beforeAll(async () => {
    scim = await startScimulator();
  });
  afterAll(() => scim.close());

  it('a create committed but answered with a dropped connection: the retry meets 409 and finds the user instead of creating a second', async () => {
    await scim.faults.add({ name: 'lost answer', match: { operation: 'create' }, action: { type: 'reset', phase: 'after' }, times: 1 });
    const result = await provision(scim.baseUrl, () => ({ Authorization: `Bearer ${scim.token}` }), 'lost.answer@example.com');
    expect(result.attempts).toBe(2);
    const creates = await scim.requests.find({ operation: 'create' });
    expect(creates.map((e) => [e.status, e.outcome, e.committed?.status ?? null])).toEqual([
      [0, 'reset', 201],
      [409, 'completed', null],
    ]);
    expect((creates[0]!.committed!.responseBody as { id: string }).id).toBe(result.id);
  });

  it('OAuth 2.0: the client refreshes once when its token expires on the tenant clock', async () => {
    await scim.clock.freeze('2030-01-01T00:00:00Z');
    await scim.config.update({ auth: { mode: 'oauth', clientId: 'example', clientSecret: 'example-secret', tokenLifetime: 60 } });
    const info = await scim.oauth.get();
    expect(info).toMatchObject({ mode: 'oauth', clientId: 'example', tokenLifetime: 60, activeTokens: 0 });
    let fetched = 0;
    const fetchToken = async () => {
      fetched++;
      const res = await fetch(info.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=example&client_secret=example-secret',
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    let token = await fetchToken();
    const listUsers = async () => {
      let res = await fetch(`${scim.baseUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } });
      if (res.status === 401 && /error="invalid_token"/.test(res.headers.get('www-authenticate') ?? '')) {
        token = await fetchToken();
        res = await fetch(`${scim.baseUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } });
      }
      return res.status;
    };
    expect(await listUsers()).toBe(200);
    await scim.clock.advance(60_000);
    expect(await listUsers()).toBe(200);
    expect(fetched).toBe(2);
    expect((await scim.oauth.get()).expiredTokens).toBe(1);

    expect(await scim.oauth.revokeTokens()).toBe(1);
    await scim.oauth.setTokenLifetime(5);
    expect(await listUsers()).toBe(200);
    expect(fetched).toBe(3);
    expect((await scim.requests.find({ operation: 'token' })).map((e) => e.status)).toEqual([200, 200, 200]);
    await scim.config.update({ auth: { mode: 'bearer' } });
    await scim.clock.real();
  });
});
