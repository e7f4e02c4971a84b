/**
 * The filter AST (RFC 7644 section 3.4.2.2, Figure 1). Attribute names are kept as written; the evaluator resolves
 * them against the schema case-insensitively.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A compValue: JSON false / null / true / number / string. */
export type FilterLiteral = string | number | boolean | null;

/**
 * attrPath = [URI ":"] ATTRNAME *1subAttr, plus (only in filters and PATCH paths) a value filter between the
 * attribute and the sub-attribute: `emails[type eq "work"].value`.
 */
export interface AttributePath {
  /** The schema URN before the last ":", as written (e.g. "urn:ietf:params:scim:schemas:core:2.0:User"). */
  urn?: string;
  /** The attribute name, as written. */
  attribute: string;
  /** The bracketed filter of `attribute[...]` when a sub-attribute follows the bracket. */
  valueFilter?: FilterNode;
  /** The sub-attribute name, as written. */
  subAttribute?: string;
}

/** `attrPath op value` */
export interface ComparisonNode {
  type: 'comparison';
  path: AttributePath;
  operator: ComparisonOperator;
  value: FilterLiteral;
}

/** `attrPath pr` */
export interface PresentNode {
  type: 'present';
  path: AttributePath;
}

/** `left and right`, `left or right` (left-associative, "and" binds tighter than "or"). */
export interface LogicalNode {
  type: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
}

/** `not (filter)` */
export interface NotNode {
  type: 'not';
  filter: FilterNode;
}

/** `attrPath[valFilter]`: one and the same element of the attribute must satisfy `filter`. */
export interface ValuePathNode {
  type: 'valuePath';
  path: AttributePath;
  filter: FilterNode;
}

export type FilterNode = ComparisonNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

/** The result of parsing a PATCH "path" (RFC 7644 section 3.5.2: PATH = attrPath / valuePath [subAttr]). */
export interface PatchPath {
  /** The attribute path before any bracket, as written: "members", "name.familyName", "urn:...:User:manager". */
  attributePath: string;
  /** The value filter of `attributePath[...]`. */
  filter?: FilterNode;
  /** The sub-attribute after the bracket: "value" in `emails[type eq "work"].value`. */
  subAttribute?: string;
}

/** A conformance warning (the lenient profile accepts the input but reports the deviation). */
export interface FilterWarning {
  code: string;
  rfc: string;
  detail: string;
}

/** The text of an attribute path without its value filter: "urn:...:User:name.givenName". */
export function formatAttributePath(path: AttributePath): string {
  const base = path.urn ? `${path.urn}:${path.attribute}` : path.attribute;
  if (path.valueFilter) return `${base}[${formatFilter(path.valueFilter)}]${path.subAttribute ? '.' + path.subAttribute : ''}`;
  return path.subAttribute ? `${base}.${path.subAttribute}` : base;
}

function formatLiteral(value: FilterLiteral): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Serialises a filter back to RFC 7644 syntax, with parentheses wherever the tree needs them. */
export function formatFilter(node: FilterNode): string {
  switch (node.type) {
    case 'comparison':
      return `${formatAttributePath(node.path)} ${node.operator} ${formatLiteral(node.value)}`;
    case 'present':
      return `${formatAttributePath(node.path)} pr`;
    case 'valuePath':
      return `${formatAttributePath(node.path)}[${formatFilter(node.filter)}]`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'and':
    case 'or': {
      const side = (child: FilterNode, right: boolean) => {
        const text = formatFilter(child);
        // "or" under "and" needs parentheses; so does a right-hand child of the same operator (left-associative).
        const wrap = (node.type === 'and' && child.type === 'or') || (right && child.type === node.type);
        return wrap ? `(${text})` : text;
      };
      return `${side(node.left, false)} ${node.type} ${side(node.right, true)}`;
    }
  }
}
