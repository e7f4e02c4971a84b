/**
 * Compiles a filter AST against a resource type's schema into a predicate (RFC 7644 section 3.4.2.2).
 *
 * Everything that depends only on the filter and the schema is done once here: attribute resolution
 * (case-insensitive, URN-aware), type checks, literal parsing and lower-casing. The returned predicate reads the
 * resource by canonical attribute names and does no path resolution, regular expressions or allocations for ASCII
 * data.
 *
 * Rules, by the schema:
 * - caseExact decides string case sensitivity; dateTime compares instants; integer and decimal numerically;
 *   booleans with eq and ne only (gt/ge/lt/le on boolean or binary are 400 invalidFilter, RFC 7644 3.4.2.2);
 *   co, sw and ew need a string or reference attribute.
 * - A multi-valued attribute matches when any of its values matches. A complex attribute named without a
 *   sub-attribute is compared through its "value" sub-attribute (`emails co "@x"`); without one it cannot be
 *   compared (400 invalidFilter), only tested with pr.
 * - In `attr[filter]` one and the same element must satisfy the whole inner filter; `attr[filter].sub op v`
 *   matches when an element satisfying the filter has a `sub` that satisfies `op v`.
 * - Unassigned values (missing, null, "" for pr, [] and {}; RFC 7643 2.5): pr is false, "eq null" is true,
 *   "ne" is true, every other comparison is false.
 * - An attribute the resource type does not define: RFC 7644 section 3.4.2.1, "For filtered attributes that are
 *   not part of a particular resource type, the service provider SHALL treat the attribute as if there is no
 *   attribute value. For example, a presence or equality filter for an undefined attribute evaluates to false."
 *   So it is treated as unassigned (no error), and reported through onWarning ("filter-undefined-attribute").
 */
import { findAttribute, type ResourceSchema } from '../attributes.js';
import { isPresent, isTextType, parseDateTime, stringTest, textValueTest } from '../compare.js';
import { ScimError } from '../errors.js';
import type { AttributeDef } from '../schemas/types.js';
import type {
  AttributePath,
  ComparisonNode,
  ComparisonOperator,
  FilterLiteral,
  FilterNode,
  FilterWarning,
  PresentNode,
  ValuePathNode,
} from './ast.js';
import { formatAttributePath } from './ast.js';
import { nodePosition } from './parser.js';

export interface CompileOptions {
  /** Receives a warning for each attribute the resource type does not define (treated as unassigned). */
  onWarning?: (warning: FilterWarning) => void;
  /**
   * Receives the path of each comparison of a never-returned attribute (password) with a value: what RFC 7644
   * section 7.5.2 calls sensitive information, which a filter sent in a URI should not carry.
   */
  onNeverReturned?: (path: string) => void;
}

export type ResourcePredicate = (resource: Record<string, unknown>) => boolean;

type Obj = Record<string, unknown>;
type Predicate = (obj: Obj) => boolean;
type Read = (obj: Obj) => unknown;
type ValueTest = (value: unknown) => boolean;

/**
 * "schemas" is not an attribute of any schema (RFC 7643 section 3 defines it for every resource), but RFC 7644
 * Figure 2 filters on it: `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`.
 * Schema URIs are matched case-insensitively, as everywhere else in Scimulator.
 */
const SCHEMAS_ATTRIBUTE: AttributeDef = {
  name: 'schemas',
  type: 'reference',
  multiValued: true,
  description: 'The schema URIs of the resource (RFC 7643 section 3).',
  required: true,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'always',
  uniqueness: 'none',
};

const ORDERING: ReadonlySet<ComparisonOperator> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<ComparisonOperator> = new Set(['co', 'sw', 'ew']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasOwn = (o: Obj, name: string) => Object.prototype.hasOwnProperty.call(o, name);

/**
 * Reads a property by canonical name. Names that exist on Object.prototype ("toString" in a custom schema) are
 * read as own properties only; every other name is a plain property read, the fast path the scan relies on.
 */
function reader(name: string): Read {
  if (name in Object.prototype) return (o) => (hasOwn(o, name) ? o[name] : undefined);
  return (o) => o[name];
}

/** Reads the attribute of a target from the resource: directly, or from its extension object. */
function targetReader(name: string, extension: string | undefined): Read {
  const own = reader(name);
  if (extension === undefined) return own;
  const ext = reader(extension);
  return (o) => {
    const e = ext(o);
    return isObj(e) ? own(e) : undefined;
  };
}

const NEVER: Predicate = () => false;
const ALWAYS: Predicate = () => true;

/** Where the attributes of a path are looked up: the resource type, or the sub-attributes of a bracketed attribute. */
type Scope = { kind: 'resource' } | { kind: 'element'; parent: AttributeDef };

interface Target {
  /** Reads the attribute's raw value from the resource (or from the element, inside brackets). */
  read: Read;
  /** True when `read` is a plain `o[attribute.name]` (no extension object, not an Object.prototype name). */
  direct: boolean;
  attribute: AttributeDef;
  /** The sub-attribute named by the path (undefined when it names none, or names one that is not defined). */
  sub?: AttributeDef;
  /** The path names a sub-attribute that the attribute does not define. */
  subUndefined: boolean;
}

class Compiler {
  constructor(
    private readonly schema: ResourceSchema,
    private readonly options: CompileOptions,
  ) {}

  invalid(node: object, message: string): ScimError {
    const pos = nodePosition(node);
    return new ScimError(400, 'invalidFilter', `Invalid filter${pos ? ` at position ${pos}` : ''}: ${message}`);
  }

  warnUndefined(node: object, text: string, scope: Scope): void {
    if (!this.options.onWarning) return;
    const pos = nodePosition(node);
    const owner = scope.kind === 'resource' ? `the ${this.schema.name} resource type` : `the attribute "${scope.parent.name}"`;
    this.options.onWarning({
      code: 'filter-undefined-attribute',
      rfc: 'RFC 7644 3.4.2.1',
      detail: `The filter names "${text}"${pos ? ` at position ${pos}` : ''}, which is not defined by ${owner}; it is treated as having no value, so only "ne" comparisons and "eq null" can match it.`,
    });
  }

  compile(node: FilterNode, scope: Scope): Predicate {
    switch (node.type) {
      case 'and':
      case 'or':
        return this.logical(node.type, node, scope);
      case 'not': {
        const inner = this.compile(node.filter, scope);
        return (o) => !inner(o);
      }
      case 'valuePath':
        return this.valuePath(node, scope);
      case 'present':
      case 'comparison':
        return this.leaf(node, scope);
    }
  }

  /** and/or chains are flattened (no deep recursion at run time, and no stack overflow on long chains). */
  logical(type: 'and' | 'or', root: FilterNode, scope: Scope): Predicate {
    const operands: FilterNode[] = [];
    const stack: FilterNode[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === type) stack.push(n.right, n.left);
      else operands.push(n);
    }
    const preds = operands.map((n) => this.compile(n, scope));
    if (type === 'and') {
      if (preds.length === 2) {
        const [a, b] = preds;
        return (o) => a(o) && b(o);
      }
      return (o) => {
        for (let i = 0; i < preds.length; i++) if (!preds[i](o)) return false;
        return true;
      };
    }
    if (preds.length === 2) {
      const [a, b] = preds;
      return (o) => a(o) || b(o);
    }
    return (o) => {
      for (let i = 0; i < preds.length; i++) if (preds[i](o)) return true;
      return false;
    };
  }

  /** Resolves a path's attribute (and sub-attribute) in the scope; undefined when the attribute is not defined. */
  resolve(node: object, path: AttributePath, scope: Scope): Target | undefined {
    const text = formatAttributePath({ ...path, valueFilter: undefined });
    if (scope.kind === 'element') {
      // Inside brackets a path names a sub-attribute of the bracketed attribute; sub-attributes have no
      // sub-attributes of their own (RFC 7643 2.3.8), so a URN or a dotted path names nothing.
      const attribute = !path.urn && !path.subAttribute ? findAttribute(scope.parent.subAttributes, path.attribute) : undefined;
      if (!attribute) {
        this.warnUndefined(node, text, scope);
        return undefined;
      }
      return { read: reader(attribute.name), direct: !(attribute.name in Object.prototype), attribute, subUndefined: false };
    }
    const base = path.urn ? `${path.urn}:${path.attribute}` : path.attribute;
    const resolved = this.schema.resolve(base);
    if (!resolved) {
      if (!path.urn && path.attribute.toLowerCase() === 'schemas' && !path.subAttribute) {
        return { read: reader('schemas'), direct: true, attribute: SCHEMAS_ATTRIBUTE, subUndefined: false };
      }
      this.warnUndefined(node, text, scope);
      return undefined;
    }
    const attribute = resolved.attribute;
    const read = targetReader(attribute.name, resolved.inExtension ? resolved.schemaId : undefined);
    const direct = !resolved.inExtension && !(attribute.name in Object.prototype);
    let sub: AttributeDef | undefined;
    let subUndefined = false;
    if (path.subAttribute !== undefined) {
      sub = findAttribute(attribute.subAttributes, path.subAttribute);
      if (!sub) {
        // Also for a simple attribute ("userName.foo"): the path names nothing the resource type defines.
        subUndefined = true;
        this.warnUndefined(node, text, scope);
      }
    }
    return { read, direct, attribute, sub, subUndefined };
  }

  valuePath(node: ValuePathNode, scope: Scope): Predicate {
    const target = this.resolve(node, node.path, scope);
    if (!target || target.subUndefined) return NEVER;
    const attr = target.attribute;
    if (target.sub || attr.type !== 'complex') {
      throw this.invalid(
        node,
        `"${formatAttributePath(node.path)}" is not a complex attribute; a value filter "[...]" applies to complex attributes such as emails or members`,
      );
    }
    const inner = this.compile(node.filter, { kind: 'element', parent: attr });
    const read = target.read;
    const name = attr.name;
    const direct = target.direct;
    return (o) => {
      const v = direct ? o[name] : read(o);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const el = v[i];
          if (isObj(el) && inner(el)) return true;
        }
        return false;
      }
      return isObj(v) && inner(v);
    };
  }

  leaf(node: ComparisonNode | PresentNode, scope: Scope): Predicate {
    const path = node.path;
    const op = node.type === 'present' ? 'pr' : node.operator;
    const literal: FilterLiteral | undefined = node.type === 'comparison' ? node.value : undefined;
    if (literal === null && op !== 'eq' && op !== 'ne') {
      throw this.invalid(node, `null can only be compared with eq or ne ("${formatAttributePath(path)} ${op} null" has no meaning)`);
    }
    // "x eq null" is true when x has no value, "x ne null" when it has one (RFC 7643 2.5).
    const presence = op === 'pr' || literal === null;
    const negate = literal === null && op === 'eq';

    const target = this.resolve(node, path, scope);
    if (!target) {
      // Undefined attribute: no value (RFC 7644 3.4.2.1).
      if (presence) return negate ? ALWAYS : NEVER;
      return op === 'ne' ? ALWAYS : NEVER;
    }
    const { attribute, read } = target;
    const filter = path.valueFilter;
    if (filter && attribute.type !== 'complex') {
      throw this.invalid(node, `"${attribute.name}" is not a complex attribute; a value filter "[...]" applies to complex attributes such as emails or members`);
    }
    const elementFilter = filter ? this.compile(filter, { kind: 'element', parent: attribute }) : undefined;

    // The definition of the compared values, and how to read them from an element of a complex attribute.
    let leafDef: AttributeDef | undefined;
    let subRead: Read | undefined;
    if (target.sub) {
      leafDef = target.sub;
      subRead = reader(target.sub.name);
    } else if (target.subUndefined) {
      leafDef = undefined;
      subRead = () => undefined;
    } else if (attribute.type === 'complex' && !presence) {
      const value = findAttribute(attribute.subAttributes, 'value');
      if (!value) {
        const subs = (attribute.subAttributes ?? []).map((s) => `${attribute.name}.${s.name}`).join(', ');
        throw this.invalid(
          node,
          `"${attribute.name}" is a complex attribute without a "value" sub-attribute, so it cannot be compared directly; name a sub-attribute${subs ? ` (${subs})` : ''}`,
        );
      }
      leafDef = value;
      subRead = reader(value.name);
    } else {
      leafDef = attribute;
    }

    // A never-returned attribute (password, RFC 7643 section 7: "A service provider MAY allow attributes to be used
    // in a search filter") is compared for equality only, as RFC 7643 4.1.1 says of password ("compare (i.e., filter
    // for equality)"): co, sw, ew and the orderings would reveal it a character at a time.
    if (!presence && (attribute.returned === 'never' || leafDef?.returned === 'never')) {
      const name = formatAttributePath({ ...path, valueFilter: undefined });
      if (op !== 'eq' && op !== 'ne') {
        throw this.invalid(node, `"${name}" is never returned (returned: never), and a filter may compare it for equality only (RFC 7643 section 4.1.1: "compare (i.e., filter for equality) a password"); use eq or ne, or pr to test that it is set`);
      }
      this.options.onNeverReturned?.(name);
    }

    let slot: ValueTest;
    const unassigned = !presence && op === 'ne';
    if (presence) {
      slot = slotTest(isPresent, false);
    } else if (!leafDef) {
      // A sub-attribute the schema does not define: never assigned.
      slot = slotTest(() => false, unassigned);
    } else if (isTextType(leafDef.type) && typeof literal === 'string') {
      this.valueTest(node as ComparisonNode, leafDef, op as ComparisonOperator, literal);
      slot = textValueTest(op as ComparisonOperator, literal, leafDef.caseExact);
    } else {
      slot = slotTest(this.valueTest(node as ComparisonNode, leafDef, op as ComparisonOperator, literal as string | number | boolean), unassigned);
    }

    let pred: Predicate;
    const name = attribute.name;
    const direct = target.direct;
    if (!subRead) {
      // A simple attribute, or presence of a whole complex attribute.
      if (presence && attribute.type === 'complex') {
        pred = (o) => isPresent(read(o));
      } else if (direct) {
        pred = (o) => slot(o[name]);
      } else {
        pred = (o) => slot(read(o));
      }
    } else {
      pred = complexTest(direct ? undefined : read, name, subRead, slot, unassigned, elementFilter);
    }
    if (negate) {
      const p = pred;
      return (o) => !p(o);
    }
    return pred;
  }

  /** The test of one assigned, non-array value against `op literal`, after checking the combination is legal. */
  valueTest(node: ComparisonNode, def: AttributeDef, op: ComparisonOperator, literal: string | number | boolean): ValueTest {
    const name = formatAttributePath({ ...node.path, valueFilter: undefined });
    const type = def.type;
    if (type === 'complex') {
      throw this.invalid(node, `"${name}" is a complex attribute and cannot be compared directly; name one of its sub-attributes`);
    }
    if (ORDERING.has(op) && (type === 'boolean' || type === 'binary')) {
      throw this.invalid(node, `"${op}" is not defined for the ${type} attribute "${name}" (RFC 7644 3.4.2.2: boolean and binary attributes support eq, ne and pr only)`);
    }
    if (SUBSTRING.has(op) && type !== 'string' && type !== 'reference') {
      throw this.invalid(node, `"${op}" needs a string attribute, but "${name}" is of type ${type}; use eq, ne, gt, ge, lt or le`);
    }
    const mismatch = (wanted: string, example: string) =>
      this.invalid(node, `"${name}" is of type ${type}; compare it with ${wanted} such as ${example}, not ${JSON.stringify(literal)}`);
    switch (type) {
      case 'string':
      case 'reference':
      case 'binary': {
        if (typeof literal !== 'string') throw mismatch('a quoted string', JSON.stringify(String(literal)));
        const t = stringTest(op, literal, def.caseExact);
        return op === 'ne' ? (v) => typeof v !== 'string' || t(v) : (v) => typeof v === 'string' && t(v);
      }
      case 'dateTime': {
        const instant = typeof literal === 'string' ? parseDateTime(literal) : undefined;
        if (instant === undefined) {
          throw this.invalid(
            node,
            `"${name}" is a dateTime; compare it with a quoted xsd:dateTime such as "2011-05-13T04:42:34Z", not ${JSON.stringify(literal)}`,
          );
        }
        const cmp = numberCompare(op, instant);
        return (v) => {
          const t = typeof v === 'string' ? parseDateTime(v) : undefined;
          return t === undefined ? op === 'ne' : cmp(t);
        };
      }
      case 'integer':
      case 'decimal': {
        if (typeof literal !== 'number') throw mismatch('a number', '42');
        const cmp = numberCompare(op, literal);
        return (v) => (typeof v === 'number' ? cmp(v) : op === 'ne');
      }
      case 'boolean': {
        if (typeof literal !== 'boolean') throw mismatch('true or false', 'true');
        return op === 'eq' ? (v) => v === literal : (v) => v !== literal;
      }
    }
  }
}

function numberCompare(op: ComparisonOperator, lit: number): (v: number) => boolean {
  switch (op) {
    case 'eq':
      return (v) => v === lit;
    case 'ne':
      return (v) => v !== lit;
    case 'gt':
      return (v) => v > lit;
    case 'ge':
      return (v) => v >= lit;
    case 'lt':
      return (v) => v < lit;
    case 'le':
      return (v) => v <= lit;
    default:
      // co/sw/ew are rejected before this point.
      return () => false;
  }
}

/**
 * Applies a value test to an attribute value that may be unassigned or multi-valued: any assigned value that
 * passes matches; an unassigned value (missing, null, or an array without values) gives `unassigned`.
 * (Text attributes compared with a string use compare.ts's textValueTest.)
 */
function slotTest(test: ValueTest, unassigned: boolean): ValueTest {
  return (v) => {
    if (v === undefined || v === null) return unassigned;
    if (!Array.isArray(v)) return test(v);
    let any = false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === undefined || x === null) continue;
      any = true;
      if (test(x)) return true;
    }
    return any ? false : unassigned;
  };
}

/**
 * A test on a sub-attribute of a complex attribute (single- or multi-valued): some element (that satisfies the
 * value filter, if there is one) has a sub-attribute value that passes. Without elements the attribute is
 * unassigned; with a value filter, no element means no match.
 */
function complexTest(
  read: Read | undefined,
  name: string,
  subRead: Read,
  slot: ValueTest,
  unassigned: boolean,
  filter?: Predicate,
): Predicate {
  const whenEmpty = filter ? false : unassigned;
  if (filter) {
    return (o) => {
      const v = read ? read(o) : o[name];
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const el = v[i];
          if (isObj(el) && filter(el) && slot(subRead(el))) return true;
        }
        return false;
      }
      return isObj(v) && filter(v) && slot(subRead(v));
    };
  }
  return (o) => {
    const v = read ? read(o) : o[name];
    if (Array.isArray(v)) {
      let any = false;
      for (let i = 0; i < v.length; i++) {
        const el = v[i];
        if (!isObj(el)) continue;
        any = true;
        if (slot(subRead(el))) return true;
      }
      return any ? false : whenEmpty;
    }
    if (isObj(v)) return slot(subRead(v));
    return whenEmpty;
  };
}

/**
 * Compiles a parsed filter for one resource type. Throws ScimError 400 invalidFilter for combinations the schema
 * does not allow (gt on a boolean, co on a number, comparing a complex attribute, a string compared with a
 * number attribute, an invalid dateTime literal...). Compile once per request, then run the predicate per resource.
 */
export function compileFilter(node: FilterNode, schema: ResourceSchema, options: CompileOptions = {}): ResourcePredicate {
  return new Compiler(schema, options).compile(node, { kind: 'resource' });
}
