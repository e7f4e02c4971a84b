/**
 * Scimulator as a strict client sees it: a broad request corpus (every endpoint, projections, index and cursor pages,
 * Bulk, /Me, custom schemas and the enterprise extension, errors of every kind, faults) under default flags, every
 * --profile and every --persona, each response checked as a client with typed models generated from the service's
 * own /Schemas and /ResourceTypes would (test/http/strict-client.ts): unknown attributes, wrong types, missing
 * required attributes, returned rules, `schemas` listing exactly the extensions present, RFC 7644 3.12 errors,
 * 3.4.2 ListResponses, 3.7.3 BulkResponses, the discovery documents of RFC 7643 5-7, and the headers.
 */
import { readdirSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { capabilitiesOf, persona, PERSONA_NAMES } from '../../src/personas/index.js';
import { DEFAULT_TOKEN, type ScimulatorOptions } from '../../src/config.js';
import { StrictClient, errorBody, headers, type ResourceTypeDoc, type SchemaDoc } from './strict-client.js';
import { ENTERPRISE, GROUP_SCHEMA, TEST_HOST, USER_SCHEMA } from './helpers.js';

type Kind =
  | { kind: 'resource'; type: string; full?: boolean; created?: boolean }
  | { kind: 'list'; type: string | 'any'; full?: boolean; cursor?: boolean }
  | { kind: 'bulk'; ops: { method: string; bulkId?: string }[] }
  | { kind: 'schemas' | 'schema' | 'resourceTypes' | 'resourceType' | 'spc' }
  | { kind: 'none' };

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

async function corpus(options: Partial<ScimulatorOptions>, label: string): Promise<{ issues: string[]; statuses: Set<number> }> {
  const app = createApp(options);
  const issues: string[] = [];
  const statuses = new Set<number>();
  let client: StrictClient | undefined;
  let etagSupported = false;
  let base = options.basePath ?? '/scim/v2';
  let auth = options.auth === 'basic' ? `Basic ${Buffer.from('u:p').toString('base64')}` : `Bearer ${DEFAULT_TOKEN}`;
  // A persona whose target leaves totalResults out of cursor pages (AWS documents it): what the real service sends.
  const cursorTotalOmitted = options.persona !== undefined && capabilitiesOf(persona(options.persona)!).cursorTotalResults === false;

  const send = async (method: string, path: string, body: unknown, expect: Kind, extraHeaders: Record<string, string> = {}) => {
    // A User-Agent, as every HTTP client but supertest sends one (under --persona github a request without one is 403).
    let req = (request(app) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()]!(base + path).set('Host', TEST_HOST).set('User-Agent', 'scimulator-strict-client');
    if (auth) req = req.set('Authorization', auth);
    if (body !== undefined) req = req.set('Content-Type', 'application/scim+json');
    for (const [k, v] of Object.entries(extraHeaders)) req = req.set(k, v);
    if (body !== undefined) req = req.send(typeof body === 'string' ? body : JSON.stringify(body));
    const res = await req;
    statuses.add(res.status);
    const at = `[${label}] ${method} ${path} -> ${res.status}`;
    issues.push(...headers(res, at));
    let parsed: unknown;
    if (res.text) {
      try {
        parsed = JSON.parse(res.text);
      } catch {
        issues.push(`${at}: body is not JSON`);
        return res;
      }
    }
    if (res.status >= 400) {
      issues.push(...errorBody(parsed, res.status, at));
      return res;
    }
    if (res.status === 204 || res.status === 304 || !client) return res;
    switch (expect.kind) {
      case 'resource': {
        issues.push(...client.resource(parsed, expect.type, at, { full: expect.full ?? true }));
        const r = parsed as { meta?: { location?: string; version?: string } };
        if (res.status === 201 && r.meta?.location !== undefined && res.headers.location !== r.meta.location) issues.push(`${at}: Location ${String(res.headers.location)} != meta.location ${String(r.meta?.location)}`);
        if (r.meta?.version !== undefined && res.headers.etag !== undefined && res.headers.etag !== r.meta.version) issues.push(`${at}: ETag ${String(res.headers.etag)} != meta.version ${r.meta.version}`);
        if (etagSupported && res.status < 300 && res.headers.etag === undefined) issues.push(`${at}: ServiceProviderConfig says etag supported, but no ETag header`);
        if (!etagSupported && (res.headers.etag !== undefined || r.meta?.version !== undefined)) issues.push(`${at}: ServiceProviderConfig says etag unsupported, but ETag ${String(res.headers.etag)} / meta.version ${String(r.meta?.version)}`);
        const own = path.split('?')[0]!;
        if (method === 'GET' && /^\/(Users|Groups|Devices)\/[^/]+$/.test(own) && r.meta?.location !== undefined && r.meta.location !== `http://${TEST_HOST}${base}${own}`) issues.push(`${at}: meta.location ${r.meta.location} is not the URI it was read at`);
        if (expect.created && res.status !== 201) issues.push(`${at}: a create answered ${res.status}`);
        break;
      }
      case 'list':
        issues.push(...client.list(parsed, at, (r, where) => {
          // across resource types a client tells them apart by their core schema (meta may be projected out)
          const core = (r as { schemas?: string[] })?.schemas?.[0];
          const type = expect.type === 'any' ? [...client!.types.values()].find((t) => t.schema === core)?.name ?? `(core schema ${String(core)})` : expect.type;
          return client!.resource(r, type, where, { full: expect.full ?? true });
        }, { cursor: expect.cursor, totalOptional: expect.cursor === true && cursorTotalOmitted }));
        break;
      case 'bulk':
        issues.push(...client.bulk(parsed, at, expect.ops));
        break;
      case 'schemas':
        issues.push(...client.list(parsed, at, (r, where) => client!.schemaDoc(r, where)));
        break;
      case 'schema':
        issues.push(...client.schemaDoc(parsed, at));
        break;
      case 'resourceTypes':
        issues.push(...client.list(parsed, at, (r, where) => client!.resourceTypeDoc(r, where)));
        break;
      case 'resourceType':
        issues.push(...client.resourceTypeDoc(parsed, at));
        break;
      case 'spc':
        issues.push(...client.serviceProviderConfig(parsed, at));
        break;
      case 'none':
        break;
    }
    return res;
  };

  const discover = async () => {
    const s = await request(app).get(`${base}/Schemas`).set('Authorization', auth).set('User-Agent', 'scimulator-strict-client');
    const t = await request(app).get(`${base}/ResourceTypes`).set('Authorization', auth).set('User-Agent', 'scimulator-strict-client');
    client = new StrictClient(s.body.Resources as SchemaDoc[], t.body.Resources as ResourceTypeDoc[]);
    etagSupported = (await request(app).get(`${base}/ServiceProviderConfig`).set('Authorization', auth).set('User-Agent', 'scimulator-strict-client')).body.etag?.supported === true;
    await send('GET', '/Schemas', undefined, { kind: 'schemas' });
    for (const schema of s.body.Resources as SchemaDoc[]) await send('GET', `/Schemas/${schema.id}`, undefined, { kind: 'schema' });
    await send('GET', '/ResourceTypes', undefined, { kind: 'resourceTypes' });
    for (const type of t.body.Resources as ResourceTypeDoc[]) await send('GET', `/ResourceTypes/${type.name}`, undefined, { kind: 'resourceType' });
    await send('GET', '/ServiceProviderConfig', undefined, { kind: 'spc' });
    await send('GET', '/Schemas/urn:example:nothing', undefined, { kind: 'none' });
    await send('GET', '/ResourceTypes/Nothing', undefined, { kind: 'none' });
    await send('GET', '/Schemas?filter=id%20eq%20%22x%22', undefined, { kind: 'none' });
  };

  if (options.auth === 'oauth') {
    const token = await request(app).post('/oauth/token').auth('scimulator', 'scimulator-dev-secret').type('form').send({ grant_type: 'client_credentials' });
    auth = `Bearer ${token.body.access_token as string}`;
  }
  await discover();
  // A persona's rate limits (fault rules): met once, then removed so the rest of the corpus reaches the handlers.
  for (let i = 0; i < 3; i++) await send('GET', '/Users', undefined, { kind: 'list', type: 'User' });
  await request(app).delete('/_mock/faults');

  // Users and the enterprise extension.
  const bjensen = {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: 'bjensen',
    externalId: 'bj-1',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    password: 't1meMa$heen',
    active: true,
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    nickName: 'Babs', profileUrl: 'https://login.example.com/bjensen', title: 'Tour Guide', userType: 'Employee',
    preferredLanguage: 'en-US', locale: 'en-US', timezone: 'America/Los_Angeles',
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
    roles: [{ value: 'guide', primary: true }],
    entitlements: [{ value: 'ride', type: 'pass' }],
    x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true }],
    [ENTERPRISE]: { employeeNumber: '701984', costCenter: '4130', department: 'Tour Operations', manager: { value: 'nobody' } },
  };
  const created = await send('POST', '/Users', bjensen, { kind: 'resource', type: 'User', created: true });
  const uid = created.body?.id as string | undefined;
  const plain = await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'plain' }, { kind: 'resource', type: 'User', created: true });
  const pid = plain.body?.id as string | undefined;
  // an extension listed with no attribute of it
  await send('POST', '/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'listed-only' }, { kind: 'resource', type: 'User', created: true });
  await send('POST', '/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'empty-ext', [ENTERPRISE]: {} }, { kind: 'resource', type: 'User', created: true });
  if (uid) {
    await send('GET', `/Users/${uid}`, undefined, { kind: 'resource', type: 'User' });
    for (const q of [
      'attributes=userName',
      'attributes=emails.value',
      'attributes=name.givenName,password',
      `attributes=${ENTERPRISE}:department`,
      `attributes=${ENTERPRISE}`,
      'excludedAttributes=id,meta,emails,schemas',
      `excludedAttributes=${ENTERPRISE}`,
      `excludedAttributes=${ENTERPRISE}:department,${ENTERPRISE}:employeeNumber,${ENTERPRISE}:costCenter,${ENTERPRISE}:manager`,
      'excludedAttributes=userName',
    ]) {
      await send('GET', `/Users/${uid}?${q}`, undefined, { kind: 'resource', type: 'User', full: false });
    }
    const etag = created.headers.etag as string | undefined;
    if (etag) await send('GET', `/Users/${uid}`, undefined, { kind: 'none' }, { 'If-None-Match': etag });
    await send('PUT', `/Users/${uid}`, { ...bjensen, displayName: 'Barbara' }, { kind: 'resource', type: 'User' });
    await send('PUT', `/Users/${uid}`, { ...bjensen, displayName: 'Stale' }, { kind: 'resource', type: 'User' }, { 'If-Match': 'W/"nope"' });
    await send('PUT', `/Users/${uid}`, { ...bjensen, displayName: 'Star' }, { kind: 'resource', type: 'User' }, { 'If-None-Match': '*' });
    const now = await send('GET', `/Users/${uid}`, undefined, { kind: 'resource', type: 'User' });
    if (now.headers.etag) await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'B' }] }, { kind: 'resource', type: 'User' }, { 'If-Match': now.headers.etag as string });
    await send('PUT', `/Users/${uid}`, { ...bjensen, id: 'other' }, { kind: 'resource', type: 'User' });
    await send('PUT', `/Users/${uid}`, { ...bjensen, userName: 'plain' }, { kind: 'resource', type: 'User' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, { kind: 'resource', type: 'User' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:department` }] }, { kind: 'resource', type: 'User' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'b@example.com' }] }, { kind: 'resource', type: 'User' });
    // errors of every scimType
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nope[', value: 1 }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'emails[type eq "fax"]' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'jump', path: 'title', value: 'x' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nosuchattribute', value: 'x' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "fax"].value', value: 'x' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}`, { schemas: [PATCH_OP], Operations: Array.from({ length: 1001 }, () => ({ op: 'add', path: 'title', value: 'x' })) }, { kind: 'none' });
    await send('PATCH', `/Users/${uid}?attributes=userName`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'y' }] }, { kind: 'resource', type: 'User', full: false });
    await send('PUT', `/Users/${uid}?excludedAttributes=${ENTERPRISE}`, bjensen, { kind: 'resource', type: 'User', full: false });
  }
  await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'BJENSEN' }, { kind: 'none' });
  await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: 42 }, { kind: 'none' });
  await send('POST', '/Users', { schemas: [USER_SCHEMA] }, { kind: 'none' });
  await send('POST', '/Users', '{"schemas": [', { kind: 'none' });
  await send('POST', '/Users', { userName: 'noschemas' }, { kind: 'none' });
  await send('GET', '/Users/does-not-exist', undefined, { kind: 'none' });
  await send('GET', '/Nothing', undefined, { kind: 'none' });
  await send('DELETE', '/Users', undefined, { kind: 'none' });
  await send('GET', '/Users?filter=userName%20zz%20%22a%22', undefined, { kind: 'none' });
  await send('GET', '/Users?filter=password%20eq%20%22a%22', undefined, { kind: 'none' });
  await send('GET', '/Users?count=-1', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?cursor=garbage', undefined, { kind: 'none' });
  await send('GET', '/Users?sortBy=nothing', undefined, { kind: 'list', type: 'User' });
  await send('POST', '/Users', JSON.stringify({ schemas: [USER_SCHEMA], userName: 'x'.repeat(2_000_000) }), { kind: 'none' });
  await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'wrongtype' }, { kind: 'none' }, { 'Content-Type': 'text/plain' });
  await send('GET', `/Users?filter=${'a'.repeat(9000)}`, undefined, { kind: 'none' });
  await send('GET', `/Users?${Array.from({ length: 120 }, (_, i) => `p${i}=1`).join('&')}`, undefined, { kind: 'none' });
  await send('GET', '/Users/%E0%A4%A', undefined, { kind: 'none' });
  await send('POST', '/Users', `${'['.repeat(100)}${']'.repeat(100)}`, { kind: 'none' });
  await send('POST', '/Users', '[]', { kind: 'none' });
  await send('PATCH', '/Users/nobody', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, { kind: 'none' });
  await send('PUT', '/Users/nobody', { schemas: [USER_SCHEMA], userName: 'nobody' }, { kind: 'none' });
  await send('GET', '/Users/.search', undefined, { kind: 'none' });
  await send('POST', '/ServiceProviderConfig', {}, { kind: 'none' });
  await send('PUT', '/Schemas', {}, { kind: 'none' });
  await send('GET', '/users', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users/', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?count=2', undefined, { kind: 'list', type: 'User' }, { Accept: 'application/json' });
  await send('GET', '/Users?count=2', undefined, { kind: 'list', type: 'User' }, { Accept: 'text/html' });
  await send('GET', '/ServiceProviderConfig', undefined, { kind: 'spc' }, { Accept: 'application/scim+json, application/json;q=0.9' });
  await send('POST', '/Users?attributes=userName', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'projected', [ENTERPRISE]: { department: 'x' } }, { kind: 'resource', type: 'User', full: false, created: true });
  await send('POST', `/Users?excludedAttributes=${ENTERPRISE}`, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'projected2', [ENTERPRISE]: { department: 'x' } }, { kind: 'resource', type: 'User', full: false, created: true });

  // Lists: empty, full, paged, projected, cursor, search.
  await send('GET', '/Users', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?filter=userName%20eq%20%22nobody%22', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?filter=userName%20eq%20%22bjensen%22', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?filter=externalId%20eq%20%22bj-1%22', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?count=1', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?startIndex=2&count=1', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?count=0', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?startIndex=99', undefined, { kind: 'list', type: 'User' });
  await send('GET', '/Users?attributes=userName', undefined, { kind: 'list', type: 'User', full: false });
  await send('GET', `/Users?excludedAttributes=${ENTERPRISE},emails`, undefined, { kind: 'list', type: 'User', full: false });
  await send('GET', '/Users?sortBy=userName&sortOrder=descending', undefined, { kind: 'list', type: 'User' });
  const page = await send('GET', '/Users?cursor=&count=1', undefined, { kind: 'list', type: 'User', cursor: true });
  if (typeof page.body?.nextCursor === 'string') await send('GET', `/Users?cursor=${encodeURIComponent(page.body.nextCursor)}&count=1`, undefined, { kind: 'list', type: 'User', cursor: true });
  await send('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName sw "b"', attributes: ['userName'], count: 5 }, { kind: 'list', type: 'User', full: false });
  await send('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq "bjensen"' }, { kind: 'list', type: 'User' });
  await send('POST', '/.search', { schemas: [SEARCH], filter: 'userName sw "b" or displayName sw "e"' }, { kind: 'list', type: 'any' });
  await send('GET', '/?count=5', undefined, { kind: 'list', type: 'any' });
  await send('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq' }, { kind: 'none' });

  // Groups.
  const members = [uid, pid].filter((x): x is string => !!x).map((value) => ({ value }));
  const g = await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', externalId: 'tg', members }, { kind: 'resource', type: 'Group', created: true });
  const gid = g.body?.id as string | undefined;
  const empty = await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Empty' }, { kind: 'resource', type: 'Group', created: true });
  await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides' }, { kind: 'resource', type: 'Group', created: true });
  await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ghosts', members: [{ value: 'ghost' }] }, { kind: 'resource', type: 'Group', created: true });
  await send('POST', '/Groups', { schemas: [GROUP_SCHEMA] }, { kind: 'none' });
  if (gid) {
    await send('GET', `/Groups/${gid}`, undefined, { kind: 'resource', type: 'Group' });
    await send('GET', `/Groups/${gid}?attributes=displayName`, undefined, { kind: 'resource', type: 'Group', full: false });
    await send('GET', `/Groups/${gid}?excludedAttributes=members`, undefined, { kind: 'resource', type: 'Group', full: false });
    await send('GET', `/Groups/${gid}?attributes=members.display`, undefined, { kind: 'resource', type: 'Group', full: false });
    await send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${pid}"]` }] }, { kind: 'resource', type: 'Group' });
    await send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: pid }] }] }, { kind: 'resource', type: 'Group' });
    await send('PUT', `/Groups/${gid}`, { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members }, { kind: 'resource', type: 'Group' });
  }
  if (gid) {
    const outer = await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Outer', members: [{ value: gid, type: 'Group' }] }, { kind: 'resource', type: 'Group', created: true });
    if (outer.body?.id) await send('GET', `/Groups/${String(outer.body.id)}`, undefined, { kind: 'resource', type: 'Group' });
  }
  await send('GET', '/?attributes=displayName', undefined, { kind: 'list', type: 'any', full: false });
  await send('GET', '/?excludedAttributes=members,emails&sortBy=meta.created', undefined, { kind: 'list', type: 'any', full: false });
  await send('POST', '/.search', { schemas: [SEARCH], attributes: ['displayName', 'userName', 'meta.version'], startIndex: 2, count: 3 }, { kind: 'list', type: 'any', full: false });
  await send('GET', '/Users?filter=meta.lastModified%20gt%20%222000-01-01T00:00:00Z%22&sortBy=meta.lastModified', undefined, { kind: 'list', type: 'User' });
  if (uid) await send('GET', `/Users/${uid}?attributes=groups`, undefined, { kind: 'resource', type: 'User', full: false });
  if (uid) await send('GET', `/Users/${uid}`, undefined, { kind: 'resource', type: 'User' });
  await send('GET', '/Groups', undefined, { kind: 'list', type: 'Group' });
  await send('GET', '/Groups?excludedAttributes=members', undefined, { kind: 'list', type: 'Group', full: false });
  await send('GET', '/Groups?filter=displayName%20eq%20%22Tour%20Guides%22', undefined, { kind: 'list', type: 'Group' });
  if (uid) await send('GET', `/Groups?filter=members.value%20eq%20%22${uid}%22`, undefined, { kind: 'list', type: 'Group' });
  await send('GET', '/Groups?filter=members.value%20eq%20%22ghost-2%22', undefined, { kind: 'list', type: 'Group' });

  // Bulk.
  const ops = [
    { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER_SCHEMA], userName: 'bulk1' } },
    { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk group', members: [{ value: 'bulkId:u1' }] } },
    { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_SCHEMA], userName: 'bjensen' } },
    { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
    { method: 'PUT', path: '/Users/missing', data: { schemas: [USER_SCHEMA], userName: 'missing' } },
    { method: 'DELETE', path: '/Users/missing' },
    { method: 'DELETE', path: `/Groups/${String(empty.body?.id)}` },
  ];
  await send('POST', '/Bulk', { schemas: [BULK], Operations: ops }, { kind: 'bulk', ops });
  await send('POST', '/Bulk', { schemas: [BULK], failOnErrors: 1, Operations: ops.slice(2) }, { kind: 'bulk', ops: ops.slice(2) });
  await send('POST', '/Bulk', { schemas: [BULK], Operations: Array.from({ length: 1001 }, () => ops[5]) }, { kind: 'none' });
  await send('POST', '/Bulk', { schemas: ['wrong'], Operations: [] }, { kind: 'none' });

  // /Me: unbound (501), then bound.
  await send('GET', '/Me', undefined, { kind: 'resource', type: 'User' });
  await request(app).patch('/_mock/config').send({ auth: { me: 'bjensen' } });
  await send('GET', '/Me', undefined, { kind: 'resource', type: 'User' });
  await send('GET', `/Me?attributes=userName`, undefined, { kind: 'resource', type: 'User', full: false });
  await send('PATCH', '/Me', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Guide' }] }, { kind: 'resource', type: 'User' });
  await request(app).patch('/_mock/config').send({ auth: { me: null } });

  // DELETE.
  const doomed = await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'doomed', displayName: 'Doomed', name: { givenName: 'Do', familyName: 'Omed' }, emails: [{ value: 'doomed@example.com', type: 'work', primary: true }] }, { kind: 'resource', type: 'User', created: true });
  if (doomed.status !== 201) issues.push(`[${label}] could not create the user to delete: ${doomed.status} ${doomed.text}`);
  else {
    const gone = await send('DELETE', `/Users/${String(doomed.body.id)}`, undefined, { kind: 'none' });
    if (gone.status !== 204) issues.push(`[${label}] DELETE answered ${gone.status} ${gone.text}`);
    await send('DELETE', `/Users/${String(doomed.body.id)}`, undefined, { kind: 'none' });
  }

  // Authentication.
  const saved = auth;
  auth = '';
  await send('GET', '/Users', undefined, { kind: 'none' });
  auth = 'Bearer wrong';
  await send('GET', '/Users', undefined, { kind: 'none' });
  auth = saved;

  // Faults: 429, 500, 503, 403, 409, 412, phase after.
  for (const action of [
    { type: 'error', status: 429, retryAfter: 2 },
    { type: 'error', status: 500 },
    { type: 'error', status: 503, retryAfter: 1 },
    { type: 'error', status: 403 },
    { type: 'error', status: 400, scimType: 'tooMany' },
    { type: 'error', status: 413 },
    { type: 'conflict', kind: 'uniqueness' },
    { type: 'conflict', kind: 'precondition' },
    { type: 'error', status: 502, phase: 'after' },
    { type: 'rateLimit', limit: 1, windowMs: 60_000 },
  ]) {
    const rule = await request(app).post('/_mock/faults').send({ match: { operation: 'list' }, action, times: 2 });
    if (rule.status !== 201) issues.push(`[${label}] fault rule refused: ${JSON.stringify(rule.body)}`);
    await send('GET', '/Users', undefined, { kind: 'list', type: 'User' });
    await send('GET', '/Users', undefined, { kind: 'list', type: 'User' });
    await request(app).delete('/_mock/faults');
  }
  // Faults that change what lists see: drift (resources inserted and deleted), lag (writes seen late).
  const fault = async (rule: object) => {
    const res = await request(app).post('/_mock/faults').send(rule);
    if (res.status !== 201) issues.push(`[${label}] fault rule refused: ${res.text}`);
  };
  await fault({ match: { operation: 'list', resourceType: 'User' }, action: { type: 'drift', insert: 2, delete: 1 }, times: 1 });
  await send('GET', '/Users?count=3', undefined, { kind: 'list', type: 'User' });
  await request(app).delete('/_mock/faults');
  await fault({ match: { operation: 'replace' }, action: { type: 'lag', ms: 60_000, reads: true } });
  if (uid) {
    await send('PUT', `/Users/${uid}`, { ...bjensen, displayName: 'Lagging' }, { kind: 'resource', type: 'User' });
    await send('GET', `/Users/${uid}`, undefined, { kind: 'resource', type: 'User' });
    await send('GET', '/Users?filter=userName%20eq%20%22bjensen%22', undefined, { kind: 'list', type: 'User' });
  }
  await request(app).delete('/_mock/faults');
  const bulkFault = await request(app).post('/_mock/faults').send({ match: { bulkOperation: 0 }, action: { type: 'error', status: 503, retryAfter: 1 }, times: 1 });
  if (bulkFault.status !== 201) issues.push(`[${label}] bulk fault refused: ${JSON.stringify(bulkFault.body)}`);
  const two = [{ method: 'POST', path: '/Users', bulkId: 'f1', data: { schemas: [USER_SCHEMA], userName: 'f1' } }, { method: 'POST', path: '/Users', bulkId: 'f2', data: { schemas: [USER_SCHEMA], userName: 'f2' } }];
  await send('POST', '/Bulk', { schemas: [BULK], Operations: two }, { kind: 'bulk', ops: two });
  await request(app).delete('/_mock/faults');

  // Custom schemas: a tenant seeded with a custom resource type and a User extension.
  const tenant = await request(app).post('/_mock/tenants').send({ id: 'custom', seedFile: 'seeds/custom-device.json', ...(options.persona ? { persona: options.persona } : {}), ...(options.profile ? { profile: options.profile } : {}) });
  if (tenant.status !== 201) issues.push(`[${label}] custom tenant refused: ${JSON.stringify(tenant.body)}`);
  else {
    base = new URL(tenant.body.baseUrl as string).pathname;
    auth = `Bearer ${tenant.body.token as string}`;
    await discover();
    await send('GET', '/Devices', undefined, { kind: 'list', type: 'Device' });
    await send('GET', '/Users?count=5', undefined, { kind: 'list', type: 'User' });
    await send('GET', '/Users/u-ada', undefined, { kind: 'resource', type: 'User' });
    await send('GET', '/Users/u-ada?attributes=urn:example:params:scim:schemas:extension:acme:2.0:User:parkingSpot', undefined, { kind: 'resource', type: 'User', full: false });
    const device = await send('POST', '/Devices', { schemas: ['urn:example:params:scim:schemas:core:2.0:Device'], serialNumber: 'SN-1', platform: 'Linux', storageGb: 256, compliant: true, enrolledAt: '2026-01-02T03:04:05Z', enrollmentSecret: 's3cret', tags: ['a'], owner: { value: 'u-ada' } }, { kind: 'resource', type: 'Device', created: true });
    if (device.body?.id) await send('GET', `/Devices/${String(device.body.id)}`, undefined, { kind: 'resource', type: 'Device' });
    await send('POST', '/Devices', { schemas: ['urn:example:params:scim:schemas:core:2.0:Device'], serialNumber: 'SN-1' }, { kind: 'none' });
    // values a strict client's parser refuses must not get in (and so never come out)
    await send('POST', '/Devices', { schemas: ['urn:example:params:scim:schemas:core:2.0:Device'], serialNumber: 'SN-2', enrolledAt: '2021-02-29T00:00:00Z' }, { kind: 'resource', type: 'Device', created: true });
    await send('POST', '/Devices', `{"schemas":["urn:example:params:scim:schemas:core:2.0:Device"],"serialNumber":"SN-3","storageGb":9007199254740993}`, { kind: 'resource', type: 'Device', created: true });
    await send('GET', '/Devices?count=1000', undefined, { kind: 'list', type: 'Device' });
    await send('POST', '/Users', { schemas: [USER_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:2.0:User'], userName: 'acme1', 'urn:example:params:scim:schemas:extension:acme:2.0:User': { badgeNumber: 'B1', clearance: 3, remote: true, parkingSpot: 'P1' } }, { kind: 'resource', type: 'User', created: true });
    await send('GET', '/Users?filter=userName%20eq%20%22acme1%22', undefined, { kind: 'list', type: 'User' });
    // an extension holding only a returned "request" attribute
    await send('POST', '/Users', { schemas: [USER_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:2.0:User'], userName: 'acme2', 'urn:example:params:scim:schemas:extension:acme:2.0:User': { parkingSpot: 'P2' } }, { kind: 'resource', type: 'User', created: true });
    await send('GET', '/Users?filter=userName%20eq%20%22acme2%22', undefined, { kind: 'list', type: 'User' });
  }
  return { issues, statuses };
}

describe('a strict client parses every seeded directory', () => {
  const files = readdirSync('seeds').filter((f) => f.endsWith('.json') && !['large.json', 'scenario.schema.json'].includes(f));
  it.each(files)('seeds/%s', async (file) => {
    const app = createApp({});
    const tenant = await request(app).post('/_mock/tenants').send({ id: 't', seedFile: `seeds/${file}` });
    expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
    const auth = { Authorization: `Bearer ${tenant.body.token as string}`, Host: TEST_HOST };
    const get = (path: string) => request(app).get(`/tenants/t/scim/v2${path}`).set(auth);
    await request(app).delete('/tenants/t/_mock/faults').send();
    await request(app).delete('/_mock/tenants/t/faults').send();
    const schemas = await get('/Schemas');
    const types = await get('/ResourceTypes');
    const strict = new StrictClient(schemas.body.Resources as SchemaDoc[], types.body.Resources as ResourceTypeDoc[]);
    const issues: string[] = [];
    for (const type of types.body.Resources as ResourceTypeDoc[]) {
      const list = await get(`${type.endpoint}?count=1000`);
      if (list.status !== 200) {
        issues.push(`${file} GET ${type.endpoint} -> ${list.status} ${list.text.slice(0, 200)}`);
        continue;
      }
      issues.push(...strict.list(list.body, `${file} GET ${type.endpoint}`, (r, at) => strict.resource(r, type.name, at, { full: true })));
    }
    expect(issues).toEqual([]);
  });
});

const CONFIGS: [string, Partial<ScimulatorOptions>][] = [
  ['default', {}],
  ['--auth basic', { auth: 'basic', basicUser: 'u', basicPassword: 'p' }],
  ['--auth none', { auth: 'none' }],
  ['--auth oauth', { auth: 'oauth' }],
  ['--base-path /api/scim', { basePath: '/api/scim' }],
  ['--member-policy drop', { memberPolicy: 'drop' }],
  ['--member-policy reject', { memberPolicy: 'reject' }],
  ['--advertise-pagination --warnings-header', { advertisePagination: true, warningsHeader: true }],
  ...(['rfc', 'lenient', 'entra', 'okta'] as const).map((profile): [string, Partial<ScimulatorOptions>] => [`--profile ${profile}`, { profile }]),
  ...PERSONA_NAMES.map((persona): [string, Partial<ScimulatorOptions>] => [`--persona ${persona}`, { persona }]),
];

describe('a strict client parses every response (typed models from /Schemas, RFC 7643 / 7644)', () => {
  it.each(CONFIGS)('%s', async (label, options) => {
    const { issues, statuses } = await corpus(options, label);
    expect(issues).toEqual([]);
    // the corpus reached the statuses it means to check
    for (const s of [200, 201, 204, 400, ...(options.auth === 'none' ? [] : [401]), 404, 409, 429, 500, 503]) expect(statuses, `status ${s}`).toContain(s);
  }, 60_000);
});
