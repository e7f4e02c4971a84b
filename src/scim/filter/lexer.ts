/**
 * Filter lexer. Tokens: ( ) [ ] JSON strings, and "words": maximal runs of characters other than whitespace,
 * parentheses, brackets and double quotes. A word is an attribute path, an operator, a keyword or an unquoted
 * literal (true, false, null, a number); the parser decides which from its position in the grammar.
 *
 * Lexing never throws: a malformed string becomes an "error" token that the parser reports when it reaches it,
 * with the scimType of the place it occurs (a filter or a PATCH path).
 */

export type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word' | 'end' | 'error';

export interface Token {
  kind: TokenKind;
  /** 0-based offset of the first character. */
  pos: number;
  /** The source text of the token. */
  text: string;
  /** For strings: the decoded value. For errors: what is wrong. */
  value: string;
  /** 0-based offset the error refers to (error tokens). */
  errorPos: number;
  /** True when whitespace (or the start of input) precedes the token. */
  spaceBefore: boolean;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isDelimiter = (c: number) => c === 40 || c === 41 || c === 91 || c === 93 || c === 34; // ( ) [ ] "

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const HEX = /^[0-9A-Fa-f]{4}$/;

function token(kind: TokenKind, pos: number, text: string, spaceBefore: boolean, value = ''): Token {
  return { kind, pos, text, value, errorPos: pos, spaceBefore };
}

/** Scans a JSON string starting at the opening quote at `start`. */
function scanString(src: string, start: number, spaceBefore: boolean): Token {
  let out = '';
  let i = start + 1;
  let chunk = i;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 34) {
      out += src.slice(chunk, i);
      return token('string', start, src.slice(start, i + 1), spaceBefore, out);
    }
    if (c < 0x20) {
      const err = token('error', start, src.slice(start, i), spaceBefore,
        `control character U+${c.toString(16).toUpperCase().padStart(4, '0')} inside a string; JSON strings must escape it (e.g. \\n, \\t, \\u0000)`);
      err.errorPos = i;
      return err;
    }
    if (c === 92) {
      out += src.slice(chunk, i);
      const e = src[i + 1];
      if (e === undefined) break;
      if (e === 'u') {
        const hex = src.slice(i + 2, i + 6);
        if (!HEX.test(hex)) {
          const err = token('error', start, src.slice(start, i), spaceBefore,
            `invalid escape "\\u${hex.replace(/["\\]/g, '')}" in a string; \\u must be followed by four hexadecimal digits`);
          err.errorPos = i;
          return err;
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (Object.prototype.hasOwnProperty.call(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else {
        const err = token('error', start, src.slice(start, i), spaceBefore,
          `invalid escape "\\${e}" in a string; JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX`);
        err.errorPos = i;
        return err;
      }
      chunk = i;
      continue;
    }
    i++;
  }
  const err = token('error', start, src.slice(start), spaceBefore,
    `unterminated string starting at position ${start + 1}; add the closing double quote`);
  err.errorPos = src.length;
  return err;
}

/** Splits the text into tokens; the last token is "end" or "error". */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaceBefore = true;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      spaceBefore = true;
      continue;
    }
    if (c === 40 || c === 41 || c === 91 || c === 93) {
      tokens.push(token(src[i] as TokenKind, i, src[i], spaceBefore));
      i++;
    } else if (c === 34) {
      const t = scanString(src, i, spaceBefore);
      tokens.push(t);
      if (t.kind === 'error') return tokens;
      i += t.text.length;
    } else {
      const start = i;
      while (i < src.length && !isSpace(src.charCodeAt(i)) && !isDelimiter(src.charCodeAt(i))) i++;
      tokens.push(token('word', start, src.slice(start, i), spaceBefore));
    }
    spaceBefore = false;
  }
  tokens.push(token('end', src.length, '', spaceBefore));
  return tokens;
}
