/**
 * The compact form of stored resources: plain JSON objects whose strings are flat and shared. A resource that
 * arrives as JSON (a POST or PUT body, a PATCH value, a snapshot or data file) holds its own copy of every string,
 * though most of them repeat across resources (schema URNs, addresses, titles, departments, group member ids
 * and names); a 100,000-user directory parsed from JSON costs about 40 % more than the same users with shared
 * strings. Compacting replaces every string by the one copy V8 keeps in its string table (the internalized
 * string): equal strings become one string, and the table holds them weakly, so a string no resource uses any
 * more is freed. The generator builds its directory compact (flat strings, shared by reference), so seeding does
 * not pay for this walk.
 *
 * Compacting changes no value: it writes each string back as an equal string, so it may run in place on
 * objects a previous version or the seed state shares.
 */
import { flat } from '../scim/strings.js';

/** Strings longer than this are flattened, not shared: long values (certificates, photos as data) rarely repeat. */
const MAX_SHARED_LENGTH = 256;

/** A dictionary-mode object used to internalize keys: a string stored as a property name is internalized. */
const names: Record<string, number> = Object.create(null);

/** The process-wide shared copy of a string (equal to it). */
export function share(text: string): string {
  if (text.length > MAX_SHARED_LENGTH) return flat(text);
  names[text] = 0;
  let shared = text;
  // The object has exactly this one property, and its name is the internalized string.
  for (const name in names) shared = name;
  delete names[text];
  return shared;
}

/** Shared `schemas` lists (a few per resource type), by their URNs. */
const schemaLists = new Map<string, readonly string[]>();
const MAX_SCHEMA_LISTS = 256;

/** One frozen list for every resource with the same `schemas` (nothing changes a stored value in place). */
function shareSchemas(list: unknown): unknown {
  if (!Array.isArray(list) || !list.every((urn) => typeof urn === 'string')) return compactValue(list);
  const key = list.join('\n');
  let shared = schemaLists.get(key);
  if (shared === undefined) {
    if (schemaLists.size >= MAX_SCHEMA_LISTS) return compactValue(list);
    shared = Object.freeze(list.map(share));
    schemaLists.set(key, shared);
  }
  return shared;
}

/** Compacts a JSON value in place (arrays and objects) and returns it (strings are returned shared). */
export function compactValue<T>(value: T): T {
  if (typeof value === 'string') return share(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (typeof element === 'string') value[i] = share(element);
      else if (typeof element === 'object' && element !== null) compactValue(element);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const element = obj[key];
    if (typeof element === 'string') obj[key] = share(element);
    else if (typeof element === 'object' && element !== null) compactValue(element);
  }
  return value;
}

/**
 * Compacts a resource that replaces `previous`: attributes it shares with `previous` (the same value, as PATCH
 * leaves untouched attributes) are compact already and skipped; of the list `appendedTo`, only the last
 * `appended` elements are new (a PATCH adding members to a large group costs the added members only). An element
 * new elsewhere in that list stays as it arrived: it costs memory, never correctness.
 */
export function compactResource(resource: Record<string, unknown>, previous?: Record<string, unknown>, appendedTo?: string, appended?: number): void {
  for (const key of Object.keys(resource)) {
    // An id is unique and flat already (sharing it would only add an entry to the string table).
    if (key === 'id') continue;
    const value = resource[key];
    // (The appended list may be the previous version's own list, grown in place: see MemoryStore.appendToList.)
    if (key === appendedTo && appended !== undefined && Array.isArray(value)) {
      for (let i = Math.max(0, value.length - appended); i < value.length; i++) value[i] = compactValue(value[i]);
      continue;
    }
    if (previous !== undefined && previous[key] === value) continue;
    if (key === 'schemas') resource[key] = shareSchemas(value);
    else if (typeof value === 'string') resource[key] = share(value);
    else compactValue(value);
  }
}
