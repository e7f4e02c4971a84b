/**
 * A fault timeline written once in a scenario file (seeds/outage.json) replays identically: the same seed, the same
 * requests at the same tenant-clock times give the same journal, request by request.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp, runtimeOf } from '../../src/http/app.js';
import { parseScenario, ScenarioError } from '../../src/seed/scenario.js';
import { USER_SCHEMA } from '../http/helpers.js';

const T0 = '2030-01-01T00:00:00.000Z';

/** Runs a scripted connector against a tenant seeded from seeds/outage.json; returns what the journal saw. */
async function replay() {
  const app = createApp();
  const created = await request(app).post('/_mock/tenants').send({ id: 'run', seedFile: 'seeds/outage.json' });
  expect(created.status).toBe(201);
  const tenant = runtimeOf(app).tenant('run')!;
  const control = (path: string) => `/_mock/tenants/run${path}`;
  // Freeze the clock, then reset: the timeline restarts at T0.
  await request(app).post(control('/clock')).send({ freeze: T0 });
  await request(app).post(control('/reset'));
  const token = created.body.token as string;
  const scim = (method: 'get' | 'post', path: string, body?: unknown) => {
    const req = request(app)[method](`/tenants/run/scim/v2${path}`).set('Authorization', `Bearer ${token}`).set('Host', 'scim.test');
    return (body === undefined ? req : req.set('Content-Type', 'application/scim+json').send(JSON.stringify(body))).then(
      (res) => res.status,
      () => 0, // the connection was dropped (a lost answer)
    );
  };
  const firstUser = ((await request(app).get(`/tenants/run/scim/v2/Users?count=1&attributes=id`).set('Authorization', `Bearer ${token}`)).body
    .Resources[0].id) as string;
  let sent = 1;
  for (let second = 0; second < 120; second += 5) {
    await scim('post', '/Users', { schemas: [USER_SCHEMA], userName: `user-at-${second}` });
    await scim('post', '/Users', { schemas: [USER_SCHEMA], userName: `other-at-${second}` });
    await scim('get', '/Users?startIndex=11&count=10&attributes=userName');
    await scim('get', `/Users/${firstUser}?attributes=id`);
    sent += 4;
    await request(app).post(control('/clock')).send({ advance: 5000 });
  }
  // A dropped connection is journaled when the server sees it close: wait for every entry.
  await tenant.journal.waitFor({ since: sent - 1 }, { timeoutMs: 5000 });
  const states = (await request(app).get(control('/faults'))).body.faults.map((r: { id: string; state: string; fired: number }) => [r.id, r.state, r.fired]);
  const entries = tenant.journal.list({ limit: 1000 }).map((e) => ({
    time: e.time,
    request: `${e.method} ${e.path}?${new URLSearchParams(e.query as Record<string, string>)}`,
    status: e.status,
    outcome: e.outcome,
    fault: e.fault,
    committed: e.committed?.status ?? null,
  }));
  return { entries, states };
}

describe('a scenario fault timeline', () => {
  it('replays identically across two runs with the same seed, and every step of the timeline shows', async () => {
    const a = await replay();
    const b = await replay();
    expect(b).toEqual(a);

    const at = (from: number, to: number) => a.entries.filter((e) => e.time >= new Date(Date.parse(T0) + from * 1000).toISOString() && e.time < new Date(Date.parse(T0) + to * 1000).toISOString());
    // 0-10 s: all well.
    expect(at(0, 10).every((e) => e.status < 300 && e.fault === null)).toBe(true);
    // 10-40 s: every request is a 503 from the outage rule.
    const outage = at(10, 40);
    expect(outage).toHaveLength(24);
    expect(outage.every((e) => e.status === 503 && e.fault?.id === 'outage')).toBe(true);
    // 40-70 s: some 500s, some creates committed with their answer lost, the rest fine.
    const flaky = at(40, 70);
    expect(flaky.some((e) => e.status === 500 && e.fault?.id === 'flaky')).toBe(true);
    const lost = flaky.filter((e) => e.fault?.id === 'lost-answers');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((e) => e.outcome === 'reset' && e.committed === 201)).toBe(true);
    expect(flaky.some((e) => e.fault === null && e.status < 300)).toBe(true);
    // 70 s on: list pages drift, single reads are throttled; the service answers (the user read may be gone: drift
    // deletes the first users of the listing).
    const busy = at(70, 120);
    expect(busy.some((e) => e.fault?.id === 'busy' && e.fault.inserted?.length === 2 && e.fault.deleted?.length === 1)).toBe(true);
    expect(busy.filter((e) => e.request.startsWith('GET /tenants/run/scim/v2/Users/')).every((e) => e.fault?.id === 'slow-reads')).toBe(true);
    expect(busy.every((e) => e.status < 300 || e.status === 404)).toBe(true);
    expect(a.states).toEqual([
      ["outage", "over", 24],
      ['lost-answers', 'over', lost.length],
      ['flaky', 'over', expect.any(Number)],
      ['busy', 'active', expect.any(Number)],
      ['slow-reads', 'active', 10],
    ]);
  }, 60_000);

  it('a bad from / until in a scenario names the rule and the field', () => {
    const bad = (faults: unknown[]) => {
      try {
        parseScenario({ faults }, 'timeline.json');
      } catch (err) {
        if (err instanceof ScenarioError) return err.message;
        throw err;
      }
      return 'loaded';
    };
    expect(bad([{ action: { type: 'reset' } }, { from: 'in ten seconds', action: { type: 'reset' } }])).toMatch(/^timeline\.json: \/faults\/1\/from: must be an RFC 3339 date-time/);
    expect(bad([{ from: '+20s', until: '+10s', action: { type: 'reset' } }])).toMatch(/^timeline\.json: \/faults\/0\/until: must be later than from \(from is .*, until .*\)$/);
    expect(bad([{ from: '+10s', until: '+20s', action: { type: 'error', status: 503 } }])).toBe('loaded');
  });
});
