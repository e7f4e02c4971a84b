/**
 * The journal query's `text` condition: a string that occurs, case-insensitively, in what a text search reads of an
 * entry (StoredEntry.containsText). Entries keep their texts as UTF-8 bytes on pages (src/journal/pages.ts); a
 * search reads those bytes as they are, without parsing any body.
 *
 * Case: both sides are compared after String.prototype.toLowerCase(). For a needle of ASCII characters the bytes
 * are read as Latin-1 (one character per byte, the cheapest string V8 makes): every byte of a multi-byte UTF-8
 * sequence is 0x80 or above and lower-cases to a character that is too, so it never matches an ASCII character,
 * and an ASCII match in those characters is exactly a match in the UTF-8 text. A needle with no letter is looked
 * for in the bytes directly (no string made at all).
 */

/** At most this many characters (a search box, not a document). */
export const MAX_TEXT_LENGTH = 1024;

export class TextNeedle {
  /** The needle, lower case. */
  readonly lower: string;
  /** Only ASCII characters: searched in a Latin-1 reading of the bytes. */
  private readonly ascii: boolean;
  /** No character that has a case: searched in the bytes as they are. */
  private readonly bytes: Buffer | undefined;
  /**
   * The longest part of the needle between colons, without surrounding spaces: what a header search needs to find in
   * the stored `name value` text before it decodes the headers into "name: value" lines ('' when nothing is left).
   */
  readonly headerProbe: TextNeedle | undefined;
  /**
   * How the needle reads inside a JSON string when it holds what JSON escapes: `"` and `\` (`\"`, `\\`), control
   * characters, and (as clients that write ASCII-only JSON send them, Python's json.dumps among them) characters
   * beyond ASCII as `\uXXXX`; and, for a needle holding `":`, with and without a space after that colon. Looked for
   * in the bodies besides the needle itself.
   */
  private readonly escaped: TextNeedle[] = [];
  /** Printable ASCII without a character JSON escapes as "\\x" ('"', '\\', '/'). */
  private readonly plain: boolean;

  constructor(text: string, probe = true) {
    this.lower = text.toLowerCase();
    this.ascii = /^[\x00-\x7f]*$/.test(this.lower);
    this.plain = /^[\x20-\x7e]*$/.test(this.lower) && !/["\\/]/.test(this.lower);
    this.bytes = this.lower === text.toUpperCase() ? Buffer.from(this.lower, 'utf8') : undefined;
    let longest = '';
    if (probe) for (const part of this.lower.split(':')) if (part.trim().length > longest.length) longest = part.trim();
    this.headerProbe = longest === this.lower ? this : longest === '' ? undefined : new TextNeedle(longest, false);
    if (probe) {
      const json = JSON.stringify(this.lower).slice(1, -1);
      const ascii = json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      // A member copied from a body shown pretty-printed ("op": "add") and sent compact ("op":"add"), or the other
      // way round: the spacing after a member name's colon is not what anyone searches for.
      const compact = this.lower.replace(/"\s*:\s*/g, '":');
      const spaced = compact.replace(/":/g, '": ');
      for (const v of new Set([json, ascii, compact, spaced])) if (v !== this.lower) this.escaped.push(new TextNeedle(v, false));
    }
  }

  /** Whether the needle occurs in the JSON (or other) text of a body, bytes[from, to): as it is, or escaped. */
  inBody(bytes: Buffer, from: number, to: number): boolean {
    if (this.inBytes(bytes, from, to)) return true;
    for (let i = 0; i < this.escaped.length; i++) if (this.escaped[i]!.inBytes(bytes, from, to)) return true;
    // Escapes the spellings above do not foresee: "\/" (PHP's json_encode writes every "/" so), a letter beyond ASCII
    // escaped in the other case ("\u00C9ric" for a needle "éric"), any character escaped. A body holding a backslash
    // is read once more with its JSON escapes decoded, as the entry shows it.
    const range = bytes.subarray(from, to);
    if (!range.includes(0x5c)) return false;
    // A needle of printable ASCII without '"', '\\' or '/' can only be spelled differently by a \u00XX escape of
    // an ASCII character: bodies whose only escapes are others (a "\n" in every seeded address) are not decoded.
    if (this.plain && !range.includes(ESCAPED_ASCII)) return false;
    return this.inString(decodeJsonEscapes(bytes.toString('utf8', from, to)));
  }

  /** Whether the needle occurs in `text`. */
  inString(text: string): boolean {
    return text.toLowerCase().includes(this.lower);
  }

  /** Whether the needle occurs in the UTF-8 text of bytes[from, to). */
  inBytes(bytes: Buffer, from: number, to: number): boolean {
    if (this.bytes !== undefined) {
      // Within the range only: indexOf on the page itself would read on to the page's end when there is no match.
      return to - from >= this.bytes.length && bytes.subarray(from, to).indexOf(this.bytes) >= 0;
    }
    if (this.ascii) return to - from >= this.lower.length && bytes.toString('latin1', from, to).toLowerCase().includes(this.lower);
    return this.inString(bytes.toString('utf8', from, to));
  }
}

/** How JSON escapes a character below U+0100 as \uXXXX (an ASCII one among them). */
const ESCAPED_ASCII = Buffer.from('\\u00');

const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text with its string escapes (RFC 8259 section 7) decoded; read left to right, so "\\u0041" stays "\u0041". */
export function decodeJsonEscapes(text: string): string {
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g, (_m, hex: string | undefined, short: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : SHORT_ESCAPES[short!]!,
  );
}
