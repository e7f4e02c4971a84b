/**
 * The journal query's `text` condition: a string that occurs, case-insensitively, in what a text search reads of an
 * entry (StoredEntry.containsText). Entries keep their texts as UTF-8 bytes on pages (src/journal/pages.ts); a
 * search reads those bytes as they are, without parsing any body.
 *
 * Case: both sides are compared after String.prototype.toLowerCase(), and that is the reference each shortcut below
 * keeps to. For a needle of ASCII characters the bytes are read as Latin-1 (one character per byte, the cheapest
 * string V8 makes): every byte of a multi-byte UTF-8 sequence is 0x80 or above and lower-cases to a character that
 * is too, so it never matches an ASCII character, and an ASCII match in those characters is a match in the UTF-8
 * text. The converse has two exceptions, the only characters beyond ASCII whose lower case holds ASCII: the Kelvin
 * sign U+212A lower-cases to "k", and U+0130 (capital I with dot) to "i" and U+0307; a text holding either (or its
 * \uXXXX escape in a body) is read once more as UTF-8 for a needle they can complete. A needle with no letter is
 * looked for in the bytes directly (no string made at all).
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
  /**
   * For a needle that is not plain: its longest part without '"', '\\', '/' or a control character, which a body
   * without \uXXXX escapes holds as it is wherever it shows the needle decoded (undefined when there is none; the
   * needle itself when it is all such a part: a needle beyond ASCII).
   */
  private readonly rawPart: TextNeedle | undefined;
  /** Holds "k", which the Kelvin sign (U+212A, UTF-8 e2 84 aa) lower-cases to. */
  private readonly kelvin: boolean;
  /** Ends with "i": U+0130 (UTF-8 c4 b0) lower-cases to "i" and U+0307, which an ASCII needle can only end before. */
  private readonly dottedI: boolean;
  /** An ASCII needle as bytes, lower case, for header text read in place (mayBeInHeaders); else undefined. */
  private readonly fold: Uint8Array | undefined;
  /** Per byte of `fold`: 0x20 for a letter (its upper case is the byte without that bit), else 0. */
  private readonly foldMask: Uint8Array | undefined;
  /**
   * What mayBeInHeaders does at each byte value: SKIP, FIRST (the needle's first character, in either case: compare
   * the rest) or MAYBE (the text may show the needle once decoded: a backslash, or a byte beyond ASCII when that
   * can matter).
   */
  private readonly headerScan: Uint8Array;

  constructor(text: string, probe = true) {
    this.lower = text.toLowerCase();
    this.ascii = /^[\x00-\x7f]*$/.test(this.lower);
    this.plain = /^[\x20-\x7e]*$/.test(this.lower) && !/["\\/]/.test(this.lower);
    this.kelvin = this.ascii && this.lower.includes('k');
    this.dottedI = this.ascii && this.lower.endsWith('i');
    // A needle without case, but for U+0307, which the lower case of U+0130 holds: that one is read as text.
    this.bytes = this.lower === text.toUpperCase() && !this.lower.includes('\u0307') ? Buffer.from(this.lower, 'utf8') : undefined;
    this.headerScan = new Uint8Array(256);
    if (this.ascii) {
      this.fold = Buffer.from(this.lower, 'latin1');
      this.foldMask = this.fold.map((b) => (b >= 0x61 && b <= 0x7a ? 0x20 : 0));
      if (this.fold.length > 0) {
        this.headerScan[this.fold[0]!] = FIRST;
        if (this.foldMask[0] !== 0) this.headerScan[this.fold[0]! & ~0x20] = FIRST;
      }
      this.headerScan[0x5c] = MAYBE;
      if (this.kelvin || this.dottedI) this.headerScan.fill(MAYBE, 0x80);
    } else {
      this.headerScan.fill(MAYBE, 0x80);
    }
    // The longest part between colons and line ends: a header's lines ("name: value") are kept as name and value.
    let longest = '';
    if (probe) for (const part of this.lower.split(/[:\n]/)) if (part.trim().length > longest.length) longest = part.trim();
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
    let raw = '';
    if (probe && !this.plain) for (const part of this.lower.split(/["\\/\x00-\x1f]/)) if (part.length > raw.length) raw = part;
    this.rawPart = raw === '' ? undefined : raw === this.lower ? this : new TextNeedle(raw, false);
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
    // For a needle U+212A or U+0130 can complete, any \uXXXX escape is read (one look, not one per character).
    if (this.plain && !range.includes(this.kelvin || this.dottedI ? ESCAPED_ANY : ESCAPED_ASCII)) return false;
    // Any other needle: a body whose only escapes are those of '"', '\\', '/' and control characters shows the
    // needle decoded only where it holds the rest of it as it is (the needle's longest such part, looked for first).
    const rawPart = this.rawPart;
    if (rawPart !== undefined && !range.includes(ESCAPED_ANY) && (rawPart === this || !rawPart.inBytes(bytes, from, to))) return false;
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
    if (this.ascii) {
      if (to - from < this.lower.length) return false;
      const text = bytes.toString('latin1', from, to).toLowerCase();
      if (text.includes(this.lower)) return true;
      // The UTF-8 of U+212A and U+0130 as Latin-1, lower case: read as UTF-8 when the needle can match through them.
      return ((this.kelvin && text.includes('\u00e2\u0084\u00aa')) || (this.dottedI && text.includes('\u00e4\u00b0'))) && this.inString(bytes.toString('utf8', from, to));
    }
    return this.inString(bytes.toString('utf8', from, to));
  }

  /**
   * Whether header text as the journal keeps it (`name NUL tag value NUL`, src/journal/redact.ts encodeHeaders),
   * bytes[from, to), may show this needle once decoded into "name: value" lines: false only when it cannot. Called on
   * the needle's headerProbe (no colon, no line end). Reads the bytes in place, allocating nothing: an ASCII needle is
   * compared byte by byte (either case of a letter matches); text holding a backslash (a list value is kept as
   * JSON, which escapes quotes and control characters), or a byte beyond ASCII when the needle goes beyond ASCII or
   * can match through U+212A or U+0130, is worth decoding.
   */
  mayBeInHeaders(bytes: Buffer, from: number, to: number): boolean {
    const scan = this.headerScan;
    const fold = this.fold;
    const mask = this.foldMask;
    const n = fold === undefined ? 0 : fold.length;
    const last = to - n;
    for (let i = from; i < to; i++) {
      const what = scan[bytes[i]!]!;
      if (what === SKIP) continue;
      if (what === MAYBE) return true;
      if (i > last) continue;
      let k = 1;
      while (k < n && (bytes[i + k]! | mask![k]!) === fold![k]) k++;
      if (k === n) return true;
    }
    return false;
  }
}

/** TextNeedle.headerScan's actions. */
const SKIP = 0;
const FIRST = 1;
const MAYBE = 2;

/** How JSON escapes any character as \uXXXX (U+212A and U+0130 among them). */
const ESCAPED_ANY = Buffer.from('\\u');

/** How JSON escapes a character below U+0100 as \uXXXX (an ASCII one among them). */
const ESCAPED_ASCII = Buffer.from('\\u00');

const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text with its string escapes (RFC 8259 section 7) decoded; read left to right, so "\\u0041" stays "\u0041". */
export function decodeJsonEscapes(text: string): string {
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g, (_m, hex: string | undefined, short: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : SHORT_ESCAPES[short!]!,
  );
}
