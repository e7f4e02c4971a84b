/**
 * The compact form of stored resources: plain JSON objects whose strings are flat and shared. A resource that
 * arrives as JSON (a POST or PUT body, a PATCH value, a snapshot or data file) holds its own copy of every string,
 * though many of them repeat across resources (schema URNs, addresses, titles, departments, group member ids and
 * names): a 100,000-user document parsed from JSON costs about 55 % more heap than the same users with shared
 * strings. Compacting replaces each string by one shared copy, and every `schemas` list by one shared list.
 *
 * - A write (the store's put) shares strings through V8's string table (the internalized copy of a string):
 *   equal strings of all resources become one, and the table holds them weakly, so a string no resource uses any
 *   more is freed.
 * - Loading a document shares the strings within that document through a Map used for the load only: as good
 *   for a document (whose repeats are within it), and neither slower nor leaving millions of entries in the
 *   string table.
 * - The generator builds its directory compact (flat strings, shared by reference): seeding does not walk it.
 *
 * Compacting changes no value: it writes each string back as an equal string, so it may run in place on objects
 * a previous version or the seed state shares.
 */
import { flat } from '../scim/strings.js';

/** Returns a shared string equal to `text`. */
export type Share = (text: string) => string;

/**
 * Strings this short are shared already when they come from JSON.parse (V8 internalizes short string values);
 * strings this long are flattened, not shared: long values (certificates, photos as data) rarely repeat.
 */
const SHARED_BY_JSON_PARSE = 10;
const MAX_SHARED_LENGTH = 256;

/** A dictionary-mode object used to internalize strings: a string stored as a property name is internalized. */
const names: Record<string, number> = Object.create(null);

/** The process-wide shared (internalized) copy of a string. */
export const shareInterned: Share = (text) => {
  if (text.length <= SHARED_BY_JSON_PARSE) return text;
  if (text.length > MAX_SHARED_LENGTH) return flat(text);
  names[text] = 0;
  let shared = text;
  // The object has exactly this one property, and its name is the internalized string.
  for (const name in names) shared = name;
  delete names[text];
  return shared;
};

/** Shares strings among the values compacted with it: the first of equal strings (`seen` grows with them). */
export function sharedWithin(seen: Map<string, string>): Share {
  return (text) => {
    if (text.length <= SHARED_BY_JSON_PARSE || text.length > MAX_SHARED_LENGTH) return text;
    const shared = seen.get(text);
    if (shared !== undefined) return shared;
    seen.set(text, text);
    return text;
  };
}

/** Compacts a JSON value in place (arrays and objects) and returns it (strings are returned shared). */
export function compactValue<T>(value: T, share: Share = shareInterned): T {
  if (typeof value === 'string') return share(value) as T;
  // Frozen values are shared ones (the generator's), compact already.
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element === 'string') value[i] = share(element);
      else if (typeof element === 'object' && element !== null) compactValue(element, share);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const element = obj[key];
    if (typeof element === 'string') obj[key] = share(element);
    else if (typeof element === 'object' && element !== null) compactValue(element, share);
  }
  return value;
}

/** Shared `schemas` lists (a few per resource type), by their URNs. */
const schemaLists = new Map<string, readonly string[]>();
const MAX_SCHEMA_LISTS = 256;

/** One frozen list for every resource with the same `schemas` (nothing changes a stored value in place). */
function shareSchemas(list: unknown, share: Share): unknown {
  if (!Array.isArray(list) || !list.every((urn) => typeof urn === 'string')) return compactValue(list, share);
  const key = list.join('\n');
  let shared = schemaLists.get(key);
  if (shared === undefined) {
    if (schemaLists.size >= MAX_SCHEMA_LISTS) return compactValue(list, share);
    shared = Object.freeze(list.map(shareInterned));
    schemaLists.set(key, shared);
  }
  return shared;
}

export interface CompactOptions {
  /** The version this resource replaces: attributes it shares with it (the same value) are compact already. */
  previous?: Record<string, unknown>;
  /** Of this list, only the last `appended` elements are new (a PATCH adding members to a large group). */
  appendedTo?: string;
  appended?: number;
  share?: Share;
}

/**
 * Compacts a resource in place. With `previous`, attributes PATCH left untouched are skipped; with `appendedTo`,
 * only the new elements of that list are compacted, so adding a member to a large group costs that member only
 * (an element new elsewhere in that list stays as it arrived: it costs memory, never correctness).
 */
export function compactResource(resource: Record<string, unknown>, options: CompactOptions = {}): void {
  const { previous, appendedTo, appended, share = shareInterned } = options;
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    if (key === 'id') {
      // An id is flat and unique among stored resources: in the string table it would only add an entry. Within
      // a document, the ids that members and managers repeat are shared with it.
      if (share !== shareInterned && typeof value === 'string') resource[key] = share(value);
      continue;
    }
    // (The appended list may be the previous version's own list, grown in place: see MemoryStore.editList.)
    if (key === appendedTo && appended !== undefined && Array.isArray(value)) {
      for (let i = Math.max(0, value.length - appended); i < value.length; i++) value[i] = compactMember(value[i], share);
      continue;
    }
    if (previous !== undefined && previous[key] === value) continue;
    if (key === 'schemas') resource[key] = shareSchemas(value, share);
    else if (key === 'members' && Array.isArray(value)) for (const member of value) compactMember(member, share);
    else if (typeof value === 'string') resource[key] = share(value);
    else compactValue(value, share);
  }
}

/** A group member, but its `value`: the store makes that the member's own id string (MemoryStore.shareMemberId). */
function compactMember(member: unknown, share: Share): unknown {
  if (typeof member !== 'object' || member === null || Array.isArray(member) || Object.isFrozen(member)) return compactValue(member, share);
  const obj = member as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (key !== 'value') obj[key] = compactValue(obj[key], share);
  return member;
}
