/**
 * What a strict SCIM client checks in every response: typed models generated from the RFC 7643 section 8.7 schema
 * representations (scim2-models, the UnboundID and Microsoft.SCIM SDKs) refuse unknown attributes, wrong JSON
 * types, missing required attributes, and messages that are not shaped as RFC 7644 says. The checks take the
 * schemas and resource types the service itself publishes (checked first against RFC 7643 sections 5-7), so custom
 * schemas and extensions are validated the same way.
 *
 * Every check returns the deviations it found as strings ("GET /Users: Resources[0].emails[0].primary: boolean
 * expected, got string"): a test collects them over a whole corpus and expects none.
 */
import type { Response } from 'supertest';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from '../../src/scim/schemas/core.js';

export interface AttrDef {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  mutability: string;
  returned: string;
  uniqueness?: string;
  caseExact?: boolean;
  referenceTypes?: string[];
  canonicalValues?: string[];
  subAttributes?: AttrDef[];
  description?: string;
}
export interface SchemaDoc {
  id: string;
  name?: string;
  attributes: AttrDef[];
}
export interface ResourceTypeDoc {
  name: string;
  endpoint: string;
  schema: string;
  schemaExtensions?: { schema: string; required: boolean }[];
}

export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const SPC_ID = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_ID = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** RFC 7644 section 3.12, Table 9, and RFC 9865's cursor keywords: the scimType values (for 400; 409 takes "uniqueness", RFC 7644 3.3, and 403 "sensitive", 7.5.2). */
const SCIM_TYPES = ['invalidCursor', 'expiredCursor', 'invalidCount', 'invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'];

/** RFC 3339 section 5.6 date-time (xsd:dateTime with a time zone, RFC 7643 2.3.5). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 7643 section 3.1: the common attributes, as a schema (id is returned always, meta is readOnly). */
const COMMON: AttrDef[] = [
  { name: 'id', type: 'string', multiValued: false, required: false, mutability: 'readOnly', returned: 'always', caseExact: true },
  { name: 'externalId', type: 'string', multiValued: false, required: false, mutability: 'readWrite', returned: 'default', caseExact: true },
  {
    name: 'meta', type: 'complex', multiValued: false, required: false, mutability: 'readOnly', returned: 'default',
    subAttributes: [
      { name: 'resourceType', type: 'string', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
      { name: 'created', type: 'dateTime', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
      { name: 'lastModified', type: 'dateTime', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
      { name: 'location', type: 'reference', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
      { name: 'version', type: 'string', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
    ],
  },
];

const RFC_8_7_2 = [SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA];

/** RFC 9865 section 4: the `pagination` attribute it adds to ServiceProviderConfig. */
const RFC_9865_PAGINATION: AttrDef = {
  name: 'pagination', type: 'complex', multiValued: false, required: false, mutability: 'readOnly', returned: 'default',
  subAttributes: [
    ...['cursor', 'index'].map((name) => ({ name, type: 'boolean', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' })),
    { name: 'defaultPaginationMethod', type: 'string', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' },
    ...['defaultPageSize', 'maxPageSize', 'cursorTimeout'].map((name) => ({ name, type: 'integer', multiValued: false, required: false, mutability: 'readOnly', returned: 'default' })),
  ],
};

/** A date-time whose date and time exist (RFC 3339 5.7: day within its month, hour 00-23). */
function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = text.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && h < 24 && mi < 60 && s < 60;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** One JSON value against one attribute definition (not the multi-valued wrapping). */
function checkValue(v: unknown, def: AttrDef, at: string, out: string[], mode: Mode): void {
  const t = typeOf(v);
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (t !== 'string') out.push(`${at}: ${def.type} expected, got ${t}`);
      break;
    case 'boolean':
      if (t !== 'boolean') out.push(`${at}: boolean expected, got ${t}`);
      break;
    case 'integer':
      // beyond 2^53 - 1 a JSON integer is not exact (RFC 8259 section 6)
      if (t !== 'number' || !Number.isSafeInteger(v)) out.push(`${at}: integer expected, got ${JSON.stringify(v)}`);
      break;
    case 'decimal':
      if (t !== 'number') out.push(`${at}: decimal expected, got ${t}`);
      break;
    case 'dateTime':
      if (t !== 'string' || !isDateTime(v as string)) out.push(`${at}: RFC 3339 dateTime expected, got ${JSON.stringify(v)}`);
      break;
    case 'complex':
      if (t !== 'object') out.push(`${at}: complex (object) expected, got ${t}`);
      else checkAttributes(v as Record<string, unknown>, def.subAttributes ?? [], at, out, mode);
      break;
    default:
      out.push(`${at}: the schema gives the unknown type ${def.type}`);
  }
}

interface Mode {
  /** A whole representation (no attributes/excludedAttributes): required attributes must be there. */
  full: boolean;
}

/** The attributes of one object (a resource, an extension object or a complex value) against their definitions. */
function checkAttributes(obj: Record<string, unknown>, defs: AttrDef[], at: string, out: string[], mode: Mode, extraKeys: string[] = []): void {
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const [key, v] of Object.entries(obj)) {
    if (extraKeys.includes(key)) continue;
    const path = at ? `${at}.${key}` : key;
    const def = byName.get(key);
    if (!def) {
      const ci = defs.find((d) => d.name.toLowerCase() === key.toLowerCase());
      out.push(ci ? `${path}: not the canonical name ${ci.name}` : `${path}: not an attribute of the schema`);
      continue;
    }
    if (v === null) {
      out.push(`${path}: null (RFC 7643 2.5: an unassigned attribute is omitted)`);
      continue;
    }
    if (def.returned === 'never') out.push(`${path}: returned "never" but present`);
    if (def.returned === 'request' && mode.full) out.push(`${path}: returned "request" but present without being asked for`);
    if (def.multiValued) {
      if (!Array.isArray(v)) out.push(`${path}: multi-valued, an array expected, got ${typeOf(v)}`);
      else v.forEach((e, i) => checkValue(e, def, `${path}[${i}]`, out, mode));
    } else if (Array.isArray(v)) out.push(`${path}: single-valued, got an array`);
    else checkValue(v, def, path, out, mode);
  }
  for (const def of defs) {
    if (!(def.name in obj) && def.required && mode.full) out.push(`${at ? `${at}.` : ''}${def.name}: required but absent`);
  }
}

/** The registry a client builds from /Schemas and /ResourceTypes. */
export class StrictClient {
  readonly schemas = new Map<string, SchemaDoc>();
  readonly types = new Map<string, ResourceTypeDoc>();

  constructor(schemas: SchemaDoc[], types: ResourceTypeDoc[]) {
    for (const s of schemas) this.schemas.set(s.id, s);
    for (const t of types) this.types.set(t.name, t);
  }

  /** A resource of a resource type against its schemas (RFC 7643 sections 3, 3.1, 3.3 and the schema's rules). */
  resource(body: unknown, typeName: string, at: string, mode: Mode): string[] {
    const out: string[] = [];
    const type = this.types.get(typeName);
    if (!type) return [`${at}: unknown resource type ${typeName}`];
    if (typeOf(body) !== 'object') return [`${at}: a resource object expected, got ${typeOf(body)}`];
    const r = body as Record<string, unknown>;
    const listed = r.schemas;
    if (!Array.isArray(listed) || listed.length === 0 || listed.some((s) => typeof s !== 'string')) {
      out.push(`${at}.schemas: a non-empty array of URIs expected`);
      return out;
    }
    if (new Set(listed).size !== listed.length) out.push(`${at}.schemas: duplicate URIs ${JSON.stringify(listed)}`);
    if (!listed.includes(type.schema)) out.push(`${at}.schemas: lacks the core schema ${type.schema}`);
    const extensions = (type.schemaExtensions ?? []).map((e) => e.schema);
    for (const s of listed as string[]) {
      if (s !== type.schema && !extensions.includes(s)) out.push(`${at}.schemas: ${s} is not a schema of ${typeName}`);
      if (extensions.includes(s) && !(s in r)) out.push(`${at}.schemas: lists ${s} but the resource holds no attribute of it`);
    }
    const core = this.schemas.get(type.schema);
    if (!core) return [...out, `${at}: /Schemas lacks ${type.schema}`];
    const extensionKeys = Object.keys(r).filter((k) => extensions.some((e) => e.toLowerCase() === k.toLowerCase()));
    checkAttributes(r, [...COMMON, ...core.attributes], at, out, mode, ['schemas', ...extensionKeys]);
    for (const key of extensionKeys) {
      const def = this.schemas.get(key);
      if (!extensions.includes(key)) out.push(`${at}.${key}: not the canonical URN`);
      if (!listed.includes(key)) out.push(`${at}.${key}: extension present but not listed in schemas`);
      if (typeOf(r[key]) !== 'object') out.push(`${at}.${key}: an object expected`);
      else if (def) checkAttributes(r[key] as Record<string, unknown>, def.attributes, `${at}.${key}`, out, mode);
    }
    if (mode.full) {
      for (const e of type.schemaExtensions ?? []) if (e.required && !(e.schema in r)) out.push(`${at}: required extension ${e.schema} absent`);
    }
    if (typeof r.id !== 'string') out.push(`${at}.id: returned "always", absent`);
    const meta = r.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object' && meta.resourceType !== undefined && meta.resourceType !== typeName) out.push(`${at}.meta.resourceType: ${String(meta.resourceType)}, expected ${typeName}`);
    return out;
  }

  /** RFC 7644 3.4.2 / RFC 9865: a ListResponse, each resource checked by `item`. */
  /** `totalOptional`: a page that may leave totalResults out (a persona's cursor pages); one given is still checked. */
  list(body: unknown, at: string, item: (r: unknown, at: string) => string[], opts: { cursor?: boolean; totalOptional?: boolean } = {}): string[] {
    const out: string[] = [];
    if (typeOf(body) !== 'object') return [`${at}: a ListResponse object expected`];
    const b = body as Record<string, unknown>;
    const allowed = ['schemas', 'totalResults', 'Resources', 'startIndex', 'itemsPerPage', ...(opts.cursor ? ['nextCursor', 'previousCursor'] : [])];
    for (const k of Object.keys(b)) if (!allowed.includes(k)) out.push(`${at}.${k}: not an attribute of a ListResponse`);
    if (JSON.stringify(b.schemas) !== JSON.stringify([LIST])) out.push(`${at}.schemas: ${JSON.stringify(b.schemas)}`);
    const total = b.totalResults;
    if ((total !== undefined || !opts.totalOptional) && (typeof total !== 'number' || !Number.isInteger(total) || total < 0)) out.push(`${at}.totalResults: a non-negative integer is REQUIRED, got ${JSON.stringify(total)}`);
    const resources = b.Resources;
    if (resources === undefined) {
      if (typeof total === 'number' && total > 0) out.push(`${at}.Resources: REQUIRED when totalResults is non-zero`);
    } else if (!Array.isArray(resources)) out.push(`${at}.Resources: an array expected`);
    else {
      resources.forEach((r, i) => out.push(...item(r, `${at}.Resources[${i}]`)));
      if (typeof total === 'number' && resources.length > total) out.push(`${at}: ${resources.length} Resources above totalResults ${total}`);
    }
    for (const k of ['startIndex', 'itemsPerPage'] as const) {
      if (b[k] !== undefined && (typeof b[k] !== 'number' || !Number.isInteger(b[k]))) out.push(`${at}.${k}: an integer expected, got ${JSON.stringify(b[k])}`);
    }
    if (typeof b.startIndex === 'number' && b.startIndex < 1) out.push(`${at}.startIndex: 1-based, got ${b.startIndex}`);
    const n = Array.isArray(resources) ? resources.length : 0;
    if (typeof b.itemsPerPage === 'number' && b.itemsPerPage !== n) out.push(`${at}.itemsPerPage: ${b.itemsPerPage}, but ${n} Resources`);
    // RFC 7644 3.4.2: itemsPerPage and startIndex are REQUIRED when partial results are returned due to pagination.
    if (typeof total === 'number' && n < total && !opts.cursor) {
      if (b.itemsPerPage === undefined) out.push(`${at}.itemsPerPage: REQUIRED on a partial page`);
      if (b.startIndex === undefined) out.push(`${at}.startIndex: REQUIRED on a partial page`);
    }
    for (const k of ['nextCursor', 'previousCursor'] as const) if (b[k] !== undefined && typeof b[k] !== 'string') out.push(`${at}.${k}: a string expected`);
    return out;
  }

  /** RFC 7643 section 7 (and 8.7.2): one schema representation. */
  schemaDoc(body: unknown, at: string): string[] {
    const out = this.resourceLike(body, SCHEMA_ID, 'Schema', at);
    const b = body as Record<string, unknown>;
    const checkDefs = (defs: unknown, where: string) => {
      if (!Array.isArray(defs)) return void out.push(`${where}: an array expected`);
      defs.forEach((d: Record<string, unknown>, i) => {
        const p = `${where}[${i}](${String(d.name)})`;
        for (const k of ['name', 'type', 'multiValued', 'description', 'required', 'mutability', 'returned']) if (!(k in d)) out.push(`${p}: lacks ${k}`);
        if (['string', 'reference', 'binary'].includes(d.type as string)) {
          if (!('caseExact' in d)) out.push(`${p}: a ${String(d.type)} without caseExact`);
          if (!('uniqueness' in d)) out.push(`${p}: a ${String(d.type)} without uniqueness`);
        }
        if (d.type === 'reference' && !Array.isArray(d.referenceTypes)) out.push(`${p}: a reference without referenceTypes`);
        if (!['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'].includes(d.type as string)) out.push(`${p}: type ${String(d.type)}`);
        if (!['readOnly', 'readWrite', 'immutable', 'writeOnly'].includes(d.mutability as string)) out.push(`${p}: mutability ${String(d.mutability)}`);
        if (!['always', 'never', 'default', 'request'].includes(d.returned as string)) out.push(`${p}: returned ${String(d.returned)}`);
        if (d.uniqueness !== undefined && !['none', 'server', 'global'].includes(d.uniqueness as string)) out.push(`${p}: uniqueness ${String(d.uniqueness)}`);
        if (d.type === 'complex') {
          if (!Array.isArray(d.subAttributes)) out.push(`${p}: complex without subAttributes`);
          else checkDefs(d.subAttributes, `${p}.subAttributes`);
        } else if (d.subAttributes !== undefined) out.push(`${p}: subAttributes on a ${String(d.type)}`);
      });
    };
    if (b && typeof b === 'object') checkDefs(b.attributes, `${at}.attributes`);
    return out;
  }

  resourceTypeDoc(body: unknown, at: string): string[] {
    const out = this.resourceLike(body, RT_ID, 'ResourceType', at);
    const b = body as Record<string, unknown>;
    if (b && typeof b === 'object') {
      if (typeof b.schema === 'string' && !this.schemas.has(b.schema)) out.push(`${at}.schema: ${b.schema} is not in /Schemas`);
      for (const e of (b.schemaExtensions as { schema: string }[] | undefined) ?? []) if (!this.schemas.has(e.schema)) out.push(`${at}.schemaExtensions: ${e.schema} is not in /Schemas`);
      if (b.id !== undefined && b.id !== b.name) out.push(`${at}.id: ${String(b.id)} differs from name ${String(b.name)}`);
    }
    return out;
  }

  serviceProviderConfig(body: unknown, at: string): string[] {
    const out = this.resourceLike(body, SPC_ID, 'ServiceProviderConfig', at);
    return out;
  }

  /** A discovery document against its RFC 7643 8.7.2 schema (as published, or missing from /Schemas). */
  private resourceLike(body: unknown, schemaId: string, resourceType: string, at: string): string[] {
    const out: string[] = [];
    if (typeOf(body) !== 'object') return [`${at}: an object expected`];
    const b = body as Record<string, unknown>;
    if (JSON.stringify(b.schemas) !== JSON.stringify([schemaId])) out.push(`${at}.schemas: ${JSON.stringify(b.schemas)}, expected [${schemaId}]`);
    const meta = b.meta as Record<string, unknown> | undefined;
    if (!meta || meta.resourceType !== resourceType) out.push(`${at}.meta.resourceType: ${JSON.stringify(meta?.resourceType)}, expected ${resourceType}`);
    // RFC 7643 8.7.2 (a service need not publish these at /Schemas; a client has them built in)
    let schema = this.schemas.get(schemaId) ?? (RFC_8_7_2.find((s) => s.id === schemaId) as SchemaDoc);
    if (schemaId === SPC_ID && !schema.attributes.some((a) => a.name === 'pagination')) schema = { ...schema, attributes: [...schema.attributes, RFC_9865_PAGINATION] };
    checkAttributes(b, [...COMMON, ...schema.attributes], at, out, { full: true }, ['schemas']);
    return out;
  }

  /** RFC 7644 3.7.3: a BulkResponse. */
  bulk(body: unknown, at: string, request: { method: string; bulkId?: string }[]): string[] {
    const out: string[] = [];
    if (typeOf(body) !== 'object') return [`${at}: an object expected`];
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!['schemas', 'Operations'].includes(k)) out.push(`${at}.${k}: not an attribute of a BulkResponse`);
    if (JSON.stringify(b.schemas) !== JSON.stringify([BULK_RESPONSE])) out.push(`${at}.schemas: ${JSON.stringify(b.schemas)}`);
    if (!Array.isArray(b.Operations)) return [...out, `${at}.Operations: an array expected`];
    b.Operations.forEach((op: Record<string, unknown>, i: number) => {
      const p = `${at}.Operations[${i}]`;
      for (const k of Object.keys(op)) if (!['method', 'bulkId', 'version', 'location', 'response', 'status', 'path'].includes(k)) out.push(`${p}.${k}: not an attribute of a bulk operation response`);
      if (typeof op.method !== 'string') out.push(`${p}.method: REQUIRED`);
      if (typeof op.status !== 'string' || !/^\d{3}$/.test(op.status)) out.push(`${p}.status: a status code string expected, got ${JSON.stringify(op.status)}`);
      const status = Number(op.status);
      const req = request[i];
      if (req?.bulkId !== undefined && op.bulkId !== req.bulkId) out.push(`${p}.bulkId: ${JSON.stringify(op.bulkId)}, the request's was ${req.bulkId}`);
      if (status < 300 && op.method !== 'DELETE' && typeof op.location !== 'string') out.push(`${p}.location: REQUIRED for a successful ${String(op.method)}`);
      if (op.version !== undefined && typeof op.version !== 'string') out.push(`${p}.version: a string expected`);
      if (status >= 400) {
        if (op.response === undefined) out.push(`${p}.response: an error expected for status ${status}`);
        else out.push(...errorBody(op.response, status, `${p}.response`));
      }
    });
    return out;
  }
}

/** RFC 7644 3.12: an error body for HTTP status `status`. */
export function errorBody(body: unknown, status: number, at: string): string[] {
  const out: string[] = [];
  if (typeOf(body) !== 'object') return [`${at}: an error object expected, got ${typeOf(body)}`];
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!['schemas', 'status', 'scimType', 'detail'].includes(k)) out.push(`${at}.${k}: not an attribute of an Error`);
  if (JSON.stringify(b.schemas) !== JSON.stringify([ERROR])) out.push(`${at}.schemas: ${JSON.stringify(b.schemas)}`);
  if (b.status !== String(status)) out.push(`${at}.status: ${JSON.stringify(b.status)}, expected "${status}" (a string)`);
  if (b.detail !== undefined && typeof b.detail !== 'string') out.push(`${at}.detail: a string expected`);
  if (b.scimType !== undefined) {
    if (!SCIM_TYPES.includes(b.scimType as string)) out.push(`${at}.scimType: ${JSON.stringify(b.scimType)} is not an RFC 7644 Table 9 keyword`);
    else if (status !== 400 && !(status === 409 && b.scimType === 'uniqueness') && !(status === 403 && b.scimType === 'sensitive')) {
      out.push(`${at}.scimType: ${String(b.scimType)} with status ${status} (Table 9 keywords are for 400; 409 takes uniqueness, RFC 7644 3.3; 403 sensitive, 7.5.2)`);
    }
  }
  return out;
}

/** Headers every SCIM response carries (RFC 7644 3.1, 3.8). */
export function headers(res: Response, at: string): string[] {
  const out: string[] = [];
  const ct = res.headers['content-type'] as string | undefined;
  if (res.status === 204 || res.status === 304) {
    if (res.text) out.push(`${at}: ${res.status} with a body`);
    // RFC 9110 15.4.5: a 304 carries the ETag a 200 would have carried.
    if (res.status === 304 && !res.headers.etag) out.push(`${at}: 304 without ETag`);
    return out;
  }
  if (!ct || !/^application\/scim\+json(;|$)/.test(ct)) out.push(`${at}: Content-Type ${String(ct)}, application/scim+json expected`);
  // RFC 7235 3.1 / RFC 6750 3: a 401 carries a challenge; RFC 9110 15.5.6: a 405 lists what is allowed;
  // RFC 6585 4 / RFC 9110 15.6.4: the 429s and 503s of Scimulator always say when to retry (README, fault rules).
  if (res.status === 401 && !res.headers['www-authenticate']) out.push(`${at}: 401 without WWW-Authenticate`);
  if (res.status === 405 && !res.headers.allow) out.push(`${at}: 405 without Allow`);
  if ((res.status === 429 || res.status === 503) && !res.headers['retry-after']) out.push(`${at}: ${res.status} without Retry-After`);
  if (res.status === 201 && !res.headers.location) out.push(`${at}: 201 without Location`);
  return out;
}
