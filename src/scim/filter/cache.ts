/**
 * Filters parsed once. A connector repeats the same few filters (an IdP's `userName eq "..."` probe per user, a
 * sync's paging), and both the SCIM routes and the profile layer parse each request's filter: parsing is pure, so a
 * parsed filter is kept, bounded, with the warnings its parse gave, which every later use gets again (as copies: a
 * warning belongs to its request). Parse errors are not kept: they are thrown again.
 */
import type { FilterNode, FilterWarning } from './ast.js';
import { parseFilter, type ParseOptions } from './parser.js';

/** Entries kept per cache; past it the cache starts again (a connector's working set is far below it). */
export const MAX_CACHED_FILTERS = 1024;

/** Sets `key` in a bounded cache and returns `value`. */
export function keepBounded<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_CACHED_FILTERS) cache.clear();
  cache.set(key, value);
  return value;
}

const parsedFilters = new Map<string, { ast: FilterNode; warnings: FilterWarning[] }>();

/**
 * parseFilter(), from the cache when the same text was parsed with the same options. The AST is shared: callers
 * must not change it (nothing does: compile, plan, format and checks only read it).
 */
export function parseFilterCached(text: string, options: ParseOptions = {}): FilterNode {
  const key = `${options.allowUnquotedStrings === true ? 'u' : ''}:${options.maxLength ?? ''}:${options.maxDepth ?? ''}:${text}`;
  let parsed = parsedFilters.get(key);
  if (parsed === undefined) {
    const warnings: FilterWarning[] = [];
    const ast = parseFilter(text, { ...options, onWarning: (w) => warnings.push(w) });
    parsed = keepBounded(parsedFilters, key, { ast, warnings });
  }
  const { onWarning } = options;
  if (onWarning) for (const w of parsed.warnings) onWarning({ ...w });
  return parsed.ast;
}
