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

/**
 * Whether `text.slice(start, end).toLowerCase() === lower` (`lower` being in lower case), without making either
 * string when the characters are ASCII (case-insensitive lookups compare many names and paths per request). A
 * non-ASCII character takes the exact way: toLowerCase can change a string's length ("İ" becomes two characters).
 */
export function isLowerCaseOf(text: string, lower: string, start = 0, end = text.length): boolean {
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c > 0x7f) return text.slice(start, end).toLowerCase() === lower;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i - start)) return false;
  }
  return end - start === lower.length;
}

/** A percent-decoded URI path segment; undefined when its percent-encoding is malformed. */
export function decodeSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
