/**
 * Value filters in `attributes` / `excludedAttributes` (RFC 7644 3.4.2.5 allows attribute names only): Microsoft's
 * test collection sends `attributes=emails[type eq "work"]`. Under lenient, entra and okta the projection applies
 * them (warning attribute-value-filter); under rfc they are 400 invalidValue naming the section.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ScimulatorOptions } from '../../src/config.js';
import { client, expectScimError, USER_SCHEMA } from '../http/helpers.js';

const q = encodeURIComponent;
const WORK = { value: 'bjensen@example.com', type: 'work', primary: true };
const HOME = { value: 'babs@jensen.org', type: 'home' };
const OTHER = { value: 'b,jensen@example.org', type: 'other' };

async function bjensen(options: Partial<ScimulatorOptions> = {}) {
  const c = client(options);
  const res = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'bjensen', displayName: 'Babs', emails: [WORK, HOME, OTHER] });
  expect(res.status).toBe(201);
  return { c, id: res.body.id as string };
}

describe('attributes=emails[type eq "work"]', () => {
  it.each(['lenient', 'entra', 'okta'] as const)('%s returns only the work emails, with a warning naming RFC 7644 3.4.2.5', async (profile) => {
    const { c, id } = await bjensen({ profile });
    const res = await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"]')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ schemas: [USER_SCHEMA], id, emails: [WORK] });
    const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
    expect(entry.warnings).toEqual([expect.objectContaining({ code: 'attribute-value-filter', rfc: 'RFC 7644 3.4.2.5' })]);
  });

  it('rfc answers 400 invalidValue naming RFC 7644 section 3.4.2.5', async () => {
    const { c, id } = await bjensen({ profile: 'rfc' });
    const res = await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"]')}`);
    const error = expectScimError(res, 400, 'invalidValue');
    expect(error.detail).toContain('RFC 7644 section 3.4.2.5');
    expect(error.detail).toContain('[attribute-value-filter]');
    // Attribute names alone are fine under rfc.
    expect((await c.get(`/Users/${id}?attributes=emails`)).body.emails).toEqual([WORK, HOME, OTHER]);
  });

  it('on a list, beside plain names, and on /.search', async () => {
    const { c } = await bjensen();
    const list = await c.get(`/Users?attributes=${q('userName,emails[type eq "work"]')}`);
    expect(list.body.Resources).toEqual([expect.objectContaining({ userName: 'bjensen', emails: [WORK] })]);
    expect(list.body.Resources[0]).not.toHaveProperty('displayName');
    const search = await c.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: ['emails[type eq "home"]'] });
    expect(search.status).toBe(200);
    expect(search.body.Resources[0].emails).toEqual([HOME]);
  });

  it('a sub-attribute after the filter, several filters, and a plain name of the same attribute', async () => {
    const { c, id } = await bjensen();
    expect((await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"].value')}`)).body.emails).toEqual([{ value: WORK.value }]);
    expect((await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"],emails[type eq "home"]')}`)).body.emails).toEqual([WORK, HOME]);
    expect((await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"],emails')}`)).body.emails).toEqual([WORK, HOME, OTHER]);
    // No value matches: the attribute is left out, as an unassigned one.
    expect((await c.get(`/Users/${id}?attributes=${q('emails[type eq "pager"]')}`)).body).not.toHaveProperty('emails');
  });

  it('commas inside the filter do not split the list', async () => {
    const { c, id } = await bjensen();
    const res = await c.get(`/Users/${id}?attributes=${q('emails[value co ","],userName')}`);
    expect(res.body.emails).toEqual([OTHER]);
    expect(res.body.userName).toBe('bjensen');
  });

  it('excludedAttributes=emails[type eq "home"] drops the matching values; .value drops that sub-attribute', async () => {
    const { c, id } = await bjensen();
    const res = await c.get(`/Users/${id}?excludedAttributes=${q('emails[type eq "home"]')}`);
    expect(res.body.emails).toEqual([WORK, OTHER]);
    expect(res.body.userName).toBe('bjensen');
    const sub = await c.get(`/Users/${id}?excludedAttributes=${q('emails[type eq "home"].value')}`);
    expect(sub.body.emails).toEqual([WORK, { type: 'home' }, OTHER]);
  });

  it('a malformed filter is 400 invalidFilter; a filter on a single-valued attribute is 400 invalidValue', async () => {
    const { c, id } = await bjensen();
    expectScimError(await c.get(`/Users/${id}?attributes=${q('emails[type eq]')}`), 400, 'invalidFilter');
    expect(expectScimError(await c.get(`/Users/${id}?attributes=${q('name[givenName eq "x"]')}`), 400, 'invalidValue').detail).toMatch(/multi-valued complex attribute/);
    expectScimError(await c.get(`/Users/${id}?attributes=${q('emails[type eq "work"].nope')}`), 400, 'invalidValue');
  });

  it('a write whose attribute list is malformed fails before it changes anything', async () => {
    const { c, id } = await bjensen();
    const before = await c.get(`/Users/${id}`);
    const post = await c.raw().post(`/scim/v2/Users?excludedAttributes=${q('emails[')}`).set('Authorization', 'Bearer scimulator-dev-token').set('Content-Type', 'application/scim+json').send({ schemas: [USER_SCHEMA], userName: 'other' });
    expectScimError(post, 400, 'invalidFilter');
    expect((await c.get('/Users')).body.totalResults).toBe(1);
    const patch = await c.raw().patch(`/scim/v2/Users/${id}?attributes=${q('name[x eq 1]')}`).set('Authorization', 'Bearer scimulator-dev-token').set('Content-Type', 'application/scim+json')
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Changed' }] });
    expectScimError(patch, 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).text).toBe(before.text);
  });

  it('members[value eq "..."] on a group', async () => {
    const c = client();
    const a = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'a' })).body;
    const b = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'b' })).body;
    const g = (await c.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: a.id }, { value: b.id }] })).body;
    const res = await c.get(`/Groups/${g.id}?attributes=${q(`members[value eq "${b.id}"]`)}`);
    expect(res.body.members).toEqual([expect.objectContaining({ value: b.id, display: 'b' })]);
  });
});
