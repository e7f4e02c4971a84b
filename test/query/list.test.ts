/**
 * Unit tests of the pure query engine (src/scim/list.ts) and the cursor codec (src/scim/cursor.ts), on a
 * MemoryStore with hand-made resources, plus a model-based property test of keyset cursor walks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../src/scim/clock.js';
import { CursorCodec, checkCursor, queryHash, type CursorState } from '../../src/scim/cursor.js';
import { ScimError } from '../../src/scim/errors.js';
import { listRequestFromParams, listRequestFromSearchBody, listResources, type ListOptions, type ListRequest } from '../../src/scim/list.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { MemoryStore } from '../../src/store/memory.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function setup(limits: Partial<ListOptions['limits']> = {}) {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2025-01-01T00:00:00Z'));
  const options: ListOptions = {
    repo: store,
    clock,
    limits: { defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 600, ...limits },
    cursorSecret: 'unit',
  };
  const userType = registry.resourceType('User')!;
  const groupType = registry.resourceType('Group')!;
  let n = 0;
  const addUser = (attrs: Record<string, unknown>) => {
    const id = `u${++n}`;
    store.put('User', { schemas: [USER], id, ...attrs, meta: { resourceType: 'User', version: `W/"${n}"` } });
    return id;
  };
  const addGroup = (attrs: Record<string, unknown>) => {
    const id = `g${++n}`;
    store.put('Group', { schemas: [GROUP], id, ...attrs, meta: { resourceType: 'Group', version: `W/"${n}"` } });
    return id;
  };
  const list = (request: ListRequest, types = [userType]) => listResources(types, request, options);
  const ids = (request: ListRequest, types = [userType]) => list(request, types).entries.map((e) => e.resource.id);
  return { store, clock, options, userType, groupType, addUser, addGroup, list, ids };
}

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('sorting (RFC 7644 3.4.2.3)', () => {
  it('caseExact decides the collation: userName folds case, externalId does not', () => {
    const { addUser, ids } = setup();
    const b = addUser({ userName: 'b', externalId: 'b' });
    const B = addUser({ userName: 'B2', externalId: 'B' });
    const a = addUser({ userName: 'a', externalId: 'a' });
    const A = addUser({ userName: 'A2', externalId: 'A' });
    // userName is not caseExact: a < a2 < b < b2, whatever the case.
    expect(ids({ sortBy: 'userName' })).toEqual([a, A, b, B]);
    // externalId is caseExact: code-unit order puts upper case first.
    expect(ids({ sortBy: 'externalId' })).toEqual([A, B, a, b]);
    expect(ids({ sortBy: 'externalId', sortOrder: 'descending' })).toEqual([b, a, B, A]);
  });

  it('missing, null and empty values sort last ascending and first descending; ties keep creation order both ways', () => {
    const { addUser, ids } = setup();
    const none = addUser({ userName: 'none' });
    const x1 = addUser({ userName: 'x1', title: 'x' });
    const empty = addUser({ userName: 'empty', title: '' });
    const y = addUser({ userName: 'y', title: 'Y' });
    const x2 = addUser({ userName: 'x2', title: 'X' });
    expect(ids({ sortBy: 'title' })).toEqual([x1, x2, y, none, empty]);
    expect(ids({ sortBy: 'title', sortOrder: 'descending' })).toEqual([none, empty, y, x1, x2]);
  });

  it('numbers, booleans and dateTimes sort by value, not by text', () => {
    const { addUser, ids } = setup();
    const late = addUser({ userName: 'late', active: true, [ENTERPRISE]: { employeeNumber: '10' } });
    const early = addUser({ userName: 'early', active: false, [ENTERPRISE]: { employeeNumber: '9' } });
    expect(ids({ sortBy: 'active' })).toEqual([early, late]);
    // employeeNumber is a string: text order.
    expect(ids({ sortBy: `${ENTERPRISE}:employeeNumber` })).toEqual([late, early]);
  });

  it('dateTime sub-attributes compare as instants whatever the offset', () => {
    const { store, userType, options } = setup();
    store.put('User', { schemas: [USER], id: 'p', userName: 'p', meta: { resourceType: 'User', created: '2020-01-01T10:00:00+02:00' } });
    store.put('User', { schemas: [USER], id: 'q', userName: 'q', meta: { resourceType: 'User', created: '2020-01-01T09:00:00Z' } });
    store.put('User', { schemas: [USER], id: 'r', userName: 'r', meta: { resourceType: 'User', created: '2020-01-01T08:30:00.000Z' } });
    const result = listResources([userType], { sortBy: 'meta.created' }, options);
    // 10:00+02:00 is 08:00Z.
    expect(result.entries.map((e) => e.resource.id)).toEqual(['p', 'r', 'q']);
  });

  it('multi-valued: the primary value, else the first; a complex multi-valued attribute sorts by its value', () => {
    const { addUser, ids } = setup();
    const primarySecond = addUser({ userName: 'a', emails: [{ value: 'z@x' }, { value: 'b@x', primary: true }], phoneNumbers: [{ value: '3' }] });
    const firstOnly = addUser({ userName: 'b', emails: [{ value: 'c@x' }, { value: 'a@x' }], phoneNumbers: [{ value: '1', type: 'work' }] });
    expect(ids({ sortBy: 'emails.value' })).toEqual([primarySecond, firstOnly]);
    expect(ids({ sortBy: 'emails' })).toEqual([primarySecond, firstOnly]);
    expect(ids({ sortBy: 'phoneNumbers' })).toEqual([firstOnly, primarySecond]);
    // emails.type: the primary/first element's type (absent for both here) leaves creation order.
    expect(ids({ sortBy: 'emails.type' })).toEqual([primarySecond, firstOnly]);
  });

  it('sortBy is resolved case-insensitively, URN-qualified or not', () => {
    const { addUser, ids } = setup();
    const m = addUser({ userName: 'm', name: { familyName: 'Miller' } });
    const a = addUser({ userName: 'a', name: { familyName: 'adams' } });
    expect(ids({ sortBy: 'NAME.FAMILYNAME' })).toEqual([a, m]);
    expect(ids({ sortBy: `${USER}:name.familyName` })).toEqual([a, m]);
  });

  it('rejects a complex sortBy without sub-attribute, unknown names and sortOrder values other than the two', () => {
    const { addUser, list } = setup();
    addUser({ userName: 'a' });
    expect(scimError(() => list({ sortBy: 'name' })).scimType).toBe('invalidValue');
    expect(scimError(() => list({ sortBy: 'nope' })).scimType).toBe('invalidValue');
    expect(scimError(() => list({ sortBy: `${ENTERPRISE}:manager` })).detail).toMatch(/manager\.value/);
    expect(scimError(() => list({ sortBy: 'userName', sortOrder: 'asc' })).scimType).toBe('invalidValue');
    expect(scimError(() => list({ sortOrder: 'desc' })).scimType).toBe('invalidValue');
  });

  it('without sortBy the order is creation order, even after updates', () => {
    const { addUser, store, ids } = setup();
    const first = addUser({ userName: 'first' });
    const second = addUser({ userName: 'second' });
    store.put('User', { ...store.get('User', first)!, title: 'changed' });
    expect(ids({})).toEqual([first, second]);
  });
});

describe('filtering and planning', () => {
  it('an indexed equality reads only its candidates, then applies the whole filter', () => {
    const { addUser, list } = setup();
    for (let i = 0; i < 50; i++) addUser({ userName: `user${i}`, externalId: i % 2 ? 'odd' : 'even', active: i % 3 === 0 });
    const one = list({ filter: 'userName eq "USER7"' });
    expect(one).toMatchObject({ totalResults: 1, scanned: 1, plans: { User: { attribute: 'userName' } } });
    const many = list({ filter: 'externalId eq "odd" and active eq true' });
    expect(many.plans.User?.attribute).toBe('externalId');
    expect(many.scanned).toBe(25);
    expect(many.totalResults).toBe(8);
    // Candidates from a non-unique index come back in creation order.
    expect(many.entries.map((e) => e.resource.userName)).toEqual(['user3', 'user9', 'user15', 'user21', 'user27', 'user33', 'user39', 'user45']);
    const scan = list({ filter: 'userName sw "user1"' });
    expect(scan.scanned).toBe(50);
    expect(scan.totalResults).toBe(11);
  });

  it('computed values are computed only for a filter or sortBy that names them; indexes keep answering', () => {
    const { addUser, list, options } = setup();
    const managerName = `${ENTERPRISE}:manager.displayName`;
    const names = Object.freeze(['groups', 'meta.version', `${ENTERPRISE}:manager.$ref`, managerName]);
    const views: string[][] = [];
    // A stand-in for the service's: the manager's displayName is the id it names, in upper case.
    const computed: ListOptions['computed'] = {
      names: () => names,
      view: (_type, resource, asked) => {
        views.push([...asked]);
        const ext = resource[ENTERPRISE] as { manager?: { value: string } } | undefined;
        if (!ext?.manager || !asked.includes(managerName)) return resource;
        return { ...resource, [ENTERPRISE]: { ...ext, manager: { ...ext.manager, displayName: ext.manager.value.toUpperCase() } } };
      },
    };
    const withComputed = { ...options, computed };
    const boss = addUser({ userName: 'boss' });
    for (let i = 0; i < 20; i++) addUser({ userName: `emp${i}`, [ENTERPRISE]: { manager: { value: i < 5 ? boss : 'other' } } });
    const run = (filter: string, sortBy?: string) => {
      views.length = 0;
      const request: ListRequest = { filter, count: 1000 };
      if (sortBy !== undefined) request.sortBy = sortBy;
      return listResources([setup().userType], request, withComputed);
    };
    // Not named: no view, indexes as before.
    for (const filter of ['userName eq "emp3"', `id eq "${boss}"`, 'manager pr', `${ENTERPRISE}:manager.value eq "${boss}"`, `${ENTERPRISE}:manager[value eq "${boss}"]`, 'meta pr']) {
      const res = run(filter);
      expect(views, filter).toEqual([]);
      expect(res.totalResults, filter).toBeGreaterThan(0);
    }
    expect(run('userName eq "emp3"')).toMatchObject({ scanned: 1, plans: { User: { attribute: 'userName' } } });
    // Named: qualified or not, after the attribute or in its value filter; only that value is asked for.
    for (const filter of [`${managerName} eq "${boss.toUpperCase()}"`, `manager.displayName eq "${boss.toUpperCase()}"`, `manager[displayName eq "${boss.toUpperCase()}"]`]) {
      const res = run(filter);
      expect(res.totalResults, filter).toBe(5);
      expect(views.length, filter).toBe(21);
      expect(new Set(views.map((v) => v.join()))).toEqual(new Set([managerName]));
    }
    // Beside an index: only the candidates pay.
    const one = run(`userName eq "emp2" and manager.displayName eq "${boss.toUpperCase()}"`);
    expect(one).toMatchObject({ totalResults: 1, scanned: 1, plans: { User: { attribute: 'userName' } } });
    expect(views.length).toBe(1);
    // sortBy names it: one view per resource, for that value.
    views.length = 0;
    // "OTHER" before "U1"; the boss, without a manager, last.
    const sorted = listResources([setup().userType], { sortBy: 'manager.displayName' }, withComputed);
    expect(sorted.entries.map((e) => e.resource.userName)).toEqual([...Array.from({ length: 15 }, (_, i) => `emp${i + 5}`), ...Array.from({ length: 5 }, (_, i) => `emp${i}`), 'boss']);
    expect(new Set(views.map((v) => v.join()))).toEqual(new Set([managerName]));
    views.length = 0;
    listResources([setup().userType], { sortBy: `${ENTERPRISE}:manager.value` }, withComputed);
    expect(views).toEqual([]);
  });

  it('a root query compiles per type; undefined attributes match nothing without error', () => {
    const { addUser, addGroup, userType, groupType, list } = setup();
    const u = addUser({ userName: 'sales-user', displayName: 'Sales' });
    const g = addGroup({ displayName: 'Sales' });
    const both = list({ filter: 'displayName eq "sales"' }, [userType, groupType]);
    expect(both.entries.map((e) => [e.type.name, e.resource.id])).toEqual([['User', u], ['Group', g]]);
    expect(both.plans).toEqual({ Group: { attribute: 'displayName', value: 'sales' } });
    const usersOnly = list({ filter: 'userName eq "sales-user"' }, [userType, groupType]);
    expect(usersOnly.entries.map((e) => e.resource.id)).toEqual([u]);
  });

  it('reports an undefined filter attribute once, only when no type of the query defines it', () => {
    const { addUser, userType, groupType, options } = setup();
    addUser({ userName: 'a' });
    const warnings: string[] = [];
    const run = (filter: string, types = [userType, groupType]) => listResources(types, { filter }, { ...options, onWarning: (w) => warnings.push(w.code) });
    run('userName eq "a"');
    expect(warnings).toEqual([]);
    run('nickName eq "a"', [userType]);
    expect(warnings).toEqual([]);
    run('shoeSize gt 3');
    expect(warnings).toEqual(['filter-undefined-attribute']);
  });

  it('a filter parsed and compiled once still gives every request its warnings and its own answer', () => {
    const { addUser, userType, options } = setup();
    const a = addUser({ userName: 'a' });
    const seen: Array<{ code: string }> = [];
    const run = (filter: string, parse?: ListOptions['parse']) =>
      listResources([userType], { filter }, { ...options, ...(parse ? { parse } : {}), onWarning: (w) => seen.push(w) });
    for (let i = 0; i < 3; i++) expect(run('shoeSize gt 3 or userName eq "a"').entries.map((e) => e.resource.id)).toEqual([a]);
    expect(seen.map((w) => w.code)).toEqual(['filter-undefined-attribute', 'filter-undefined-attribute', 'filter-undefined-attribute']);
    // Each request gets a warning object of its own, not one shared with the cache.
    expect(seen[0]).not.toBe(seen[1]);
    // The same text under other parse options is parsed again: lenient accepts with a warning, strict refuses.
    seen.length = 0;
    expect(run('userName eq a', { allowUnquotedStrings: true }).entries.map((e) => e.resource.id)).toEqual([a]);
    expect(run('userName eq a', { allowUnquotedStrings: true }).totalResults).toBe(1);
    expect(seen.map((w) => w.code)).toEqual(['filter-unquoted-value', 'filter-unquoted-value']);
    expect(scimError(() => run('userName eq a')).scimType).toBe('invalidFilter');
    // A resource added after the filter was compiled is found by it.
    const b = addUser({ userName: 'b' });
    expect(run('userName eq "b"').entries.map((e) => e.resource.id)).toEqual([b]);
    expect(run('userName eq "b"').entries.map((e) => e.resource.id)).toEqual([b]);
  });

  it('a malformed filter is 400 invalidFilter before anything is read', () => {
    const { list, store } = setup();
    store.all = () => {
      throw new Error('must not read');
    };
    expect(scimError(() => list({ filter: 'userName eq' })).scimType).toBe('invalidFilter');
  });
});

describe('index pagination (RFC 7644 3.4.2.4)', () => {
  it('startIndex and count, with clamping', () => {
    const { addUser, list } = setup({ defaultPageSize: 3, maxPageSize: 4 });
    const all = Array.from({ length: 10 }, (_, i) => addUser({ userName: `u${i}` }));
    const page = (r: ListRequest) => {
      const res = list(r);
      return { ids: res.entries.map((e) => e.resource.id), startIndex: res.startIndex, itemsPerPage: res.itemsPerPage, total: res.totalResults };
    };
    expect(page({})).toEqual({ ids: all.slice(0, 3), startIndex: 1, itemsPerPage: 3, total: 10 });
    expect(page({ startIndex: 9, count: 4 })).toEqual({ ids: all.slice(8), startIndex: 9, itemsPerPage: 2, total: 10 });
    expect(page({ startIndex: -3, count: 100 })).toEqual({ ids: all.slice(0, 4), startIndex: 1, itemsPerPage: 4, total: 10 });
    expect(page({ count: -1 })).toEqual({ ids: [], startIndex: 1, itemsPerPage: 0, total: 10 });
    expect(page({ startIndex: 11 })).toEqual({ ids: [], startIndex: 11, itemsPerPage: 0, total: 10 });
    expect(page({ startIndex: Number.MAX_SAFE_INTEGER })).toMatchObject({ ids: [], total: 10 });
    // The sorted path pages the same way.
    expect(page({ sortBy: 'userName', sortOrder: 'descending', startIndex: 2, count: 2 }).ids).toEqual([all[8], all[7]]);
  });
});

describe('cursor codec', () => {
  const state: CursorState = { side: 'after', key: 'smith', seq: 42, count: 10, issuedAt: 1_700_000_000_000, query: queryHash(['User', null]) };

  it('round-trips and uses only unreserved characters', () => {
    const codec = new CursorCodec('s');
    for (const key of ['smith', 12.5, undefined, 'ü "quoted" / ~', '']) {
      const cursor = codec.encode({ ...state, key });
      expect(cursor).toMatch(/^[A-Za-z0-9\-._~]+$/);
      expect(codec.decode(cursor)).toEqual({ ...state, key });
    }
    expect(codec.decode(codec.encode({ ...state, side: 'before', seq: 3.5 }))).toMatchObject({ side: 'before', seq: 3.5 });
  });

  it('detects tampering, truncation, foreign secrets and junk', () => {
    const codec = new CursorCodec('s');
    const cursor = codec.encode(state);
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify([1, 'a', 'smith', 1, 10, state.issuedAt, state.query])).toString('base64url');
    for (const bad of ['', 'x', 'x.y', cursor.slice(0, -1), `${forged}.${mac}`, `${payload}`, `${payload}.${mac}x`, 'a b', 'a%20b', 'é', new CursorCodec('t').encode(state), 'A'.repeat(20_000)]) {
      const err = scimError(() => codec.decode(bad));
      expect(err.status, bad).toBe(400);
      expect(err.scimType, bad).toBe('invalidCursor');
      expect(err.detail).toMatch(/empty cursor/);
    }
  });

  it('checkCursor: query binding, then expiry, then count', () => {
    const ok = { query: state.query, now: state.issuedAt + 600_000, timeoutSeconds: 600, count: 10 };
    expect(() => checkCursor(state, ok)).not.toThrow();
    expect(scimError(() => checkCursor(state, { ...ok, query: 'other' })).scimType).toBe('invalidCursor');
    const expired = scimError(() => checkCursor(state, { ...ok, now: ok.now + 1 }));
    expect(expired).toMatchObject({ status: 400, scimType: 'expiredCursor' });
    expect(expired.detail).toMatch(/600 seconds/);
    expect(() => checkCursor(state, { ...ok, now: ok.now + 10_000_000, timeoutSeconds: 0 })).not.toThrow();
    expect(scimError(() => checkCursor(state, { ...ok, count: 11 }))).toMatchObject({ status: 400, scimType: 'invalidCount' });
  });
});

describe('cursor pagination (RFC 9865)', () => {
  it('issues nextCursor on every page but the last and previousCursor on every page but the first', () => {
    const { addUser, list } = setup();
    for (let i = 0; i < 7; i++) addUser({ userName: `u${i}` });
    const pages = [];
    let cursor = '';
    for (;;) {
      const res = list({ cursor, count: 3 });
      pages.push(res);
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(pages.map((p) => p.itemsPerPage)).toEqual([3, 3, 1]);
    expect(pages.map((p) => [p.nextCursor !== undefined, p.previousCursor !== undefined])).toEqual([[true, false], [true, true], [false, true]]);
    expect(pages.every((p) => p.method === 'cursor' && p.startIndex === undefined && p.totalResults === 7)).toBe(true);
  });

  it('an empty page after deletions still offers the way back, including the resource at the position', () => {
    const { addUser, store, list } = setup();
    const all = Array.from({ length: 6 }, (_, i) => addUser({ userName: `u${i}` }));
    const p1 = list({ cursor: '', count: 3 });
    for (const id of all.slice(3)) store.remove('User', id);
    const p2 = list({ cursor: p1.nextCursor!, count: 3 });
    expect(p2).toMatchObject({ itemsPerPage: 0, totalResults: 3 });
    expect(p2.nextCursor).toBeUndefined();
    const back = list({ cursor: p2.previousCursor!, count: 3 });
    expect(back.entries.map((e) => e.resource.id)).toEqual(all.slice(0, 3));
  });

  it('expiry is measured on the clock passed in', () => {
    const { addUser, list, clock } = setup({ cursorTimeout: 10 });
    for (let i = 0; i < 4; i++) addUser({ userName: `u${i}` });
    const p1 = list({ cursor: '', count: 2 });
    clock.advance(10_000);
    const p2 = list({ cursor: p1.nextCursor!, count: 2 });
    clock.advance(10_001);
    expect(scimError(() => list({ cursor: p2.previousCursor!, count: 2 })).scimType).toBe('expiredCursor');
  });

  /**
   * Model-based: any interleaving of page requests with creations, deletions and renames (which move a resource
   * in the sort order) yields a walk where every resource that existed unchanged throughout appears exactly once.
   */
  it('property: a keyset walk never repeats and never skips a resource that existed unchanged throughout', () => {
    type Op = { kind: 'create'; name: string } | { kind: 'delete'; pick: number } | { kind: 'rename'; pick: number; name: string };
    const name = fc.stringMatching(/^[a-e]{0,3}$/);
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), name }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), name }),
    );
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 0, maxLength: 40 }),
        fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<ListRequest>({}, { sortBy: 'title' }, { sortBy: 'title', sortOrder: 'descending' }, { filter: 'title pr' }, { filter: 'title sw "a" or title sw "b"', sortBy: 'title' }),
        (initial, changes, count, query) => {
          const { addUser, store, list } = setup();
          const attrs = (title: string) => (title ? { title } : {});
          for (const t of initial) addUser(attrs(t));
          const live = () => [...store.all('User')].map((r) => r.id as string);
          const touched = new Set<string>();
          const startIds = new Set(live());
          const seen: string[] = [];
          let cursor = '';
          for (let page = 0; page < 200; page++) {
            const res = list({ ...query, cursor, count });
            seen.push(...res.entries.map((e) => e.resource.id as string));
            if (!res.nextCursor) break;
            cursor = res.nextCursor;
            for (const change of changes[page] ?? []) {
              const ids = live();
              if (change.kind === 'create') {
                addUser(attrs(change.name));
              } else if (ids.length) {
                const id = ids[change.pick % ids.length]!;
                touched.add(id);
                if (change.kind === 'delete') store.remove('User', id);
                else store.put('User', { ...store.get('User', id)!, title: change.name || undefined });
              }
            }
          }
          // A renamed resource moves in the order and may legitimately be met twice; nothing else may.
          const untouched = seen.filter((id) => !touched.has(id));
          expect(new Set(untouched).size).toBe(untouched.length);
          const matchedAtStart = new Set(list({ ...query, count: 1000 }).entries.map((e) => e.resource.id as string));
          const seenSet = new Set(seen);
          for (const id of startIds) {
            if (touched.has(id) || !matchedAtStart.has(id)) continue;
            expect(seenSet.has(id)).toBe(true);
          }
        },
      ),
      { numRuns: 300, seed: 20250601 },
    );
  });
});

describe('request parsing', () => {
  it('listRequestFromParams types the parameters; empty numbers mean absent; cursor may be empty', () => {
    const params: Record<string, string> = { filter: 'userName pr', sortBy: 'userName', sortOrder: 'descending', startIndex: '+3', count: '-2', cursor: '' };
    expect(listRequestFromParams((n) => params[n])).toEqual({ filter: 'userName pr', sortBy: 'userName', sortOrder: 'descending', startIndex: 3, count: -2, cursor: '' });
    expect(listRequestFromParams((n) => ({ startIndex: '', count: '', sortBy: '' })[n as 'count'])).toEqual({});
    expect(listRequestFromParams((n) => ({ startIndex: '99999999999999999999999' })[n as 'startIndex']).startIndex).toBe(Number.MAX_SAFE_INTEGER);
    expect(scimError(() => listRequestFromParams((n) => ({ count: '0x10' })[n as 'count']))).toMatchObject({ scimType: 'invalidValue' });
    expect(scimError(() => listRequestFromParams((n) => ({ count: '0x10', cursor: '' })[n as 'count']))).toMatchObject({ scimType: 'invalidCount' });
    expect(scimError(() => listRequestFromParams((n) => ({ startIndex: '1.0' })[n as 'startIndex']))).toMatchObject({ scimType: 'invalidValue' });
  });

  it('listRequestFromSearchBody reads the RFC 7644 3.4.3 example', () => {
    // RFC 7644 section 3.4.3, Figure 4 (the request body).
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['displayName', 'userName'],
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: 10,
    };
    expect(listRequestFromSearchBody(body)).toEqual({
      request: { filter: 'displayName sw "smith"', startIndex: 1, count: 10 },
      projection: { attributes: ['displayName', 'userName'] },
      warnings: [],
    });
  });

  it('listRequestFromSearchBody ignores __proto__ and unknown keys with warnings, never polluting', () => {
    const body = JSON.parse('{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"__proto__":{"polluted":1},"constructor":1}');
    const parsed = listRequestFromSearchBody(body);
    expect(parsed.warnings.map((w) => w.code)).toEqual(['search-unknown-field', 'search-unknown-field']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.request).toEqual({});
  });
});
