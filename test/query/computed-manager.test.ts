/**
 * The enterprise manager is served with the "$ref" and "displayName" of the User its value names (RFC 7643 4.3),
 * computed at render time: the store holds {"value": "<id>"}. Filters and sortBy on manager.$ref and
 * manager.displayName see the manager as responses show it (RFC 7644 3.4.2.2), as for meta.version and groups.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, USER_SCHEMA, client, createUser, type Client } from '../http/helpers.js';
import { q } from './fixture.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MANAGER = `${ENTERPRISE}:manager`;

const idsOf = (body: { Resources?: Array<{ id: string }> }) => (body.Resources ?? []).map((r) => r.id).sort();

/** Two managers, four employees: one under each manager, one whose manager names nobody, one without a manager. */
async function chart(c: Client) {
  const jane = await createUser(c, 'jane', { displayName: 'Jane Doe' });
  const abe = await createUser(c, 'abe', { displayName: 'Abe Zed' });
  const employee = (userName: string, manager?: string) => createUser(c, userName, manager === undefined ? {} : { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: manager } } });
  const underJane = await employee('under-jane', jane.id);
  const underAbe = await employee('under-abe', abe.id);
  const orphan = await employee('orphan', 'no-such-user');
  const loner = await employee('loner');
  return { jane, abe, underJane, underAbe, orphan, loner };
}

async function filter(c: Client, text: string) {
  const res = await c.get(`/Users?count=1000&filter=${q(text)}`);
  expect(res.status, res.text).toBe(200);
  return idsOf(res.body);
}

describe('filters on the served enterprise manager', () => {
  it('manager.displayName eq finds the employees of the User with that displayName: qualified, unqualified, value path, /.search, beside an index', async () => {
    const c = client();
    const { jane, underJane, underAbe } = await chart(c);
    // As served: the stored manager has no displayName.
    const served = (await c.get(`/Users/${underJane.id}`)).body[ENTERPRISE].manager;
    expect(served.displayName).toBe('Jane Doe');

    expect(await filter(c, `${MANAGER}.displayName eq "Jane Doe"`)).toEqual([underJane.id]);
    expect(await filter(c, `${MANAGER}.displayName eq "jane doe"`)).toEqual([underJane.id]); // caseExact false
    expect(await filter(c, 'manager.displayName eq "Jane Doe"')).toEqual([underJane.id]);
    expect(await filter(c, `${MANAGER}[displayName eq "Jane Doe"]`)).toEqual([underJane.id]);
    expect(await filter(c, `${MANAGER}.displayName sw "Abe"`)).toEqual([underAbe.id]);
    expect(await filter(c, `id eq "${underJane.id}" and ${MANAGER}.displayName eq "Jane Doe"`)).toEqual([underJane.id]);
    expect(await filter(c, `userName eq "under-jane" and ${MANAGER}.displayName eq "Abe Zed"`)).toEqual([]);
    const search = await c.post('/Users/.search', { schemas: [SEARCH], filter: `${MANAGER}.displayName eq "Jane Doe"` });
    expect(search.status, search.text).toBe(200);
    expect(idsOf(search.body)).toEqual([underJane.id]);
    // The manager.value the store holds is still found as it was.
    expect(await filter(c, `${MANAGER}.value eq "${jane.id as string}"`)).toEqual([underJane.id]);
  });

  it('manager.$ref pr and eq the URI responses carry; a manager that names nobody has no $ref', async () => {
    const c = client();
    const { underJane, underAbe, orphan, loner } = await chart(c);
    const ref = (await c.get(`/Users/${underJane.id}`)).body[ENTERPRISE].manager.$ref as string;
    expect(ref).toMatch(/^http:\/\/scim\.test:8080\/scim\/v2\/Users\//);

    expect(await filter(c, `${MANAGER}.$ref pr`)).toEqual([underJane.id, underAbe.id].sort());
    expect(await filter(c, `not (${MANAGER}.$ref pr)`)).not.toContain(underJane.id);
    expect(await filter(c, `not (${MANAGER}.$ref pr)`)).toEqual(expect.arrayContaining([orphan.id, loner.id]));
    expect(await filter(c, `${MANAGER}.$ref eq ${JSON.stringify(ref)}`)).toEqual([underJane.id]);
    expect(await filter(c, `manager[$ref eq ${JSON.stringify(ref)}]`)).toEqual([underJane.id]);
    // The orphan's manager is served as stored: a value, no $ref.
    expect((await c.get(`/Users/${orphan.id}`)).body[ENTERPRISE].manager).toEqual({ value: 'no-such-user' });
    expect(await filter(c, `${MANAGER} pr`)).toEqual([underJane.id, underAbe.id, orphan.id].sort());
  });

  it('follows the manager: renamed, deleted or created, the next filter sees what responses show', async () => {
    const c = client();
    const { jane, underJane, orphan } = await chart(c);
    const renamed = await c.patch(`/Users/${jane.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Jane Roe' }] });
    expect(renamed.status, renamed.text).toBe(200);
    expect(await filter(c, `${MANAGER}.displayName eq "Jane Doe"`)).toEqual([]);
    expect(await filter(c, `${MANAGER}.displayName eq "Jane Roe"`)).toEqual([underJane.id]);

    expect((await c.delete(`/Users/${jane.id as string}`)).status).toBe(204);
    expect(await filter(c, `${MANAGER}.displayName eq "Jane Roe"`)).toEqual([]);
    expect(await filter(c, `${MANAGER}.$ref pr`)).not.toContain(underJane.id);

    // A user created with the id the orphan's manager names: the orphan now has a manager with a $ref.
    const store = (await c.raw().get('/_mock/snapshot')).body;
    expect(store.format).toBe('scimulator-snapshot');
    const boss = { schemas: [USER_SCHEMA], id: 'no-such-user', userName: 'late-boss', displayName: 'Late Boss', meta: { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: 'W/"1"' } };
    const users = (store.resources.User as Array<{ id: string }>).filter((u) => u.id !== boss.id);
    const loaded = await c.raw().put('/_mock/snapshot').send({ ...store, resources: { ...store.resources, User: [...users, boss] } });
    expect(loaded.status, loaded.text).toBe(204);
    expect(await filter(c, `${MANAGER}.displayName eq "Late Boss"`)).toEqual([orphan.id]);
  });
});

describe('sortBy on the served enterprise manager', () => {
  it('manager.displayName orders by the manager names responses show, users without one last (first descending)', async () => {
    const c = client();
    const { jane, abe, underJane, underAbe, orphan, loner } = await chart(c);
    const order = async (sortBy: string, sortOrder = 'ascending') => {
      const res = await c.get(`/Users?sortBy=${q(sortBy)}&sortOrder=${sortOrder}`);
      expect(res.status, res.text).toBe(200);
      return (res.body.Resources as Array<{ id: string }>).map((u) => u.id);
    };
    // Abe Zed before Jane Doe; then the rest in creation order.
    const rest = [jane.id, abe.id, orphan.id, loner.id];
    expect(await order(`${MANAGER}.displayName`)).toEqual([underAbe.id, underJane.id, ...rest]);
    expect(await order('manager.displayName', 'descending')).toEqual([...rest, underJane.id, underAbe.id]);
    // Renaming Abe to "Zoe" reorders.
    await c.patch(`/Users/${abe.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Zoe' }] });
    expect(await order(`${MANAGER}.displayName`)).toEqual([underJane.id, underAbe.id, ...rest]);
    // $ref: the URIs differ only by id.
    const refs = [underJane, underAbe].map((u) => ({ id: u.id as string, ref: `http://scim.test:8080/scim/v2/Users/${(u[ENTERPRISE] as { manager: { value: string } }).manager.value}` }));
    refs.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
    expect(await order(`${MANAGER}.$ref`)).toEqual([...refs.map((r) => r.id), ...rest]);
  });
});
