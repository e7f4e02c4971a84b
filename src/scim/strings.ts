/**
 * Strings as the store keeps them. V8 represents a concatenation (`a + b`, a template literal) of 13 or more
 * characters as a tree of its pieces (a "cons string"): about three times the memory of its characters, and every
 * scan of it (endsWith, a case-insensitive compare) walks the tree or flattens it first. Reading one character
 * flattens the tree in place, and the next garbage collection of young objects drops the tree and keeps the flat
 * characters. So every string the server builds by concatenation and keeps (ids, generated names, timestamps) goes
 * through `flat` once, right after it is made.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
