/**
 * A small JSON Schema (draft 2020-12) validator for the subset the scenario schema uses, so that
 * seeds/scenario.schema.json is both the documentation editors read and the rules the loader applies, without a
 * dependency. It reports the first problem as { pointer, reason } with a reason a person can act on.
 *
 * Supported keywords: $ref (to "#/$defs/..."), type, enum, const, properties, required, additionalProperties,
 * minProperties, maxProperties, items, minItems, maxItems, uniqueItems, minimum, maximum, minLength, maxLength,
 * pattern. Annotations ($schema, $id, $defs, $comment, title, description, default, examples, and "x-mustBe":
 * the phrase that completes "must be ..." when the value fails its node) are read but not checked. Any other
 * keyword throws when the schema is compiled, so the schema cannot silently ask for a rule this code ignores.
 */
import { isPlainObject } from '../scim/attributes.js';

export interface JsonSchemaProblem {
  /** JSON pointer (RFC 6901) of the offending value; "" is the whole document. */
  pointer: string;
  reason: string;
}

type Node = Record<string, unknown> | boolean;

const CHECKED = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties',
  'items', 'minItems', 'maxItems', 'uniqueItems', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
]);
const ANNOTATIONS = new Set(['$schema', '$id', '$defs', '$comment', 'title', 'description', 'default', 'examples', 'x-mustBe']);

/** RFC 6901 escaping of one reference token. */
export const pointerToken = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

export class JsonSchemaValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: Record<string, unknown>) {
    this.compile(root, '#');
  }

  /** The first problem of `value`, or undefined when it is valid. */
  validate(value: unknown): JsonSchemaProblem | undefined {
    return this.check(this.root, value, '');
  }

  /** Checks that every keyword is supported and every $ref resolves; throws on a schema this code cannot apply. */
  private compile(node: unknown, where: string): void {
    if (typeof node === 'boolean') return;
    if (!isPlainObject(node)) throw new Error(`scenario schema ${where}: a schema must be an object or a boolean`);
    for (const [key, value] of Object.entries(node)) {
      if (!CHECKED.has(key) && !ANNOTATIONS.has(key)) throw new Error(`scenario schema ${where}: unsupported keyword "${key}"`);
      if (key === '$ref') this.resolve(value as string, where);
      if (key === 'pattern') this.patterns.set(value as string, new RegExp(value as string, 'u'));
      if (key === 'properties' || key === '$defs') {
        for (const [name, child] of Object.entries(value as Record<string, unknown>)) this.compile(child, `${where}/${key}/${name}`);
      }
      if (key === 'items' || key === 'additionalProperties') this.compile(value, `${where}/${key}`);
    }
  }

  private resolve(ref: string, where: string): Node {
    const match = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
    const defs = this.root.$defs as Record<string, Node> | undefined;
    const target = match ? defs?.[match[1]!] : undefined;
    if (target === undefined) throw new Error(`scenario schema ${where}: cannot resolve $ref "${ref}" (only "#/$defs/<name>")`);
    return target;
  }

  private check(node: Node, value: unknown, pointer: string): JsonSchemaProblem | undefined {
    if (node === true) return undefined;
    if (node === false) return { pointer, reason: 'is not allowed here' };
    if (typeof node.$ref === 'string') {
      const problem = this.check(this.resolve(node.$ref, pointer), value, pointer);
      if (problem) return problem;
    }
    const mustBe = (fallback: string): JsonSchemaProblem => ({ pointer, reason: `must be ${(node['x-mustBe'] as string | undefined) ?? fallback}` });

    if (node.type !== undefined && !typeMatches(node.type as string | string[], value)) return mustBe(describe(node));
    if (node.enum !== undefined && !(node.enum as unknown[]).some((e) => sameJson(e, value))) {
      return mustBe(`one of ${(node.enum as unknown[]).map((e) => JSON.stringify(e)).join(', ')}`);
    }
    if (node.const !== undefined && !sameJson(node.const, value)) return mustBe(JSON.stringify(node.const));

    if (typeof value === 'number') {
      if (typeof node.minimum === 'number' && value < node.minimum) return mustBe(describe(node));
      if (typeof node.maximum === 'number' && value > node.maximum) return { pointer, reason: `must be at most ${node.maximum}` };
    }
    if (typeof value === 'string') {
      const length = [...value].length;
      if (typeof node.minLength === 'number' && length < node.minLength) return mustBe(describe(node));
      if (typeof node.maxLength === 'number' && length > node.maxLength) return { pointer, reason: `must be at most ${node.maxLength} characters long` };
      if (typeof node.pattern === 'string' && !this.patterns.get(node.pattern)!.test(value)) return mustBe(`a string matching ${node.pattern}`);
    }
    if (Array.isArray(value)) {
      if (typeof node.minItems === 'number' && value.length < node.minItems) return mustBe(describe(node));
      if (typeof node.maxItems === 'number' && value.length > node.maxItems) return { pointer, reason: `must have at most ${node.maxItems} items` };
      if (node.items !== undefined) {
        for (let i = 0; i < value.length; i++) {
          const problem = this.check(node.items as Node, value[i], `${pointer}/${i}`);
          if (problem) return problem;
        }
      }
      if (node.uniqueItems === true) {
        const seen = new Map<string, number>();
        for (let i = 0; i < value.length; i++) {
          const key = canonicalJson(value[i]);
          if (seen.has(key)) return { pointer: `${pointer}/${i}`, reason: `repeats item ${seen.get(key)}; items must be unique` };
          seen.set(key, i);
        }
      }
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (typeof node.minProperties === 'number' && keys.length < node.minProperties) return mustBe(describe(node));
      if (typeof node.maxProperties === 'number' && keys.length > node.maxProperties) return mustBe(describe(node));
      const properties = (node.properties ?? {}) as Record<string, Node>;
      for (const key of keys) {
        const child = Object.hasOwn(properties, key) ? properties[key] : node.additionalProperties as Node | undefined;
        if (child === undefined) continue;
        if (child === false) {
          const allowed = Object.keys(properties);
          return { pointer: `${pointer}/${pointerToken(key)}`, reason: `is not a known property${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}` };
        }
        const problem = this.check(child, value[key], `${pointer}/${pointerToken(key)}`);
        if (problem) return problem;
      }
      for (const key of (node.required ?? []) as string[]) {
        if (!Object.hasOwn(value, key)) return { pointer: `${pointer}/${pointerToken(key)}`, reason: 'is required' };
      }
    }
    return undefined;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string | string[], value: unknown): boolean {
  const actual = typeOf(value);
  return (Array.isArray(type) ? type : [type]).some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** "a non-negative integer", "a number from 0 to 1", "a non-empty string", "an array of at least 1 item"... */
function describe(node: Record<string, unknown>): string {
  const type = Array.isArray(node.type) ? undefined : (node.type as string | undefined);
  const min = node.minimum as number | undefined;
  const max = node.maximum as number | undefined;
  switch (type) {
    case 'integer':
    case 'number': {
      const noun = type === 'integer' ? 'integer' : 'number';
      if (min === 0 && (max === undefined || type === 'integer')) return `a non-negative ${noun}`;
      if (min === 1 && type === 'integer') return 'a positive integer';
      if (min !== undefined && max !== undefined) return `a ${noun} from ${min} to ${max}`;
      if (min !== undefined) return `a ${noun} of at least ${min}`;
      return type === 'integer' ? 'an integer' : 'a number';
    }
    case 'string':
      return typeof node.minLength === 'number' && node.minLength > 0 ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return typeof node.minItems === 'number' && node.minItems > 0 ? `an array of at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}` : 'an array';
    case 'object':
      return 'a JSON object';
    default:
      return Array.isArray(node.type) ? `of type ${(node.type as string[]).join(' or ')}` : 'a valid value';
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
