/**
 * Value comparison by the schema (RFC 7643 section 2.3, RFC 7644 section 3.4.2.2), shared by filtering and sorting
 * so both follow the same rules:
 * - string, reference, binary: "caseExact" from the attribute definition decides; case-insensitive means equal after
 *   String.prototype.toLowerCase (locale-independent), ordered by UTF-16 code units;
 * - dateTime: compared as instants (xsd:dateTime; "2011-05-13T04:42:34Z" equals "2011-05-13T04:42:34.000Z", offsets
 *   honoured);
 * - integer, decimal: numerically;
 * - boolean: false < true.
 *
 * The case-insensitive string tests here work on a literal lower-cased once by the caller and never allocate for
 * ASCII values (the filter scan runs them over every resource); any non-ASCII character falls back to toLowerCase.
 */
import type { AttributeDef } from './schemas/types.js';

/** True for the types whose values are JSON strings compared as text. */
export function isTextType(type: AttributeDef['type']): boolean {
  return type === 'string' || type === 'reference' || type === 'binary';
}

// ---------------------------------------------------------------------------------------------------------------
// dateTime

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Parses an xsd:dateTime (RFC 7643 section 2.3.5), e.g. "2011-05-13T04:42:34Z", "2011-05-13T04:42:34.5+02:00".
 * Returns the instant in milliseconds since the epoch (fractions of a millisecond kept as a fraction), or undefined
 * when the text is not a valid dateTime. A value without a time zone is taken as UTC.
 */
export function parseDateTime(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const n = text.length;
  let i = 0;
  let sign = 1;
  if (text.charCodeAt(0) === 45 /* - */) {
    sign = -1;
    i = 1;
  }
  // Year: at least four digits.
  let yearEnd = i;
  while (yearEnd < n && text.charCodeAt(yearEnd) >= 48 && text.charCodeAt(yearEnd) <= 57) yearEnd++;
  if (yearEnd - i < 4 || (yearEnd - i > 4 && text.charCodeAt(i) === 48)) return undefined;
  const year = sign * digits(text, i, yearEnd - i);
  i = yearEnd;
  // "-MM-DDThh:mm:ss" is 15 characters.
  if (n < i + 15) return undefined;
  if (text[i] !== '-' || text[i + 3] !== '-' || (text[i + 6] !== 'T' && text[i + 6] !== 't')) return undefined;
  if (text[i + 9] !== ':' || text[i + 12] !== ':') return undefined;
  const month = digits(text, i + 1, 2);
  const day = digits(text, i + 4, 2);
  const hour = digits(text, i + 7, 2);
  const minute = digits(text, i + 10, 2);
  const second = digits(text, i + 13, 2);
  if (month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > maxDay) return undefined;
  // xsd allows 24:00:00 as the end of the day.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0))) return undefined;
  i += 15;
  // Fractional seconds: whole milliseconds exactly, anything finer as a fraction of a millisecond.
  let millis = 0;
  let subMillis = 0;
  if (i < n && text[i] === '.') {
    const start = ++i;
    let scale = 0.1;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      const digit = text.charCodeAt(i) - 48;
      if (i - start < 3) {
        millis = millis * 10 + digit;
      } else {
        subMillis += digit * scale;
        scale /= 10;
      }
      i++;
    }
    if (i === start) return undefined;
    for (let k = i - start; k < 3; k++) millis *= 10;
    if (hour === 24 && (millis !== 0 || subMillis !== 0)) return undefined;
  }
  let offsetMinutes = 0;
  if (i < n) {
    const c = text[i];
    if (c === 'Z' || c === 'z') {
      i++;
    } else if (c === '+' || c === '-') {
      if (n !== i + 6 || text[i + 3] !== ':') return undefined;
      const oh = digits(text, i + 1, 2);
      const om = digits(text, i + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh > 14 || (oh === 14 && om !== 0)) return undefined;
      offsetMinutes = (c === '-' ? -1 : 1) * (oh * 60 + om);
      i += 6;
    } else {
      return undefined;
    }
  }
  if (i !== n) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds * 1000 + millis + subMillis;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil); no Date allocation. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

/** True when every UTF-16 unit of `s` is ASCII. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Code-unit order, as used everywhere a string order is needed (locale-independent and deterministic). */
function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two strings: by code units when caseExact, else by code units of their lower-case forms. */
export function compareStrings(a: string, b: string, caseExact: boolean): number {
  if (caseExact) return codeUnitCompare(a, b);
  return codeUnitCompare(a.toLowerCase(), b.toLowerCase());
}

/** Equality of two strings under the attribute's caseExact. */
export function stringsEqual(a: string, b: string, caseExact: boolean): boolean {
  if (caseExact) return a === b;
  return a.length === b.length ? a === b || a.toLowerCase() === b.toLowerCase() : a.toLowerCase() === b.toLowerCase();
}

/*
 * Case-insensitive tests against a literal that is already lower-case and ASCII ("lit"). They return -1 when the
 * value holds a non-ASCII character where it matters, and the caller then compares value.toLowerCase(). For ASCII
 * characters toLowerCase is a one-to-one mapping, which is what makes an early mismatch at an ASCII position final.
 * `c !== l` is the common case; only then is folding considered: (c | 32) === l holds exactly when c is l or its
 * upper-case letter, provided l is a lower-case ASCII letter.
 */

function sameFolded(c: number, l: number): boolean {
  return l >= 97 && l <= 122 && (c | 32) === l;
}

function foldedEquals(value: string, lit: string): number {
  const n = lit.length;
  // A non-ASCII character only lowers to ASCII one-to-one (KELVIN SIGN -> "k"), so lengths must agree.
  if (value.length !== n) return 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const l = lit.charCodeAt(i);
    if (c !== l && !sameFolded(c, l)) return c > 127 ? -1 : 0;
  }
  return 1;
}

function foldedStartsWith(value: string, lit: string): number {
  const n = lit.length;
  const m = value.length;
  for (let i = 0; i < n; i++) {
    if (i >= m) return 0;
    const c = value.charCodeAt(i);
    const l = lit.charCodeAt(i);
    if (c !== l && !sameFolded(c, l)) return c > 127 ? -1 : 0;
  }
  return 1;
}

function foldedEndsWith(value: string, lit: string): number {
  const n = lit.length;
  const offset = value.length - n;
  if (offset < 0) {
    // Shorter than the literal: only a non-ASCII character could lengthen it when lowered.
    return isAscii(value) ? 0 : -1;
  }
  for (let i = n - 1; i >= 0; i--) {
    const c = value.charCodeAt(offset + i);
    const l = lit.charCodeAt(i);
    if (c !== l && !sameFolded(c, l)) return c > 127 ? -1 : 0;
  }
  return 1;
}

function foldedIncludes(value: string, lit: string): number {
  const n = value.length;
  const m = lit.length;
  if (!isAscii(value)) return -1;
  if (m === 0) return 1;
  const first = lit.charCodeAt(0);
  outer: for (let s = 0; s + m <= n; s++) {
    const c0 = value.charCodeAt(s);
    if (c0 !== first && !sameFolded(c0, first)) continue;
    for (let j = 1; j < m; j++) {
      const c = value.charCodeAt(s + j);
      const l = lit.charCodeAt(j);
      if (c !== l && !sameFolded(c, l)) continue outer;
    }
    return 1;
  }
  return 0;
}

export type StringOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/**
 * Builds a test `value <op> literal` for string values, with the literal prepared once (lower-cased when the
 * attribute is not caseExact). The returned function does not allocate for ASCII values.
 */
export function stringTest(op: StringOperator, literal: string, caseExact: boolean): (value: string) => boolean {
  if (caseExact) {
    switch (op) {
      case 'eq':
        return (v) => v === literal;
      case 'ne':
        return (v) => v !== literal;
      case 'co':
        return (v) => v.includes(literal);
      case 'sw':
        return (v) => v.startsWith(literal);
      case 'ew':
        return (v) => v.endsWith(literal);
      case 'gt':
        return (v) => v > literal;
      case 'ge':
        return (v) => v >= literal;
      case 'lt':
        return (v) => v < literal;
      case 'le':
        return (v) => v <= literal;
    }
  }
  const lit = literal.toLowerCase();
  if (!isAscii(lit)) {
    switch (op) {
      case 'eq':
        return (v) => v.toLowerCase() === lit;
      case 'ne':
        return (v) => v.toLowerCase() !== lit;
      case 'co':
        return (v) => v.toLowerCase().includes(lit);
      case 'sw':
        return (v) => v.toLowerCase().startsWith(lit);
      case 'ew':
        return (v) => v.toLowerCase().endsWith(lit);
    }
  }
  // One closure per operator, each calling its own fold function (monomorphic, so the JIT inlines it).
  switch (op) {
    case 'eq':
      return (v) => {
        const r = foldedEquals(v, lit);
        return r < 0 ? v.toLowerCase() === lit : r === 1;
      };
    case 'ne':
      return (v) => {
        const r = foldedEquals(v, lit);
        return r < 0 ? v.toLowerCase() !== lit : r === 0;
      };
    case 'co':
      return (v) => {
        const r = foldedIncludes(v, lit);
        return r < 0 ? v.toLowerCase().includes(lit) : r === 1;
      };
    case 'sw':
      return (v) => {
        const r = foldedStartsWith(v, lit);
        return r < 0 ? v.toLowerCase().startsWith(lit) : r === 1;
      };
    case 'ew':
      return (v) => {
        const r = foldedEndsWith(v, lit);
        return r < 0 ? v.toLowerCase().endsWith(lit) : r === 1;
      };
    case 'gt':
      return (v) => v.toLowerCase() > lit;
    case 'ge':
      return (v) => v.toLowerCase() >= lit;
    case 'lt':
      return (v) => v.toLowerCase() < lit;
    case 'le':
      return (v) => v.toLowerCase() <= lit;
  }
}

/**
 * The test of one attribute value against `op literal` for a text attribute, as a filter applies it (RFC 7644
 * 3.4.2.2): a string is tested, an array matches when one of its strings does, and `ne` is true for unassigned
 * values and values that are not strings (nulls in an array are skipped; an array of nothing else is unassigned).
 *
 * The case-insensitive tests of an ASCII literal (the common case: most SCIM string attributes are caseExact false)
 * get one closure per operator whose string test is a direct call of its fold function, which the JIT inlines: a
 * generic wrapper calling the string test through a variable is one call site for every operator of every filter,
 * never inlined, and the filter scan runs it once per resource.
 */
export function textValueTest(op: StringOperator, literal: string, caseExact: boolean): (value: unknown) => boolean {
  const lit = literal.toLowerCase();
  if (!caseExact && isAscii(lit)) {
    switch (op) {
      case 'eq': {
        const one = (v: string) => {
          const r = foldedEquals(v, lit);
          return r < 0 ? v.toLowerCase() === lit : r === 1;
        };
        return (v) => (typeof v === 'string' ? one(v) : someString(v, one, false));
      }
      case 'co': {
        const one = (v: string) => {
          const r = foldedIncludes(v, lit);
          return r < 0 ? v.toLowerCase().includes(lit) : r === 1;
        };
        return (v) => (typeof v === 'string' ? one(v) : someString(v, one, false));
      }
      case 'sw': {
        const one = (v: string) => {
          const r = foldedStartsWith(v, lit);
          return r < 0 ? v.toLowerCase().startsWith(lit) : r === 1;
        };
        return (v) => (typeof v === 'string' ? one(v) : someString(v, one, false));
      }
      case 'ew': {
        const one = (v: string) => {
          const r = foldedEndsWith(v, lit);
          return r < 0 ? v.toLowerCase().endsWith(lit) : r === 1;
        };
        return (v) => (typeof v === 'string' ? one(v) : someString(v, one, false));
      }
    }
  }
  const test = stringTest(op, literal, caseExact);
  const ne = op === 'ne';
  return (v) => (typeof v === 'string' ? test(v) : someString(v, test, ne));
}

/** textValueTest for a value that is not a string: any string of an array that passes; `ne` for the rest. */
function someString(v: unknown, test: (value: string) => boolean, ne: boolean): boolean {
  if (!Array.isArray(v)) return ne;
  let any = false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (x === undefined || x === null) continue;
    any = true;
    if (typeof x === 'string' ? test(x) : ne) return true;
  }
  return any ? false : ne;
}

// ---------------------------------------------------------------------------------------------------------------
// Any type

/**
 * Orders two assigned values of the attribute `def` (for sortBy): negative, zero or positive.
 * undefined and null are the caller's business (they sort last ascending); values of the wrong JSON type for the
 * definition sort after the well-typed ones and compare equal among themselves, so the order stays total.
 */
export function compareAttributeValues(a: unknown, b: unknown, def: AttributeDef): number {
  return compareSortKeys(sortKeyOf(a, def), sortKeyOf(b, def));
}

/**
 * The key `compareAttributeValues` orders by, for sorting many resources without recomputing it per comparison:
 * the string itself when caseExact, else its lower-case form; the instant of a dateTime; the number; 0/1 for
 * booleans; undefined for a value of the wrong type (or a complex value).
 */
export function sortKeyOf(value: unknown, def: AttributeDef): string | number | undefined {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? (def.caseExact ? value : value.toLowerCase()) : undefined;
    case 'integer':
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
    case 'dateTime':
      return typeof value === 'string' ? parseDateTime(value) : undefined;
    case 'complex':
      return undefined;
  }
}

/** Orders two keys from sortKeyOf (of the same attribute): code-unit order for strings, numeric otherwise. */
export function compareSortKeys(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Equality of two assigned values under the rules of `def` (caseExact strings, dateTime instants, numbers). */
export function attributeValuesEqual(a: unknown, b: unknown, def: AttributeDef): boolean {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof a === 'string' && typeof b === 'string' && stringsEqual(a, b, def.caseExact);
    case 'dateTime': {
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const ta = parseDateTime(a);
      return ta !== undefined && ta === parseDateTime(b);
    }
    case 'integer':
    case 'decimal':
    case 'boolean':
      return a === b;
    case 'complex':
      return false;
  }
}

/**
 * RFC 7643 section 2.5 and the "pr" operator of RFC 7644 section 3.4.2.2: a value is present when it is not null,
 * not an empty string, not an empty array and, for complex values, has at least one present sub-attribute.
 */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) {
    for (const element of value) if (isPresent(element)) return true;
    return false;
  }
  if (typeof value === 'object') {
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key) && isPresent((value as Record<string, unknown>)[key])) {
        return true;
      }
    }
    return false;
  }
  return true;
}
