/**
 * Retries, judged across requests: a scripted client meets failures that fault rules make happen (429 with
 * Retry-After, 500s, 502s, a reset create) and retries badly or well. The tenant clock is frozen; a client waits
 * by advancing it. Each bad script asserts its finding with its request ids; the well-behaved client runs the
 * same failures and draws no finding at all.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { expectNoFindings, findingsOf, harness, seedUsers, USER, type Harness } from './helpers.js';

let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.freeze();
});

const bjensen = { schemas: [USER], userName: 'bjensen', name: { givenName: 'Barbara', familyName: 'Jensen' } };

describe('retry-before-retry-after (429 with Retry-After: 2)', () => {
  const throttle = () => h.fault({ name: 'throttle creates', match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 2 }, times: 2 });

  it('a client that retries after half a second is told, with the 429 it ignored and the early retry', async () => {
    await throttle();
    const c = h.client('eager-connector/1.0');
    const r1 = await c.post('/Users', bjensen);
    expect(r1.status).toBe(429);
    await h.advance(500);
    const r2 = await c.post('/Users', bjensen);
    expect(r2.status).toBe(429);
    await h.advance(1999);
    const r3 = await c.post('/Users', bjensen);
    expect(r3.status).toBe(201);
    expect(await findingsOf(h)).toEqual([
      ['retry-before-retry-after', [r1.id, r2.id]],
      ['retry-before-retry-after', [r2.id, r3.id]],
    ]);
    const entry = await h.entry(r2.id);
    expect(entry.findings).toHaveLength(1);
    expect(entry.findings[0]).toMatchObject({ code: 'retry-before-retry-after', rfc: 'RFC 6585 4; RFC 9110 10.2.3', requestIds: [r1.id, r2.id] });
    expect(entry.findings[0]!.detail).toContain(`0.5 s after ${r1.id} answered 429 with Retry-After: 2, 1.5 s too early`);
    // The retry that waited 1.999 s of the 2 is still early.
    expect((await h.entry(r3.id)).findings[0]!.detail).toContain('too early');
  });

  it('a client that waits exactly Retry-After, then longer, draws nothing', async () => {
    await throttle();
    const c = h.client('patient-connector/1.0');
    expect((await c.post('/Users', bjensen)).status).toBe(429);
    await h.advance(2000);
    expect((await c.post('/Users', bjensen)).status).toBe(429);
    await h.advance(4000);
    expect((await c.post('/Users', bjensen)).status).toBe(201);
    await expectNoFindings(h);
  });

  it('an HTTP-date Retry-After is honoured on the tenant clock too', async () => {
    const until = new Date(Date.parse('2030-01-01T00:00:10Z')).toUTCString();
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 503, retryAfter: until }, times: 1 });
    const c = h.client('date-reader/1.0');
    const r1 = await c.post('/Users', bjensen);
    expect(r1.status).toBe(503);
    expect(r1.headers['retry-after']).toBe(until);
    await h.advance(9000);
    const r2 = await c.post('/Users', bjensen);
    expect(await findingsOf(h)).toEqual([['retry-before-retry-after', [r1.id, r2.id]]]);
  });
});

describe('retry-without-backoff (500 four times)', () => {
  const outage = () => h.fault({ name: 'flaky list', match: { operation: 'list' }, action: { type: 'error', status: 500 }, times: 4 });

  it('three retries 100 ms apart draw the finding on the third, naming the earlier attempts', async () => {
    await outage();
    const c = h.client('hammer/1.0');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.get('/Users?filter=userName%20eq%20%22bjensen%22');
      ids.push(r.id);
      expect(r.status).toBe(i < 4 ? 500 : 200);
      await h.advance(100);
    }
    expect(await findingsOf(h)).toEqual([['retry-without-backoff', ids.slice(0, 4)]]);
    const detail = (await h.entry(ids[3]!)).findings[0]!.detail;
    expect(detail).toContain('retried 3 times');
    expect(detail).toContain('100 ms, 100 ms, 100 ms');
  });

  it('a frozen client (no wait at all) is told as well', async () => {
    await outage();
    const c = h.client('tight-loop/1.0');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await c.get('/Users')).id);
    expect(await findingsOf(h)).toEqual([['retry-without-backoff', ids]]);
  });

  it('delays of 100, 200, 400 and 800 ms draw nothing', async () => {
    await outage();
    const c = h.client('backoff/1.0');
    let delay = 100;
    for (let i = 0; i < 5; i++) {
      const r = await c.get('/Users?filter=userName%20eq%20%22bjensen%22');
      if (r.status === 200) break;
      await h.advance(delay);
      delay *= 2;
    }
    await expectNoFindings(h);
  });
});

describe('retry-storm (the limit is configurable)', () => {
  it('more sends of a failing request than the limit within the window draw one finding with every attempt', async () => {
    await h.config({ behaviour: { retryStorm: { limit: 5, windowSeconds: 10 } } });
    const [user] = await seedUsers(h, 1);
    await h.fault({ match: { operation: 'get' }, action: { type: 'error', status: 502 } });
    const c = h.client('stormy/1.0');
    const ids: string[] = [];
    let delay = 100;
    for (let i = 0; i < 8; i++) {
      ids.push((await c.get(`/Users/${user!.id}`)).id);
      await h.advance(delay);
      delay *= 2; // it does back off: this is about the count
    }
    expect(await findingsOf(h)).toEqual([['retry-storm', ids.slice(0, 6)]]);
    expect((await h.entry(ids[5]!)).findings[0]!.detail).toContain('sent 6 times within 10 s while it kept failing (the storm limit is 5)');
  });

  it('attempts spread wider than the window are no storm; a client that gives up after three retries draws nothing', async () => {
    await h.config({ behaviour: { retryStorm: { limit: 3, windowSeconds: 10 } } });
    const [user] = await seedUsers(h, 1);
    await h.fault({ match: { operation: 'get' }, action: { type: 'error', status: 502 } });
    const c = h.client('gives-up/1.0');
    for (const delay of [1000, 3000, 9000, 0]) {
      await c.get(`/Users/${user!.id}`);
      await h.advance(delay);
    }
    await expectNoFindings(h);
  });
});

describe('post-retry-duplicate (a create whose answer was lost)', () => {
  it('a create committed but answered with a reset, retried, meets 409: the finding names the lost attempt and the 409', async () => {
    await h.fault({ name: 'lose the answer', match: { operation: 'create' }, action: { type: 'reset', phase: 'after' }, times: 1 });
    const c = h.client('naive-retry/1.0');
    const r1 = await c.post('/Users', bjensen);
    expect(r1.status).toBe(0);
    const lost = await h.entry(r1.id);
    expect([lost.outcome, lost.committed?.status]).toEqual(['reset', 201]); // the write happened, the answer was lost
    await h.advance(1000);
    const r2 = await c.post('/Users', { ...bjensen, userName: 'BJensen' }); // userName is case-insensitive
    expect(r2.status).toBe(409);
    // ... and it loops on 409: no second finding for the same create.
    await h.advance(2000);
    expect((await c.post('/Users', bjensen)).status).toBe(409);
    expect(await findingsOf(h)).toEqual([['post-retry-duplicate', [r1.id, r2.id]]]);
    const detail = (await h.entry(r2.id)).findings[0]!.detail;
    expect(detail).toContain(`for userName "bjensen" was retried after ${r1.id} (no answer: connection reset or timed out) and met 409`);
    expect(detail).toContain('GET /Users?filter=userName eq "..."');
  });

  it('a create committed but answered 504 by a gateway, retried, meets 409 as well', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 504, phase: 'after' }, times: 1 });
    const c = h.client('gateway-victim/1.0');
    const r1 = await c.post('/Users', bjensen);
    expect(r1.status).toBe(504);
    expect((await h.entry(r1.id)).committed?.status).toBe(201);
    await h.advance(1000);
    const r2 = await c.post('/Users', bjensen);
    expect(await findingsOf(h)).toEqual([['post-retry-duplicate', [r1.id, r2.id]]]);
  });

  it('a 409 after a 429 is no duplicate of the client (a 429 was not processed)', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 1 }, times: 1 });
    const c = h.client('throttled/1.0');
    await c.post('/Users', bjensen);
    await h.client('someone-else/1.0').post('/Users', bjensen);
    await h.advance(1000);
    expect((await c.post('/Users', bjensen)).status).toBe(409);
    await expectNoFindings(h);
  });

  it('a client that looks the user up after the lost answer draws nothing', async () => {
    await h.fault({ name: 'lose the answer', match: { operation: 'create' }, action: { type: 'reset', phase: 'after' }, times: 1 });
    const c = h.client('careful/1.0');
    expect((await c.post('/Users', bjensen)).status).toBe(0);
    await h.advance(1000);
    const found = await c.get('/Users?filter=userName%20eq%20%22bjensen%22');
    expect(found.body.totalResults).toBe(1);
    await expectNoFindings(h);
  });
});
