/**
 * Pagination drift: resources created and deleted while a connector walks pages. An index walk (RFC 7644
 * 3.4.2.4) repeats or skips; a cursor walk (RFC 9865) does neither.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { directory } from '../query/fixture.js';

type Page = { totalResults: number; Resources: Array<{ id: string; userName?: string; displayName?: string }>; nextCursor?: string };

const DRIFT_BEFORE_PAGE_2 = (action: Record<string, unknown>) => ({
  name: 'drift before page 2',
  match: { operation: 'list', resourceType: 'User' },
  after: 1,
  times: 1,
  action: { type: 'drift', ...action },
});

function setup(seed = 7) {
  const fixture = directory({ users: 25, groups: 0, seed });
  const addRule = (rule: object) => request(fixture.c.app).post('/_mock/faults').send(rule);
  return { ...fixture, addRule };
}

async function indexWalk(c: ReturnType<typeof directory>['c'], path = '/Users', count = 10): Promise<string[]> {
  const seen: string[] = [];
  for (let start = 1; ; start += count) {
    const res = await c.get(`${path}?startIndex=${start}&count=${count}`);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    seen.push(...page.Resources.map((r) => r.id));
    if (start + count > page.totalResults) return seen;
  }
}

async function cursorWalk(c: ReturnType<typeof directory>['c'], count = 10): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '';
  for (;;) {
    const res = await c.get(`/Users?count=${count}&cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    seen.push(...page.Resources.map((r) => r.id));
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
}

const repeated = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

describe('drift', () => {
  it('insert 3 before page 2 of a count=10 index walk: the walk sees 3 repeated ids; the journal names the new ones', async () => {
    const { c, users, tenant, addRule } = setup();
    expect((await addRule(DRIFT_BEFORE_PAGE_2({ insert: 3 }))).status).toBe(201);
    const seen = await indexWalk(c);
    const original = users.map((u) => u.id as string);
    // Page 2 starts 3 places earlier than it would have: the last 3 of page 1 come again.
    expect(repeated(seen)).toEqual(original.slice(7, 10));
    expect(seen.slice(10, 13)).toEqual(original.slice(7, 10));
    expect(new Set(seen)).toEqual(new Set(original));

    const entry = tenant.journal.find({ operation: 'list', fault: 'drift before page 2' })[0]!;
    expect(entry.query).toMatchObject({ startIndex: '11' });
    expect(entry.fault!.inserted).toHaveLength(3);
    expect(entry.fault!.deleted).toEqual([]);
    // They are real: in the store, first in the listing, and their ids are new.
    const first = (await c.get('/Users?count=3')).body as Page;
    expect(first.Resources.map((r) => r.id)).toEqual(entry.fault!.inserted);
    for (const id of entry.fault!.inserted!) {
      expect(original).not.toContain(id);
      expect((await c.get(`/Users/${id}`)).status).toBe(200);
    }
    expect(first.totalResults).toBe(28);
  });

  it('a cursor walk under the same rule sees every resource once: no repeat, no skip', async () => {
    const { c, users, tenant, addRule } = setup();
    await addRule(DRIFT_BEFORE_PAGE_2({ insert: 3 }));
    const seen = await cursorWalk(c);
    expect(tenant.journal.count({ fault: 'drift before page 2' })).toBe(1);
    expect(repeated(seen)).toEqual([]);
    expect(seen).toEqual(users.map((u) => u.id as string));
  });

  it('delete 3 before page 2: the index walk skips 3 resources it never saw, the cursor walk skips none', async () => {
    const index = setup();
    await index.addRule(DRIFT_BEFORE_PAGE_2({ delete: 3 }));
    const seen = await indexWalk(index.c);
    const original = index.users.map((u) => u.id as string);
    const entry = index.tenant.journal.find({ fault: true })[0]!;
    // The first three of the listing (already seen on page 1) are gone.
    expect(entry.fault!.deleted).toEqual(original.slice(0, 3));
    const never = original.filter((id) => !seen.includes(id));
    expect(never).toEqual(original.slice(10, 13));
    expect(repeated(seen)).toEqual([]);

    const cursor = setup();
    await cursor.addRule(DRIFT_BEFORE_PAGE_2({ delete: 3 }));
    expect(await cursorWalk(cursor.c)).toEqual(original);
  });

  it('deletes follow the request: the first resources of the filtered, sorted listing', async () => {
    const { c, tenant, addRule } = setup();
    // Lets the two requests that learn the expected order through, then drifts the third.
    await addRule({ match: { operation: 'list' }, after: 2, times: 1, action: { type: 'drift', delete: 2 } });
    const query = `filter=${encodeURIComponent('active eq true')}&sortBy=userName`;
    const firstTwo = ((await c.get(`/Users?${query}&count=2`)).body as Page).Resources.map((r) => r.id);
    const unsorted = ((await c.get('/Users?count=2')).body as Page).Resources.map((r) => r.id);
    expect(firstTwo).not.toEqual(unsorted);
    const res = await c.get(`/Users?${query}&startIndex=5&count=5`);
    expect(res.status).toBe(200);
    const deleted = tenant.journal.find({ fault: true })[0]!.fault!.deleted!;
    expect(deleted).toEqual(firstTwo);
    for (const id of deleted) expect((await c.get(`/Users/${id}`)).status).toBe(404);
  });

  it('is deterministic per seed: the same walk inserts the same resources', async () => {
    const run = async () => {
      const { c, tenant, addRule } = setup(11);
      await addRule(DRIFT_BEFORE_PAGE_2({ insert: 2, delete: 1 }));
      await indexWalk(c);
      const fault = tenant.journal.find({ fault: true })[0]!.fault!;
      const names = await Promise.all(fault.inserted!.map(async (id) => (await c.get(`/Users/${id}`)).body.userName as string));
      return { inserted: fault.inserted, deleted: fault.deleted, names };
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.names.every((n) => /@/.test(n))).toBe(true);
  });

  it('drifts Groups too, and leaves requests that are not a page of one type alone', async () => {
    const { c, tenant, addRule } = setup();
    await addRule({ match: { operation: ['list', 'get', 'search'] }, action: { type: 'drift', insert: 2 } });
    const groups = (await c.get('/Groups')).body as Page;
    expect(groups.totalResults).toBe(2);
    expect(groups.Resources.every((g) => typeof g.displayName === 'string' && g.displayName.length > 0)).toBe(true);
    // A GET by id and a root query do not drift (no page of one resource type).
    await c.get(`/Users/${groups.Resources[0]!.id}`);
    await c.get('/?count=1');
    expect(tenant.journal.count({ fault: true })).toBe(1);
    expect(tenant.faults.list()[0]!.fired).toBe(1);
  });

  it('validation: insert or delete needed, bounded', async () => {
    const { addRule } = setup();
    const none = await addRule({ action: { type: 'drift' } });
    expect(none.status).toBe(400);
    expect(none.body.field).toBe('action.insert');
    const big = await addRule({ action: { type: 'drift', delete: 5000 } });
    expect(big.status).toBe(400);
    expect(big.body.field).toBe('action.delete');
  });

  it('a reset forgets the placement with the resources', async () => {
    const { c, tenant, addRule, users } = setup();
    tenant.seedState = tenant.store.snapshot();
    await addRule({ match: { operation: 'list' }, times: 1, action: { type: 'drift', insert: 2 } });
    await c.get('/Users?count=1');
    expect(((await c.get('/Users?count=1')).body as Page).totalResults).toBe(27);
    expect((await request(c.app).post('/_mock/reset')).status).toBe(200);
    const after = (await c.get('/Users?count=30')).body as Page;
    expect(after.Resources.map((r) => r.id)).toEqual(users.map((u) => u.id));
  });
});
