import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_DEPARTMENTS,
  DEFAULT_REFERENCE_DATE,
  generateDirectory,
  iso,
  slug,
  type GeneratedDirectory,
  type Resource,
} from '../../src/seed/generate.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Member = { value: string; display: string; type: 'User' | 'Group' };
const ent = (u: Resource) => u[ENTERPRISE] as Record<string, unknown> & { manager?: { value: string; displayName: string } };
const members = (g: Resource) => (g.members as Member[] | undefined) ?? [];
const meta = (r: Resource) => r.meta as Record<string, string>;

const dir = generateDirectory({ seed: 42, users: 2000, groups: 50 });
const usersById = new Map(dir.users.map((u) => [u.id as string, u]));
const groupsById = new Map(dir.groups.map((g) => [g.id as string, g]));

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('determinism', () => {
  it('gives identical data for the same seed and counts', () => {
    const again = generateDirectory({ seed: 42, users: 2000, groups: 50 });
    expect(again).toEqual(dir);
    expect(JSON.stringify(again)).toBe(JSON.stringify(dir));
  });

  it('gives different data for a different seed', () => {
    const other = generateDirectory({ seed: 43, users: 2000, groups: 50 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(dir));
    expect(other.users[0]!.id).not.toBe(dir.users[0]!.id);
    const names = new Set(dir.users.map((u) => u.userName));
    const shared = other.users.filter((u) => names.has(u.userName)).length;
    expect(shared).toBeLessThan(1000);
  });

  it('keeps seeds beyond 32 bits and negative seeds distinct', () => {
    const a = JSON.stringify(generateDirectory({ seed: 7, users: 20, groups: 3 }));
    const b = JSON.stringify(generateDirectory({ seed: 7 + 2 ** 32, users: 20, groups: 3 }));
    const c = JSON.stringify(generateDirectory({ seed: -7, users: 20, groups: 3 }));
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('reads neither Math.random nor the system clock', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2001-02-03T04:05:06Z'));
    const early = JSON.stringify(generateDirectory({ seed: 5, users: 300, groups: 20 }));
    vi.setSystemTime(new Date('2099-12-31T23:59:59Z'));
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random called');
    });
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now called');
    });
    const late = JSON.stringify(generateDirectory({ seed: 5, users: 300, groups: 20 }));
    expect(late).toBe(early);
  });
});

describe('counts and options', () => {
  it('honours the counts', () => {
    expect(dir.users).toHaveLength(2000);
    expect(dir.groups).toHaveLength(50);
    for (const [users, groups] of [[0, 0], [1, 1], [0, 12], [7, 3], [30, 10], [100, 0]] as const) {
      const d = generateDirectory({ seed: 1, users, groups });
      expect(d.users).toHaveLength(users);
      expect(d.groups).toHaveLength(groups);
    }
  });

  it('takes the first departments when groups are fewer than departments', () => {
    const d = generateDirectory({ seed: 3, users: 200, groups: 4 });
    expect(d.groups.map((g) => g.displayName)).toEqual(DEFAULT_DEPARTMENTS.slice(0, 4));
  });

  it('uses a custom department list', () => {
    const departments = ['Research', 'Clinical Trials', 'Regulatory Affairs'];
    const d = generateDirectory({ seed: 3, users: 300, groups: 6, departments });
    expect(d.groups.slice(0, 3).map((g) => g.displayName)).toEqual(departments);
    const used = new Set(d.users.map((u) => ent(u).department));
    expect([...used].sort()).toEqual([...departments].sort());
  });

  it('honours inactiveRatio 0 and 1', () => {
    expect(generateDirectory({ seed: 2, users: 200, groups: 0, inactiveRatio: 0 }).users.every((u) => u.active === true)).toBe(true);
    expect(generateDirectory({ seed: 2, users: 200, groups: 0, inactiveRatio: 1 }).users.every((u) => u.active === false)).toBe(true);
  });

  it('derives timestamps from referenceDate', () => {
    const referenceDate = '2030-06-15T12:00:00.000Z';
    const d = generateDirectory({ seed: 2, users: 100, groups: 12, referenceDate });
    const all = [...d.users, ...d.groups].flatMap((r) => [meta(r).created!, meta(r).lastModified!]);
    expect(all.every((t) => t <= referenceDate)).toBe(true);
    expect(all.some((t) => t > DEFAULT_REFERENCE_DATE)).toBe(true);
  });

  it('can leave out nested groups', () => {
    const d = generateDirectory({ seed: 42, users: 2000, groups: 50, nestedGroups: false });
    expect(d.groups.flatMap(members).some((m) => m.type === 'Group')).toBe(false);
  });

  it('rejects invalid options with a RangeError or TypeError that names the option', () => {
    const bad: Array<[Partial<Parameters<typeof generateDirectory>[0]>, RegExp]> = [
      [{ seed: 1.5 }, /seed/],
      [{ seed: Number.NaN }, /seed/],
      [{ users: -1 }, /users/],
      [{ groups: 2.5 }, /groups/],
      [{ inactiveRatio: 1.5 }, /inactiveRatio/],
      [{ inactiveRatio: Number.NaN }, /inactiveRatio/],
      [{ departments: [] }, /departments/],
      [{ departments: ['Sales', 'sales'] }, /listed twice/],
      [{ departments: [''] }, /department names/],
      [{ referenceDate: 'yesterday' }, /referenceDate/],
      [{ referenceDate: '2025-13-45T00:00:00Z' }, /referenceDate/],
    ];
    for (const [patch, message] of bad) {
      expect(() => generateDirectory({ seed: 1, users: 10, groups: 2, ...patch })).toThrow(message);
    }
  });
});

describe('users', () => {
  it('have the shared resource shape and no server-computed attributes', () => {
    for (const u of dir.users) {
      expect(u.schemas).toEqual([USER, ENTERPRISE]);
      expect(Object.keys(u.meta as object).sort()).toEqual(['created', 'lastModified', 'resourceType']);
      expect(meta(u).resourceType).toBe('User');
      expect(u).not.toHaveProperty('groups');
      expect(typeof u.externalId).toBe('string');
      expect(typeof u.displayName).toBe('string');
      expect(typeof u.title).toBe('string');
      expect(['Employee', 'Contractor', 'Intern', 'Temporary']).toContain(u.userType);
    }
  });

  it('have unique ASCII userNames equal to their primary work email', () => {
    const names = new Set<string>();
    for (const u of dir.users) {
      const userName = u.userName as string;
      expect(userName).toMatch(/^[a-z0-9.-]+@example\.com$/);
      names.add(userName.toLowerCase());
      const emails = u.emails as Array<{ value: string; type: string; primary?: boolean }>;
      expect(emails[0]).toEqual({ value: userName, type: 'work', primary: true });
      expect(emails.filter((e) => e.primary)).toHaveLength(1);
      for (const e of emails.slice(1)) {
        expect(e.type).toBe('home');
        expect(e.value.split('@')[1]).not.toBe('example.com');
      }
    }
    expect(names.size).toBe(dir.users.length);
    expect(dir.users.some((u) => (u.emails as unknown[]).length > 1)).toBe(true);
  });

  it('derive userName from the name', () => {
    for (const u of dir.users.slice(0, 200)) {
      const name = u.name as Record<string, string>;
      expect(u.userName).toMatch(new RegExp(`^${slug(name.givenName!)}\\.${slug(name.familyName!)}\\d*@`));
      expect(u.displayName).toBe(`${name.givenName} ${name.familyName}`);
      expect(name.formatted).toBe(
        name.middleName ? `${name.givenName} ${name.middleName} ${name.familyName}` : `${name.givenName} ${name.familyName}`,
      );
    }
    expect(dir.users.some((u) => (u.name as Record<string, string>).middleName !== undefined)).toBe(true);
    expect(dir.users.some((u) => u.nickName !== undefined)).toBe(true);
  });

  it('include non-ASCII names', () => {
    expect(dir.users.some((u) => /[^\x00-\x7f]/.test(u.displayName as string))).toBe(true);
  });

  it('have unique employee numbers and departments from the list', () => {
    const numbers = new Set(dir.users.map((u) => ent(u).employeeNumber));
    expect(numbers.size).toBe(dir.users.length);
    for (const u of dir.users) {
      const e = ent(u);
      expect(DEFAULT_DEPARTMENTS).toContain(e.department);
      for (const k of ['employeeNumber', 'costCenter', 'organization', 'division']) expect(typeof e[k]).toBe('string');
    }
  });

  it('are about 5 % inactive', () => {
    const inactive = dir.users.filter((u) => u.active === false).length;
    expect(dir.users.every((u) => typeof u.active === 'boolean')).toBe(true);
    expect(inactive).toBeGreaterThanOrEqual(0.02 * 2000);
    expect(inactive).toBeLessThanOrEqual(0.08 * 2000);
  });

  it('have valid IANA time zones, phone numbers and a primary work address', () => {
    const zones = new Set(dir.users.map((u) => u.timezone as string));
    expect(zones.size).toBeGreaterThan(3);
    for (const zone of zones) {
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: zone })).not.toThrow();
      expect(zone).toMatch(/^[A-Z][A-Za-z_]+\/[A-Za-z_]+$/);
    }
    for (const u of dir.users) {
      expect(u.locale).toMatch(/^[a-z]{2}-[A-Z]{2}$/);
      expect(u.preferredLanguage).toMatch(/^[a-z]{2}-[A-Z]{2}$/);
      const phones = u.phoneNumbers as Array<{ value: string; type: string }>;
      expect(phones[0]!.type).toBe('work');
      for (const p of phones) expect(p.value).toMatch(/^\+\d{6,15}$/);
      const addresses = u.addresses as Array<Record<string, unknown>>;
      expect(addresses).toHaveLength(1);
      expect(addresses[0]).toMatchObject({ type: 'work', primary: true });
      expect(addresses[0]!.country).toMatch(/^[A-Z]{2}$/);
      for (const k of ['streetAddress', 'locality', 'region', 'postalCode', 'formatted']) {
        expect(typeof addresses[0]![k]).toBe('string');
      }
    }
    expect(dir.users.some((u) => (u.phoneNumbers as unknown[]).length > 1)).toBe(true);
  });

  it('form a manager tree: references exist, point to earlier users, never cycle, a handful of roots', () => {
    const position = new Map(dir.users.map((u, i) => [u.id as string, i]));
    let roots = 0;
    for (const [i, u] of dir.users.entries()) {
      const m = ent(u).manager;
      if (!m) {
        roots++;
        continue;
      }
      const manager = usersById.get(m.value);
      expect(manager, `manager of ${u.userName as string}`).toBeDefined();
      expect(m.displayName).toBe(manager!.displayName);
      expect(position.get(m.value)!).toBeLessThan(i);
    }
    expect(roots).toBeGreaterThanOrEqual(1);
    expect(roots).toBeLessThanOrEqual(5);
    // follow the chain from every user independently of the ordering argument
    let deepest = 0;
    for (const u of dir.users) {
      const seen = new Set<string>();
      let current: Resource | undefined = u;
      while (current) {
        expect(seen.has(current.id as string)).toBe(false);
        seen.add(current.id as string);
        const m: { value: string } | undefined = ent(current).manager;
        current = m ? usersById.get(m.value) : undefined;
      }
      deepest = Math.max(deepest, seen.size);
    }
    expect(deepest).toBeGreaterThan(3);
    expect(deepest).toBeLessThanOrEqual(10);
    // spans of control stay bounded (roots excepted) and about one user in seven manages someone
    const reports = new Map<string, number>();
    for (const u of dir.users) {
      const m = ent(u).manager;
      if (m) reports.set(m.value, (reports.get(m.value) ?? 0) + 1);
    }
    const rootIds = new Set(dir.users.filter((u) => !ent(u).manager).map((u) => u.id as string));
    for (const [id, n] of reports) if (!rootIds.has(id)) expect(n).toBeLessThanOrEqual(10);
    expect(reports.size).toBeGreaterThan(dir.users.length / 12);
    expect(reports.size).toBeLessThan(dir.users.length / 4);
  });
});

describe('groups', () => {
  it('have the shared resource shape and unique display names', () => {
    for (const g of dir.groups) {
      expect(g.schemas).toEqual([GROUP]);
      expect(meta(g).resourceType).toBe('Group');
      expect(typeof g.externalId).toBe('string');
    }
    const names = dir.groups.map((g) => (g.displayName as string).toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('start with one group per department holding exactly its users', () => {
    for (const [d, name] of DEFAULT_DEPARTMENTS.entries()) {
      const g = dir.groups[d]!;
      expect(g.displayName).toBe(name);
      const expected = dir.users.filter((u) => ent(u).department === name).map((u) => u.id).sort();
      expect(members(g).map((m) => m.value).sort()).toEqual(expected);
      expect(members(g).every((m) => m.type === 'User')).toBe(true);
    }
  });

  it('have members that exist, with the right type and display, no $ref and no duplicates', () => {
    for (const g of dir.groups) {
      const ids = members(g).map((m) => m.value);
      expect(new Set(ids).size).toBe(ids.length);
      for (const m of members(g)) {
        expect(Object.keys(m).sort()).toEqual(['display', 'type', 'value']);
        const target = m.type === 'User' ? usersById.get(m.value) : groupsById.get(m.value);
        expect(target, `member ${m.value} of ${g.displayName as string}`).toBeDefined();
        expect(m.display).toBe(target!.displayName);
      }
    }
  });

  it('have skewed project group sizes and a few nested groups without cycles', () => {
    const sizes = dir.groups.slice(DEFAULT_DEPARTMENTS.length).map((g) => members(g).filter((m) => m.type === 'User').length);
    sizes.sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    expect(sizes[sizes.length - 1]!).toBeGreaterThan(5 * median);
    expect(sizes[0]!).toBeGreaterThanOrEqual(2);

    const nested = dir.groups.filter((g) => members(g).some((m) => m.type === 'Group'));
    expect(nested.length).toBeGreaterThanOrEqual(1);
    expect(nested.length).toBeLessThanOrEqual(10);
    const visit = (g: Resource, path: Set<string>): void => {
      expect(path.has(g.id as string)).toBe(false);
      const next = new Set(path).add(g.id as string);
      for (const m of members(g)) if (m.type === 'Group') visit(groupsById.get(m.value)!, next);
    };
    for (const g of dir.groups) visit(g, new Set());
  });
});

describe('whole directory', () => {
  it('has unique UUID-shaped ids across users and groups', () => {
    const ids = [...dir.users, ...dir.groups].map((r) => r.id as string);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    const externalIds = [...dir.users, ...dir.groups].map((r) => r.externalId as string);
    expect(new Set(externalIds).size).toBe(externalIds.length);
  });

  it('has RFC 3339 timestamps with created <= lastModified <= reference date', () => {
    for (const r of [...dir.users, ...dir.groups]) {
      const { created, lastModified } = meta(r);
      expect(created).toMatch(RFC3339);
      expect(lastModified).toMatch(RFC3339);
      expect(new Date(created!).toISOString()).toBe(created);
      expect(created! <= lastModified!).toBe(true);
      expect(lastModified! <= DEFAULT_REFERENCE_DATE).toBe(true);
    }
  });

  it('has group lastModified no earlier than any member was created', () => {
    for (const g of dir.groups) {
      for (const m of members(g)) {
        const target = (m.type === 'User' ? usersById : groupsById).get(m.value)!;
        expect(meta(target).created! <= meta(g).lastModified!).toBe(true);
      }
    }
  });

  it('has only plain objects without __proto__, constructor or prototype keys', () => {
    const forbidden = new Set(['__proto__', 'constructor', 'prototype']);
    const problems: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}/${i}`));
      if (v !== null && typeof v === 'object') {
        if (Object.getPrototypeOf(v) !== Object.prototype) problems.push(`${path}: not a plain object`);
        for (const k of Object.keys(v)) {
          if (forbidden.has(k)) problems.push(`${path}/${k}`);
          walk((v as Record<string, unknown>)[k], `${path}/${k}`);
        }
      }
    };
    walk(dir, '');
    expect(problems).toEqual([]);
    expect(JSON.stringify(dir)).not.toMatch(/"(__proto__|constructor|prototype)":/);
  });

  it('reports progress about every 1,000 resources and once at the end', () => {
    const calls: Array<[number, number]> = [];
    generateDirectory({ seed: 1, users: 5000, groups: 30, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.every(([, t]) => t === 5030)).toBe(true);
    expect(calls.map(([d]) => d)).toEqual([...calls.map(([d]) => d)].sort((a, b) => a - b));
    expect(calls[calls.length - 1]).toEqual([5030, 5030]);
  });

  it('generates 20,000 users and 400 groups consistently', () => {
    const big: GeneratedDirectory = generateDirectory({ seed: 2024, users: 20_000, groups: 400 });
    expect(big.users).toHaveLength(20_000);
    expect(big.groups).toHaveLength(400);
    expect(new Set(big.users.map((u) => u.userName)).size).toBe(20_000);
    // name clashes are resolved with a number: barbara.jensen@, barbara.jensen2@, ...
    const numbered = big.users.filter((u) => /\d@/.test(u.userName as string));
    expect(numbered.length).toBeGreaterThan(0);
    for (const u of numbered.slice(0, 20)) {
      const base = (u.userName as string).replace(/\d+@/, '@');
      expect(big.users.some((v) => v.userName === base)).toBe(true);
    }
    expect(new Set(big.users.map((u) => ent(u).employeeNumber)).size).toBe(20_000);
    const ids = new Set(big.users.map((u) => u.id));
    const groupIds = new Set(big.groups.map((g) => g.id));
    for (const g of big.groups) {
      for (const m of members(g)) expect(m.type === 'User' ? ids.has(m.value) : groupIds.has(m.value)).toBe(true);
    }
    for (const u of big.users) {
      const m = ent(u).manager;
      if (m) expect(ids.has(m.value)).toBe(true);
    }
  });
});

describe('helpers', () => {
  it('iso() matches Date#toISOString', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const s of ['2024-02-29T23:59:59.999Z', '2000-03-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2100-02-28T12:00:00.001Z']) {
      expect(iso(Date.parse(s))).toBe(s);
    }
  });

  it('slug() transliterates names to ASCII', () => {
    expect(slug('Rietmüller')).toBe('rietmuller');
    expect(slug('Strauß')).toBe('strauss');
    expect(slug('Pantoja Archuleta')).toBe('pantoja-archuleta');
    expect(slug("O'Connor")).toBe('oconnor');
    expect(slug('Łukasz')).toBe('lukasz');
    expect(slug('Søren Æbelø')).toBe('soren-aebelo');
    expect(slug('Céleste')).toBe('celeste');
    expect(slug('宮本')).toBe('user');
  });
});
