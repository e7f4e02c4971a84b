/**
 * Turns a client's resource representation into the stored shape, from the schema alone (RFC 7643 section 2
 * and 7): canonical attribute casing, JSON types, required attributes, readOnly attributes ignored,
 * immutable attributes protected, unknown attributes dropped, one primary value at most.
 */
import { FORBIDDEN_KEYS, findAttribute, isPlainObject, type ResourceSchema } from './attributes.js';
import { parseRfc3339 } from './datetime.js';
import { ScimError, badRequest } from './errors.js';
import type { AttributeDef } from './schemas/types.js';
import { describeValue } from './json.js';

export type Resource = Record<string, unknown>;

export interface ValidateOptions {
  /** The stored resource being replaced (PUT, PATCH): enables the immutable checks. */
  existing?: Resource;
}

/** RFC 3339 date-time (RFC 7643 section 2.3.5 requires xsd:dateTime with a time zone in practice). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
/** What a data file saved before binary values were checked strictly may hold (it loads as it did). */
const STORED_BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

/**
 * Why a binary value is not base64 as RFC 7643 section 2.3.6 asks ("base64 encoded as specified in Section 4 of
 * [RFC4648] ... trailing padding characters MAY be omitted"), or undefined when it is. RFC 4648: no line breaks
 * (3.1), characters outside the alphabet rejected (3.3), padding only at the end and completing the last group of
 * four (4); a length of 4n+1 characters encodes no whole byte.
 */
export function base64Problem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const inAlphabet = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x3d;
    if (inAlphabet) continue;
    const at = `at character ${i + 1}`;
    if (c === 0x0a || c === 0x0d) return `it has a line break ${at}; base64 in SCIM has none (RFC 4648 section 3.1): remove the line breaks`;
    if (c === 0x2d || c === 0x5f) return `it has "${value[i]}" ${at}, of the URL-safe alphabet (RFC 4648 section 5); use "+" for "-" and "/" for "_"`;
    if (c === 0x20 || c === 0x09) return `it has white space ${at}; remove it`;
    return `it has ${JSON.stringify(String.fromCodePoint(value.codePointAt(i)!))} ${at}, which is not in the base64 alphabet (A-Z, a-z, 0-9, "+", "/", and "=" at the end)`;
  }
  const pad = value.indexOf('=');
  const data = pad < 0 ? value.length : pad;
  const padding = value.length - data;
  for (let i = data; i < value.length; i++) {
    if (value.charCodeAt(i) !== 0x3d) return `it has "=" at character ${data + 1} followed by more data; "=" only pads the end`;
  }
  if (data % 4 === 1) return `its ${data} character${data === 1 ? '' : 's'} (before any padding) leave one over a group of four, which encodes no whole byte: a character is missing or extra`;
  if (padding > 0 && (padding > 2 || (data + padding) % 4 !== 0)) {
    const whole = data + (4 - (data % 4 || 4));
    return `its padding "${'='.repeat(padding)}" does not complete the last group of four characters: send ${whole - data === 0 ? 'no padding' : `"${'='.repeat(whole - data)}"`} after its ${data} characters, or leave the padding out`;
  }
  return undefined;
}

export function isDateTime(value: string): boolean {
  return dateTimeProblem(value) === undefined;
}

/**
 * Why `value` is not an RFC 3339 date-time ('' when it is not even of that form), or undefined when it is one. The
 * calendar is checked (Date.parse rolls "2021-02-29" over to March 1 and takes hour 24), so no value that a strict
 * client's date parser refuses is stored.
 */
function dateTimeProblem(value: string): string | undefined {
  if (!DATE_TIME.test(value)) return '';
  const parsed = parseRfc3339(value);
  return parsed.ok ? undefined : parsed.reason;
}

/** Throws on `__proto__`, `constructor` and `prototype` keys anywhere in a JSON value. */
export function assertNoForbiddenKeys(value: unknown, where = 'body'): void {
  if (Array.isArray(value)) {
    value.forEach((element, i) => assertNoForbiddenKeys(element, `${where}[${i}]`));
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw badRequest('invalidSyntax', `"${key}" is not allowed as an attribute name (at ${where}).`);
      }
      assertNoForbiddenKeys(value[key], `${where}.${key}`);
    }
  }
}


/**
 * What a simple (non-complex) value of this attribute must be, when `value` is not that; undefined when it fits.
 * `stored`: a value of a data file or snapshot, which may hold binary values as this service accepted them before
 * their base64 was checked (line breaks, loose padding): they load as they did.
 */
export function expectedType(def: AttributeDef, value: unknown, stored = false): string | undefined {
  switch (def.type) {
    case 'string':
    case 'reference':
      return typeof value === 'string' ? undefined : 'a string';
    case 'binary': {
      if (typeof value !== 'string') return 'a base64-encoded string';
      if (stored) return STORED_BASE64.test(value) ? undefined : 'a base64-encoded string';
      return base64Problem(value) === undefined ? undefined : 'a base64-encoded string (RFC 7643 section 2.3.6: base64 of RFC 4648 section 4, the trailing "=" padding may be left out)';
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'a JSON boolean (true or false)';
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'an integer';
      // RFC 8259 section 6: integers beyond 2^53 - 1 are not exact in JSON; stored, they would come back altered
      // (9007199254740993 as ...992, 1e21 as "1e+21"), which a client's integer type refuses or takes as another value.
      return Number.isSafeInteger(value) ? undefined : 'an integer from -9007199254740991 to 9007199254740991 (2^53 - 1: larger ones are not exact in JSON, RFC 8259 section 6)';
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
    case 'dateTime':
      if (typeof value !== 'string') return 'an RFC 3339 date-time such as "2011-05-13T04:42:34Z"';
      {
        const problem = dateTimeProblem(value);
        if (problem === undefined) return undefined;
        return `an RFC 3339 date-time such as "2011-05-13T04:42:34Z"${problem ? ` (${problem})` : ''}`;
      }
    case 'complex':
      throw new Error('expectedType called on a complex attribute');
  }
}

/** Checks one simple (non-complex) value against its attribute type; returns the value to store. */
function checkSimple(def: AttributeDef, value: unknown, path: string): unknown {
  const expected = expectedType(def, value);
  if (expected !== undefined) {
    const problem = def.type === 'binary' && typeof value === 'string' ? `: ${base64Problem(value)!}` : '';
    throw badRequest('invalidValue', `Attribute "${path}" must be ${expected}, but the request has ${describeValue(value)}${problem}.`);
  }
  return value;
}

/** Null, an empty array and an empty object are "unassigned" (RFC 7643 section 2.5). */
export function isUnassigned(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && Object.keys(value).length === 0);
}

/**
 * Normalises the attributes of one level (resource top level, an extension object, or a complex value):
 * canonical names, type checks, readOnly dropped, unknown names dropped. Returns a fresh object.
 */
function normaliseLevel(
  defs: readonly AttributeDef[],
  input: Record<string, unknown>,
  pathPrefix: string,
  skipKey: (key: string) => boolean,
  /** Between pathPrefix and an attribute name: "." below an attribute, ":" after an extension's URN (RFC 7644 3.10). */
  separator: '.' | ':' = '.',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const raw = input[key];
    if (FORBIDDEN_KEYS.has(key)) throw badRequest('invalidSyntax', `"${key}" is not allowed as an attribute name (at ${pathPrefix || 'the top level'}).`);
    if (skipKey(key)) continue;
    const def = findAttribute(defs, key);
    if (!def || def.mutability === 'readOnly') continue; // unknown attributes are ignored; readOnly ones too
    if (isUnassigned(raw)) continue;
    const path = pathPrefix ? `${pathPrefix}${separator}${def.name}` : def.name;
    if (def.name in out) throw badRequest('invalidSyntax', `Attribute "${path}" appears twice with different letter case.`);
    out[def.name] = normaliseValue(def, raw, path);
  }
  return out;
}

/** Normalises a value of one attribute as POST and PUT do (multi-valued: the whole array); `path` names it in errors. */
export function normaliseValue(def: AttributeDef, raw: unknown, path: string): unknown {
  if (def.multiValued) {
    if (!Array.isArray(raw)) {
      throw badRequest('invalidValue', `Attribute "${path}" is multi-valued and must be a JSON array, but the request has ${describeValue(raw)}.`);
    }
    const values = raw.filter((v) => !isUnassigned(v)).map((v, i) => normaliseSingle(def, v, `${path}[${i}]`));
    if (def.type === 'complex') {
      const primaries = values.filter((v) => isPlainObject(v) && v.primary === true).length;
      if (primaries > 1) {
        throw badRequest('invalidValue', `Attribute "${path}" has ${primaries} values with "primary": true; at most one is allowed (RFC 7643 section 2.4).`);
      }
    }
    return values;
  }
  if (Array.isArray(raw)) {
    throw badRequest('invalidValue', `Attribute "${path}" is single-valued, but the request has an array.`);
  }
  return normaliseSingle(def, raw, path);
}

/** Normalises one value of an attribute (one element of a multi-valued attribute) as POST and PUT do. */
export function normaliseSingle(def: AttributeDef, raw: unknown, path: string): unknown {
  if (def.type !== 'complex') return checkSimple(def, raw, path);
  if (!isPlainObject(raw)) {
    throw badRequest('invalidValue', `Attribute "${path}" is complex and must be a JSON object, but the request has ${describeValue(raw)}.`);
  }
  const subs = def.subAttributes ?? [];
  const value = normaliseLevel(subs, raw, path, () => false);
  // Indexed: schema definitions are frozen arrays, which for-of iterates with an allocation per element.
  for (let i = 0; i < subs.length; i++) {
    const sub = subs[i]!;
    if (sub.required && sub.mutability !== 'readOnly' && value[sub.name] === undefined) {
      throw badRequest('invalidValue', `Attribute "${path}.${sub.name}" is required.`);
    }
  }
  return value;
}

/**
 * Validates a full resource representation (POST or PUT body) and returns the stored shape without
 * id, meta and other readOnly attributes; the caller adds those.
 */
export function validateResource(schema: ResourceSchema, input: unknown, options: ValidateOptions = {}): Resource {
  if (!isPlainObject(input)) {
    throw badRequest('invalidSyntax', `The request body must be a JSON object representing a ${schema.name} resource.`);
  }
  const schemasKey = Object.keys(input).find((k) => k.toLowerCase() === 'schemas');
  const declared = schemasKey ? input[schemasKey] : undefined;
  if (!Array.isArray(declared) || declared.some((s) => typeof s !== 'string')) {
    throw badRequest('invalidValue', `The "schemas" attribute must be an array of schema URIs that includes "${schema.core.id}".`);
  }
  const declaredLower = new Set((declared as string[]).map((s) => s.toLowerCase()));
  if (!declaredLower.has(schema.core.id.toLowerCase())) {
    throw badRequest('invalidValue', `The "schemas" attribute must include the core schema "${schema.core.id}" for a ${schema.name}.`);
  }

  const extensionKeys = new Set<string>();
  const out = normaliseLevel(schema.coreAttributes, input, '', (key) => {
    if (key === schemasKey) return true;
    if (key.toLowerCase().startsWith('urn:')) {
      extensionKeys.add(key);
      return true;
    }
    return false;
  });

  const schemas = [schema.core.id];
  for (const ext of schema.extensions) {
    const key = [...extensionKeys].find((k) => k.toLowerCase() === ext.id.toLowerCase());
    const raw = key === undefined ? undefined : input[key];
    if (raw !== undefined && raw !== null) {
      if (!isPlainObject(raw)) throw badRequest('invalidValue', `The extension "${ext.id}" must be a JSON object.`);
      if (!declaredLower.has(ext.id.toLowerCase())) {
        throw badRequest('invalidValue', `The request has attributes of the extension "${ext.id}" but does not list it in "schemas".`);
      }
      const value = normaliseLevel(ext.attributes, raw, ext.id, () => false, ':');
      if (Object.keys(value).length > 0) {
        out[ext.id] = value;
      }
    }
    if (out[ext.id] !== undefined) schemas.push(ext.id);
    const required = schema.resourceType.schemaExtensions.find((e) => e.schema === ext.id)?.required;
    if (required && out[ext.id] === undefined) {
      throw badRequest('invalidValue', `The extension "${ext.id}" is required for a ${schema.name}.`);
    }
  }
  // Extension keys of schemas this resource type does not have are ignored like other unknown attributes.

  checkRequired(schema, out);
  if (options.existing) checkImmutable(schema, options.existing, out);
  return { schemas, ...out };
}

/** Required attributes must be present (readOnly ones are the server's to set). */
export function checkRequired(schema: ResourceSchema, resource: Resource): void {
  const check = (defs: readonly AttributeDef[], container: Record<string, unknown> | undefined, prefix: string) => {
    for (let i = 0; i < defs.length; i++) {
      const def = defs[i]!;
      if (def.required && def.mutability !== 'readOnly' && isUnassigned(container?.[def.name])) {
        throw badRequest('invalidValue', `Attribute "${prefix}${def.name}" is required for a ${schema.name}.`);
      }
    }
  };
  check(schema.core.attributes, resource, '');
  for (const ext of schema.extensions) {
    const value = resource[ext.id];
    if (isPlainObject(value)) check(ext.attributes, value, `${ext.id}:`);
  }
}

/**
 * Immutable attributes may be set once, never changed (RFC 7643 section 7): a replacement that changes or
 * removes an existing immutable value is 400 mutability.
 */
export function checkImmutable(schema: ResourceSchema, existing: Resource, next: Resource): void {
  const compare = (defs: readonly AttributeDef[], before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined, prefix: string) => {
    for (let i = 0; i < defs.length; i++) {
      const def = defs[i]!;
      const old = before?.[def.name];
      if (def.mutability === 'immutable' && !isUnassigned(old) && !jsonEqual(old, after?.[def.name])) {
        throw new ScimError(400, 'mutability', `Attribute "${prefix}${def.name}" is immutable and cannot be changed once set.`);
      }
      if (def.type === 'complex' && def.subAttributes?.some((s) => s.mutability === 'immutable') && !def.multiValued) {
        compare(def.subAttributes, asObject(old), asObject(after?.[def.name]), `${prefix}${def.name}.`);
      }
    }
  };
  compare(schema.coreAttributes, existing, next, '');
  for (const ext of schema.extensions) compare(ext.attributes, asObject(existing[ext.id]), asObject(next[ext.id]), `${ext.id}:`);
}

const asObject = (v: unknown) => (isPlainObject(v) ? v : undefined);

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
