/**
 * Index planner: finds an equality the store can answer from a unique index, so a lookup such as
 * `userName eq "bjensen"` (what every IdP sends before creating a user) costs O(1) instead of a scan.
 */
import type { ResourceSchema } from '../attributes.js';
import type { FilterNode } from './ast.js';

export interface IndexPlan {
  /** Canonical attribute name, one of the `indexed` names ("userName", "externalId", ...). */
  attribute: string;
  /** The literal as written in the filter (the store applies the attribute's case rules). */
  value: string;
}

/**
 * Returns an `eq` comparison with a string literal on one of the `indexed` attributes (canonical names, e.g.
 * ["id", "userName", "externalId"]), found at the top level of the filter or as one operand of a top-level chain of
 * "and"s. When several qualify, the attribute listed first in `indexed` wins. The caller must still apply the whole
 * compiled filter to the candidates the index returns. Returns undefined when the filter needs a scan.
 */
export function planFilter(node: FilterNode, schema: ResourceSchema, indexed: readonly string[]): IndexPlan | undefined {
  const found = new Map<string, string>();
  const stack: FilterNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'and') {
      stack.push(n.right, n.left);
      continue;
    }
    if (n.type !== 'comparison' || n.operator !== 'eq' || typeof n.value !== 'string') continue;
    if (n.path.valueFilter) continue;
    const base = n.path.urn ? `${n.path.urn}:${n.path.attribute}` : n.path.attribute;
    const resolved = schema.resolve(n.path.subAttribute ? `${base}.${n.path.subAttribute}` : base);
    if (!resolved) continue;
    if (!found.has(resolved.canonicalPath)) found.set(resolved.canonicalPath, n.value);
  }
  for (const attribute of indexed) {
    const value = found.get(attribute);
    if (value !== undefined) return { attribute, value };
  }
  return undefined;
}
