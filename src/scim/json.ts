/** Small helpers for reading client JSON, shared by validation, PATCH and Bulk. */
import { badRequest } from './errors.js';

/** How a value reads in an error detail: `null`, `an array`, `an object`, `string "x"`, `number 4`. */
export const describeValue = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;

/** Maps lower-cased member names to the names as written; two spellings of one name are 400 invalidSyntax. */
export function memberNames(obj: Record<string, unknown>, where: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const lower = key.toLowerCase();
    const seen = names.get(lower);
    if (seen !== undefined) throw badRequest('invalidSyntax', `${where} has both "${seen}" and "${key}"; send each member once.`);
    names.set(lower, key);
  }
  return names;
}
