/**
 * The control API answers what its OpenAPI document says: every documented operation is called, every status it
 * answers is one the document lists for it, and every JSON body validates against the documented schema, with one
 * rule stricter than JSON Schema: an object whose schema lists properties holds no property the schema does not
 * list (the document is complete, so a client generated from it can read every field).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/index.js';

type Schema = Record<string, any>;
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Record<string, Schema> } };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function resolve(doc: Doc, schema: Schema): Schema {
  while (schema.$ref) schema = doc.components.schemas[(schema.$ref as string).replace('#/components/schemas/', '')]!;
  return schema;
}

/** The property names an object schema declares, or undefined when it leaves them open. */
function declared(doc: Doc, schema: Schema): Set<string> | undefined {
  schema = resolve(doc, schema);
  if (schema.allOf) {
    const names = new Set<string>();
    for (const part of schema.allOf as Schema[]) {
      const own = declared(doc, part);
      if (!own) return undefined;
      own.forEach((n) => names.add(n));
    }
    return names;
  }
  if (!schema.properties || schema.additionalProperties !== undefined) return undefined;
  return new Set(Object.keys(schema.properties));
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}

/** What is wrong with `value` against `schema` (empty: valid). */
function violations(doc: Doc, schema: Schema, value: unknown, at = '$'): string[] {
  schema = resolve(doc, schema);
  const out: string[] = [];
  if (schema.allOf) for (const part of schema.allOf as Schema[]) out.push(...violations(doc, { ...resolve(doc, part), additionalProperties: true }, value, at));
  if (schema.oneOf) {
    const passing = (schema.oneOf as Schema[]).filter((s) => violations(doc, s, value, at).length === 0).length;
    if (passing !== 1) out.push(`${at}: matches ${passing} of the oneOf schemas, not exactly one: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  if ('const' in schema && value !== schema.const) out.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => typeOk(t, value))) {
      out.push(`${at}: ${JSON.stringify(value)?.slice(0, 200)} is not of type ${types.join('|')}`);
      return out;
    }
  }
  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !RFC3339.test(value)) out.push(`${at}: ${JSON.stringify(value)} is not an RFC 3339 date-time`);
    if (schema.pattern && !new RegExp(schema.pattern as string).test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => out.push(...violations(doc, schema.items as Schema, item, `${at}[${i}]`)));
  if (isObject(value)) {
    for (const name of (schema.required ?? []) as string[]) if (!(name in value)) out.push(`${at}: lacks the required ${name}`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const names = declared(doc, schema);
    for (const [name, v] of Object.entries(value)) {
      if (properties[name]) out.push(...violations(doc, properties[name]!, v, `${at}.${name}`));
      else if (isObject(schema.additionalProperties)) out.push(...violations(doc, schema.additionalProperties as Schema, v, `${at}.${name}`));
      else if (names && !names.has(name)) out.push(`${at}: ${name} is not in the document`);
    }
  }
  return out;
}

interface Call {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The documented path, e.g. "/faults/{faultId}". */
  path: string;
  url: string;
  body?: unknown;
}

describe('control API OpenAPI contract', () => {
  it('every operation answers a documented status with a body its schema describes, in full', async () => {
    const app = createApp();
    const doc = (await request(app).get('/_mock/openapi.json')).body as Doc;
    const auth = { Authorization: 'Bearer scimulator-dev-token' };
    const called = new Set<string>();
    const problems: string[] = [];

    async function call({ method, path, url, body }: Call, expectStatus?: number) {
      called.add(`${method.toUpperCase()} ${path}`);
      const res = await (request(app) as any)[method](`/_mock${url}`).send(body);
      const where = `${method.toUpperCase()} ${url} -> ${res.status}`;
      if (expectStatus !== undefined && res.status !== expectStatus) problems.push(`${where}: expected ${expectStatus} ${JSON.stringify(res.body)}`);
      const documented = doc.paths[path]?.[method]?.responses[String(res.status)];
      if (!documented) {
        problems.push(`${where}: status not documented for ${method.toUpperCase()} ${path}`);
        return res;
      }
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
      if (!documented.content) {
        if (res.text) problems.push(`${where}: a body where the document gives none`);
      } else if (!documented.content[type]) {
        problems.push(`${where}: Content-Type ${type} not documented (${Object.keys(documented.content).join(', ')})`);
      } else if (type === 'application/json') {
        const body = JSON.parse(res.text) as unknown;
        problems.push(...violations(doc, documented.content[type]!.schema, body).map((v) => `${where}: ${v}`));
      }
      return res;
    }

    // Traffic that fills in what entries, reports and rules can hold: a warning (Entra's capitalised op), a fault
    // answered after the handler committed, a drift fault, a Bulk operation fault, a behaviour finding (an index
    // walk that overlaps), and a rule with every optional field.
    for (const name of ['ada', 'bob', 'cy', 'di']) {
      await request(app).post('/scim/v2/Users').set(auth).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name });
    }
    await request(app).post('/scim/v2/Groups').set(auth).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'team' });
    const user = (await request(app).get('/scim/v2/Users?count=1').set(auth)).body.Resources[0];
    const fault = async (rule: object) => (await request(app).post('/_mock/faults').send(rule)).body as { id: string };
    await fault({ name: 'lost answer', match: { method: 'PATCH', path: '/Users/*' }, action: { type: 'error', status: 503, phase: 'after', retryAfter: 2 }, times: 1 });
    await fault({ match: { operation: 'list', resourceType: 'Group' }, action: { type: 'drift', insert: 1, delete: 1 }, times: 1 });
    await fault({ match: { bulkOperation: 0 }, action: { type: 'error', status: 409, scimType: 'uniqueness' }, times: 1 });
    const waiting = await fault({ name: 'every field', match: { path: '/Nothing/**', query: { a: { contains: 'b', ignoreCase: true } }, headers: { 'x-a': 'b' }, body: { path: 'x', exists: true } }, action: { type: 'latency', minMs: 1, maxMs: 2 }, probability: 0.5, times: 2, after: 1, from: '+1h', until: '+2h' });
    for (const action of [{ type: 'conflict', kind: 'precondition' }, { type: 'reset' }, { type: 'hang', maxMs: 10 }, { type: 'malformed', variant: 'html' }, { type: 'rateLimit', limit: 1, windowMs: 1000 }, { type: 'throttle', bytesPerSecond: 1000 }, { type: 'lag', ms: 10, reads: true }]) {
      await fault({ match: { path: '/Nothing' }, action });
    }
    await request(app).patch(`/scim/v2/Users/${user.id}`).set(auth).send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    await request(app).get('/scim/v2/Groups').set(auth);
    await request(app).post('/scim/v2/Bulk').set(auth).send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'bulk' } }] });
    await request(app).get('/scim/v2/Users?startIndex=1&count=2').set(auth);
    await request(app).get('/scim/v2/Users?startIndex=2&count=2').set(auth);
    const tenant = await call({ method: 'post', path: '/tenants', url: '/tenants', body: { id: 'docs', users: 2, profile: 'entra', me: 'someone' } }, 201);
    await request(app).get('/tenants/docs/scim/v2/Users').set('Authorization', `Bearer ${tenant.body.token}`);
    await call({ method: 'post', path: '/tenants', url: '/tenants', body: { id: 'gone' } }, 201);

    const entries = await call({ method: 'get', path: '/requests', url: '/requests?limit=100' }, 200);
    const kinds = (entries.body.requests as Array<Record<string, unknown>>).map((e) => [e.warnings, e.fault, e.committed, e.findings]);
    // The traffic above did fill them in, so the schemas of warnings, faults, committed answers and findings were used.
    expect(kinds.some(([w]) => (w as unknown[]).length > 0)).toBe(true);
    expect(kinds.some(([, f]) => (f as { inserted?: unknown } | null)?.inserted)).toBe(true);
    expect(kinds.some(([, f]) => (f as { operations?: unknown } | null)?.operations)).toBe(true);
    expect(kinds.some(([, , c]) => c !== null)).toBe(true);
    expect(kinds.some(([, , , f]) => (f as unknown[]).length > 0)).toBe(true);

    for (const prefix of ['', '/tenants/docs']) {
      const p = (path: string) => (prefix ? `/tenants/{tenantId}${path}` : path);
      await call({ method: 'get', path: '/health', url: '/health' }, 200);
      await call({ method: 'get', path: '/tenants', url: '/tenants' }, 200);
      const snapshot = await call({ method: 'get', path: p('/snapshot'), url: `${prefix}/snapshot` }, 200);
      await call({ method: 'put', path: p('/snapshot'), url: `${prefix}/snapshot`, body: snapshot.body }, 204);
      await call({ method: 'get', path: p('/config'), url: `${prefix}/config` }, 200);
      await call({ method: 'patch', path: p('/config'), url: `${prefix}/config`, body: { persona: 'github', auth: { me: 'someone' } } }, 200);
      await call({ method: 'patch', path: p('/config'), url: `${prefix}/config`, body: { persona: null, auth: { me: null } } }, 200);
      await call({ method: 'get', path: p('/clock'), url: `${prefix}/clock` }, 200);
      await call({ method: 'post', path: p('/clock'), url: `${prefix}/clock`, body: { advance: 0 } }, 200);
      await call({ method: 'get', path: p('/faults'), url: `${prefix}/faults` }, 200);
      const added = await call({ method: 'post', path: p('/faults'), url: `${prefix}/faults`, body: { match: { path: '/Nothing' }, action: { type: 'error', status: 500 } } }, 201);
      await call({ method: 'get', path: p('/faults/{faultId}'), url: `${prefix}/faults/${prefix ? added.body.id : waiting.id}` }, 200);
      await call({ method: 'delete', path: p('/faults/{faultId}'), url: `${prefix}/faults/${added.body.id}` }, 204);
      const listed = await call({ method: 'get', path: p('/requests'), url: `${prefix}/requests?order=desc` }, 200);
      await call({ method: 'get', path: p('/requests/{requestId}'), url: `${prefix}/requests/${listed.body.requests[0].id}` }, 200);
      await call({ method: 'post', path: p('/requests/find'), url: `${prefix}/requests/find`, body: { status: ['2xx', 503], limit: 5 } }, 200);
      await call({ method: 'post', path: p('/requests/count'), url: `${prefix}/requests/count`, body: { fault: true } }, 200);
      await call({ method: 'get', path: p('/requests/export'), url: `${prefix}/requests/export` }, 200);
      await call({ method: 'get', path: p('/requests/export'), url: `${prefix}/requests/export?format=har` }, 200);
      await call({ method: 'get', path: p('/requests/wait'), url: `${prefix}/requests/wait?since=0&timeoutMs=0` }, 200);
      await call({ method: 'get', path: p('/requests/stream'), url: `${prefix}/requests/stream?timeoutMs=0` }, 200);
      await call({ method: 'get', path: p('/oauth'), url: `${prefix}/oauth` }, 200);
      await call({ method: 'delete', path: p('/oauth/tokens'), url: `${prefix}/oauth/tokens` }, 200);
      await call({ method: 'get', path: p('/conformance'), url: `${prefix}/conformance` }, 200);
      await call({ method: 'get', path: p('/conformance'), url: `${prefix}/conformance?format=json` }, 200);
      await call({ method: 'get', path: p('/conformance'), url: `${prefix}/conformance?format=junit` }, 200);
      await call({ method: 'get', path: p('/conformance'), url: `${prefix}/conformance?format=text` }, 200);
      await call({ method: 'get', path: p('/behaviour'), url: `${prefix}/behaviour` }, 200);
      await call({ method: 'get', path: '/openapi.json', url: '/openapi.json' }, 200);

      // Refusals, each with a status the document lists for its operation.
      await call({ method: 'post', path: p('/reset'), url: `${prefix}/reset?keep=nothing` }, 400);
      await call({ method: 'put', path: p('/snapshot'), url: `${prefix}/snapshot`, body: { format: 'nope' } }, 400);
      await call({ method: 'patch', path: p('/config'), url: `${prefix}/config`, body: { defaultPageSize: 0 } }, 400);
      await call({ method: 'post', path: p('/clock'), url: `${prefix}/clock`, body: {} }, 400);
      await call({ method: 'post', path: p('/faults'), url: `${prefix}/faults`, body: { action: { type: 'nope' } } }, 400);
      await call({ method: 'get', path: p('/faults/{faultId}'), url: `${prefix}/faults/nope` }, 404);
      await call({ method: 'delete', path: p('/faults/{faultId}'), url: `${prefix}/faults/nope` }, 404);
      await call({ method: 'get', path: p('/requests'), url: `${prefix}/requests?status=abc` }, 400);
      await call({ method: 'get', path: p('/requests/{requestId}'), url: `${prefix}/requests/req-999999` }, 404);
      await call({ method: 'post', path: p('/requests/find'), url: `${prefix}/requests/find`, body: { nope: 1 } }, 400);
      await call({ method: 'post', path: p('/requests/count'), url: `${prefix}/requests/count`, body: { limit: 0 } }, 400);
      await call({ method: 'get', path: p('/requests/export'), url: `${prefix}/requests/export?format=xml` }, 400);
      await call({ method: 'get', path: p('/requests/wait'), url: `${prefix}/requests/wait?timeoutMs=x` }, 400);
      await call({ method: 'get', path: p('/requests/wait'), url: `${prefix}/requests/wait?since=999999&timeoutMs=1` }, 408);
      await call({ method: 'get', path: p('/requests/stream'), url: `${prefix}/requests/stream?since=x` }, 400);
      await call({ method: 'get', path: p('/conformance'), url: `${prefix}/conformance?format=pdf` }, 400);

      await call({ method: 'delete', path: p('/behaviour'), url: `${prefix}/behaviour` }, 204);
      await call({ method: 'delete', path: p('/faults'), url: `${prefix}/faults` }, 204);
      await call({ method: 'delete', path: p('/requests'), url: `${prefix}/requests` }, 204);
      await call({ method: 'post', path: p('/reset'), url: `${prefix}/reset?keep=faults,journal` }, 200);
    }
    await call({ method: 'post', path: '/tenants', url: '/tenants', body: { id: 'docs' } }, 409);
    await call({ method: 'post', path: '/tenants', url: '/tenants', body: { id: '-bad' } }, 400);
    await call({ method: 'delete', path: '/tenants/{tenantId}', url: '/tenants/gone' }, 204);
    await call({ method: 'delete', path: '/tenants/{tenantId}', url: '/tenants/gone' }, 404);

    expect(problems).toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect([...called].sort()).toEqual(documented.sort());
  });

  it('every reference in the document resolves', async () => {
    const doc = (await request(createApp()).get('/_mock/openapi.json')).body as Doc;
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(x as string) : walk(x);
    };
    walk(doc);
    Object.values(doc.components.schemas).forEach((s) => s.discriminator && refs.push(...Object.values(s.discriminator.mapping as Record<string, string>)));
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !doc.components.schemas[r.replace('#/components/schemas/', '')])).toEqual([]);
  });

  it('the schemas the document gives for requests accept what the control API takes', async () => {
    const app = createApp();
    const doc = (await request(app).get('/_mock/openapi.json')).body as Doc;
    const schemas = doc.components.schemas;
    // What the README and the tests send (see test/faults, test/journal): each is valid for its documented schema.
    const samples: Array<[string, unknown]> = [
      ['FaultRuleInput', { match: { method: ['POST', 'PUT'], path: '/Users/**', operation: 'create', body: [{ path: 'userName', matches: '^a' }] }, action: { type: 'rateLimit', limit: 5, windowMs: 1000 }, from: '2030-01-01T00:00:00Z' }],
      ['FaultRuleInput', { match: { bulkOperation: { method: 'DELETE', path: '/Users/*' } }, action: { type: 'conflict', kind: 'uniqueness' } }],
      ['JournalQuery', { method: 'GET', status: '4xx', fault: 'fault-1', order: 'desc', since: 3 }],
      ['Config', { profile: 'okta', patchStatus: { User: 204 }, behaviour: { disabled: ['retry-storm'], retryStorm: { limit: 3 } } }],
      ['TenantSpec', { id: 'acme_1', users: 10, persona: 'aws', seed: 1 }],
    ];
    for (const [name, sample] of samples) {
      expect(violations(doc, schemas[name]!, sample), name).toEqual([]);
      // ... and the control API takes each of them.
    }
    const take = async (url: string, method: 'post' | 'patch', body: unknown) => (await (request(app) as any)[method](url).send(body)).status;
    expect(await take('/_mock/faults', 'post', samples[0]![1])).toBe(201);
    expect(await take('/_mock/faults', 'post', samples[1]![1])).toBe(201);
    expect(await take('/_mock/requests/find', 'post', samples[2]![1])).toBe(200);
    expect(await take('/_mock/config', 'patch', samples[3]![1])).toBe(200);
    expect(await take('/_mock/tenants', 'post', samples[4]![1])).toBe(201);
    // A rule the document's schema refuses is refused by the API too.
    expect(violations(doc, schemas.FaultRuleInput!, { action: { type: 'error' } })).not.toEqual([]);
    expect(await take('/_mock/faults', 'post', { action: { type: 'error' } })).toBe(400);
  });
});
