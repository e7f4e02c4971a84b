/**
 * Recursive-descent parser for SCIM filters (RFC 7644 section 3.4.2.2, Figure 1) and PATCH paths (section 3.5.2):
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"            ; here also: valuePath subAttr SP compareOp/pr
 *   valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   logExp    = FILTER SP ("and" / "or") SP FILTER     ; "and" binds tighter than "or"
 *   compValue = false / null / true / number / string  ; JSON
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *   ATTRNAME  = ALPHA *(nameChar)                      ; and "$ref" (RFC 7643 section 2.1)
 *
 * Operators and keywords are case-insensitive. Whitespace between tokens may be any run of spaces, tabs or line
 * breaks. Every syntax error is a ScimError whose detail gives the 1-based position, what was found and what was
 * expected.
 */
import { ScimError, type ScimType } from '../errors.js';
import type {
  AttributePath,
  ComparisonOperator,
  FilterLiteral,
  FilterNode,
  FilterWarning,
  PatchPath,
} from './ast.js';
import { tokenize, type Token } from './lexer.js';

export interface ParseOptions {
  /** Accept unquoted string values (`userName eq bjensen`) with a "filter-unquoted-value" warning. Default false. */
  allowUnquotedStrings?: boolean;
  /** Longest accepted input, in characters. Default 8192. */
  maxLength?: number;
  /** Deepest accepted nesting of parentheses, "not (" and brackets. Default 50. */
  maxDepth?: number;
  /** Receives conformance warnings for input accepted only thanks to the options above. */
  onWarning?: (warning: FilterWarning) => void;
}

export const DEFAULT_MAX_FILTER_LENGTH = 8192;
export const DEFAULT_MAX_FILTER_DEPTH = 50;

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const ATTRNAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
/** scheme ":" then URI characters (RFC 3986), e.g. urn:ietf:params:scim:schemas:core:2.0:User */
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+$/;
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** 1-based positions of parsed nodes, for the evaluator's error messages. Kept outside the AST so it stays plain. */
const positions = new WeakMap<object, number>();

/** The 1-based position in the source text where a parsed node starts, if the parser made it. */
export function nodePosition(node: object): number | undefined {
  return positions.get(node);
}

function at<T extends object>(node: T, pos: number): T {
  positions.set(node, pos + 1);
  return node;
}

const lower = (s: string) => s.toLowerCase();

function quote(text: string): string {
  const shown = text.length > 40 ? text.slice(0, 37) + '...' : text;
  return JSON.stringify(shown);
}

type Closer = 'end' | ')' | ']';

class Parser {
  private index = 0;
  private depth = 0;
  /** Where an error is reported: "filter" (invalidFilter) or "path" (invalidPath). */
  private noun: 'filter' | 'path';
  private scimType: ScimType;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
    noun: 'filter' | 'path',
  ) {
    this.noun = noun;
    this.scimType = noun === 'filter' ? 'invalidFilter' : 'invalidPath';
    this.forbiddenType = this.scimType;
  }

  private readonly forbiddenType: ScimType;

  // ---- error reporting -------------------------------------------------------------------------------------

  error(pos: number, message: string, scimType: ScimType = this.scimType): ScimError {
    const label = scimType === 'invalidFilter' ? 'filter' : 'path';
    return new ScimError(400, scimType, `Invalid ${label} at position ${pos + 1}: ${message}`);
  }

  /** __proto__, constructor and prototype: invalidPath anywhere in a PATCH path, invalidFilter in a filter. */
  forbidden(pos: number, name: string): ScimError {
    return this.error(pos, `${quote(name)} is not allowed in an attribute path`, this.forbiddenType);
  }

  describe(t: Token): string {
    switch (t.kind) {
      case 'end':
        return `end of ${this.noun}`;
      case 'string':
        return `string ${quote(t.text.slice(1, -1))}`;
      case 'word':
        return quote(t.text);
      case 'error':
        return quote(t.text);
      default:
        return `"${t.kind}"`;
    }
  }

  /** Throws "expected <what>, found <token>" at the token (or its lexing error). */
  fail(t: Token, expected: string, hint?: string): never {
    if (t.kind === 'error') throw this.error(t.errorPos, t.value);
    throw this.error(t.pos, `expected ${expected}, found ${this.describe(t)}${hint ? `; ${hint}` : ''}`);
  }

  // ---- token access -----------------------------------------------------------------------------------------

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  isWord(t: Token, keyword: string): boolean {
    return t.kind === 'word' && lower(t.text) === keyword;
  }

  enter(t: Token): void {
    const max = this.options.maxDepth ?? DEFAULT_MAX_FILTER_DEPTH;
    if (++this.depth > max) {
      throw this.error(t.pos, `the ${this.noun} nests parentheses, "not" and brackets deeper than the limit of ${max} levels`);
    }
  }

  leave(): void {
    this.depth--;
  }

  // ---- grammar ----------------------------------------------------------------------------------------------

  /** What may follow a complete expression at this level, for error messages. */
  followers(closer: Closer, opener?: Token): string {
    if (closer === 'end') return `"and", "or" or end of ${this.noun}`;
    const open = closer === ')' ? '(' : '[';
    const where = opener ? ` to close the "${open}" at position ${opener.pos + 1}` : '';
    return `"and", "or" or "${closer}"${where}`;
  }

  parseOr(closer: Closer, inBracket: boolean): FilterNode {
    let left = this.parseAnd(closer, inBracket);
    while (this.isWord(this.peek(), 'or')) {
      const op = this.next();
      const right = this.parseAnd(closer, inBracket, op);
      left = at({ type: 'or', left, right }, nodePosition(left)! - 1);
    }
    return left;
  }

  parseAnd(closer: Closer, inBracket: boolean, after?: Token): FilterNode {
    let left = this.parseUnary(inBracket, after);
    while (this.isWord(this.peek(), 'and')) {
      const op = this.next();
      const right = this.parseUnary(inBracket, op);
      left = at({ type: 'and', left, right }, nodePosition(left)! - 1);
    }
    return left;
  }

  expressionExpected(after?: Token): string {
    const what = 'an attribute path, "(" or "not ("';
    return after ? `${what} after ${quote(after.text)}` : what;
  }

  parseUnary(inBracket: boolean, after?: Token): FilterNode {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      this.enter(t);
      const inner = this.parseOr(')', inBracket);
      this.close(')', t);
      this.leave();
      // Grouping only; the node keeps its own position.
      return inner;
    }
    if (t.kind === 'word' && lower(t.text) === 'not') {
      const paren = this.peek(1);
      if (paren.kind === '(') {
        this.next();
        this.next();
        this.enter(paren);
        const inner = this.parseOr(')', inBracket);
        this.close(')', paren);
        this.leave();
        return at({ type: 'not', filter: inner }, t.pos);
      }
      // "not" is also a legal ATTRNAME; only treat it as one when an operator follows.
      if (!(paren.kind === 'word' && (OPERATORS.has(lower(paren.text)) || lower(paren.text) === 'pr'))) {
        this.fail(paren, `"(" after "not" (RFC 7644 3.4.2.2: not "(" FILTER ")")`);
      }
    }
    if (t.kind === 'word' && (lower(t.text) === 'and' || lower(t.text) === 'or')) {
      this.fail(t, this.expressionExpected(after));
    }
    if (t.kind !== 'word') this.fail(t, this.expressionExpected(after));
    return this.parseAttributeExpression(inBracket);
  }

  close(closer: ')' | ']', opener: Token): void {
    const t = this.peek();
    if (t.kind !== closer) this.fail(t, this.followers(closer, opener));
    this.next();
  }

  parseAttributeExpression(inBracket: boolean): FilterNode {
    const word = this.next();
    const path = this.parseAttributePath(word);
    const t = this.peek();
    if (t.kind === '[') {
      if (inBracket) {
        throw this.error(t.pos, 'value filters cannot be nested: inside "[...]" name sub-attributes of the bracketed attribute directly');
      }
      const filter = this.parseBracket();
      const after = this.peek();
      if (after.kind === 'word' && after.text.startsWith('.') && !after.spaceBefore) {
        if (path.subAttribute) {
          throw this.error(after.pos, `${quote(word.text)} already names a sub-attribute; a value filter must follow the attribute itself`);
        }
        this.next();
        const sub = after.text.slice(1);
        this.checkName(sub, after.pos + 1, after.text);
        const full: AttributePath = { ...path, valueFilter: filter, subAttribute: sub };
        return this.parseOperator(full, word, after);
      }
      return at({ type: 'valuePath', path, filter }, word.pos);
    }
    return this.parseOperator(path, word, word);
  }

  parseBracket(): FilterNode {
    const open = this.next();
    this.enter(open);
    const filter = this.parseOr(']', true);
    const t = this.peek();
    if (t.kind !== ']') this.fail(t, this.followers(']', open));
    this.next();
    this.leave();
    return filter;
  }

  parseOperator(path: AttributePath, start: Token, last: Token): FilterNode {
    const t = this.peek();
    const operators = 'an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr)';
    if (t.kind !== 'word') this.fail(t, `${operators} after ${quote(last.text)}`);
    const op = lower(t.text);
    if (op === 'pr') {
      this.next();
      return at({ type: 'present', path }, start.pos);
    }
    if (!OPERATORS.has(op)) {
      if (/^[A-Za-z]+$/.test(t.text) && t.text.length <= 20) {
        throw this.error(t.pos, `the operator ${quote(t.text)} is not supported; use one of eq, ne, co, sw, ew, gt, ge, lt, le, pr`);
      }
      this.fail(t, `${operators} after ${quote(last.text)}`);
    }
    this.next();
    const value = this.parseValue(t);
    return at({ type: 'comparison', path, operator: op as ComparisonOperator, value }, start.pos);
  }

  parseValue(op: Token): FilterLiteral {
    const t = this.peek();
    const expected = `a comparison value after ${quote(op.text)}`;
    const hint = 'a value is a "quoted string", a number, true, false or null';
    if (t.kind === 'string') {
      this.next();
      return t.value;
    }
    if (t.kind !== 'word') this.fail(t, expected, hint);
    const text = t.text;
    const l = lower(text);
    if (l === 'true' || l === 'false' || l === 'null') {
      this.next();
      return l === 'null' ? null : l === 'true';
    }
    if (JSON_NUMBER.test(text)) {
      const n = Number(text);
      if (!Number.isFinite(n)) throw this.error(t.pos, `the number ${quote(text)} is out of range`);
      this.next();
      return n;
    }
    if (l === 'and' || l === 'or') this.fail(t, expected, hint);
    if (this.options.allowUnquotedStrings) {
      this.next();
      this.options.onWarning?.({
        code: 'filter-unquoted-value',
        rfc: 'RFC 7644 3.4.2.2',
        detail: `The ${this.noun} value ${text} at position ${t.pos + 1} is not quoted; string values must be JSON strings in double quotes: ${JSON.stringify(text)}.`,
      });
      return text;
    }
    throw this.error(
      t.pos,
      `expected ${expected}, found unquoted text ${quote(text)}; string values must be JSON strings in double quotes (RFC 7644 3.4.2.2), e.g. ${JSON.stringify(text)}`,
    );
  }

  checkName(name: string, pos: number, whole: string): void {
    if (FORBIDDEN.has(lower(name))) throw this.forbidden(pos, name);
    if (!ATTRNAME.test(name)) {
      throw this.error(
        pos,
        name === ''
          ? `${quote(whole)} is not a valid attribute path: an attribute name is missing`
          : `${quote(name)} is not a valid attribute name in ${quote(whole)}: names start with a letter and contain only letters, digits, "-" and "_"`,
      );
    }
  }

  /** attrPath = [URI ":"] ATTRNAME *1subAttr, split at the last ":" (URNs contain ":" and "." themselves). */
  parseAttributePath(t: Token): AttributePath {
    const text = t.text;
    for (const segment of text.split(/[:.]/)) {
      if (FORBIDDEN.has(lower(segment))) throw this.forbidden(t.pos, segment);
    }
    const colon = text.lastIndexOf(':');
    let urn: string | undefined;
    let rest = text;
    if (colon >= 0) {
      urn = text.slice(0, colon);
      rest = text.slice(colon + 1);
      if (!SCHEMA_URI.test(urn)) {
        throw this.error(
          t.pos,
          `${quote(text)} is not a valid attribute path: the part before the last ":" must be a schema URI such as urn:ietf:params:scim:schemas:core:2.0:User`,
        );
      }
    }
    const offset = t.pos + (colon + 1);
    const dot = rest.indexOf('.');
    const attribute = dot < 0 ? rest : rest.slice(0, dot);
    this.checkName(attribute, offset, text);
    let subAttribute: string | undefined;
    if (dot >= 0) {
      subAttribute = rest.slice(dot + 1);
      if (subAttribute.includes('.')) {
        throw this.error(t.pos, `${quote(text)} is not a valid attribute path: it may name at most one sub-attribute (attribute.subAttribute)`);
      }
      this.checkName(subAttribute, offset + dot + 1, text);
    }
    const path: AttributePath = { attribute };
    if (urn !== undefined) path.urn = urn;
    if (subAttribute !== undefined) path.subAttribute = subAttribute;
    return path;
  }

  parseFilter(): FilterNode {
    const t = this.peek();
    if (t.kind === 'end') {
      throw this.error(0, 'the filter is empty; expected an expression such as userName eq "bjensen"');
    }
    const node = this.parseOr('end', false);
    const end = this.peek();
    if (end.kind !== 'end') {
      if (end.kind === ')') throw this.error(end.pos, `found ")" without a matching "("`);
      if (end.kind === ']') throw this.error(end.pos, `found "]" without a matching "["`);
      this.fail(end, this.followers('end'));
    }
    return node;
  }

  parsePatchPath(): PatchPath {
    const first = this.peek();
    if (first.kind === 'end') throw this.error(0, 'the path is empty; expected an attribute path such as "members" or "name.familyName"');
    if (first.kind !== 'word') this.fail(first, 'an attribute path');
    this.next();
    const path = this.parseAttributePath(first);
    const result: PatchPath = { attributePath: first.text };
    const t = this.peek();
    if (t.kind === '[') {
      if (path.subAttribute) {
        throw this.error(t.pos, `${quote(first.text)} already names a sub-attribute; a value filter must follow the attribute itself`);
      }
      // RFC 7644 Table 9: errors in the filter of a PATCH path are "invalidFilter".
      this.noun = 'filter';
      this.scimType = 'invalidFilter';
      const open = this.next();
      this.enter(open);
      result.filter = this.parseOr(']', true);
      const close = this.peek();
      if (close.kind !== ']') this.fail(close, this.followers(']', open));
      this.next();
      this.leave();
      this.noun = 'path';
      this.scimType = 'invalidPath';
      const after = this.peek();
      if (after.kind === 'word' && after.text.startsWith('.') && !after.spaceBefore) {
        this.next();
        const sub = after.text.slice(1);
        this.checkName(sub, after.pos + 1, after.text);
        result.subAttribute = sub;
      }
    }
    const end = this.peek();
    if (end.kind !== 'end') {
      this.fail(end, result.filter ? `end of path or ".subAttribute" right after "]"` : 'end of path or "[" followed by a value filter');
    }
    return result;
  }
}

function checkInput(text: unknown, options: ParseOptions, scimType: ScimType, noun: string): asserts text is string {
  if (typeof text !== 'string') throw new ScimError(400, scimType, `Invalid ${noun}: expected a string, found ${text === null ? 'null' : typeof text}`);
  const max = options.maxLength ?? DEFAULT_MAX_FILTER_LENGTH;
  if (text.length > max) {
    throw new ScimError(400, scimType, `Invalid ${noun}: it is ${text.length} characters long; the limit is ${max} characters`);
  }
}

/** Parses a filter expression (RFC 7644 section 3.4.2.2). Throws ScimError 400 invalidFilter when malformed. */
export function parseFilter(text: string, options: ParseOptions = {}): FilterNode {
  checkInput(text, options, 'invalidFilter', 'filter');
  return new Parser(text, tokenize(text), options, 'filter').parseFilter();
}

/**
 * Parses a PATCH "path" (RFC 7644 section 3.5.2: PATH = attrPath / valuePath [subAttr]).
 * A malformed path is ScimError 400 invalidPath; a malformed filter inside its brackets is 400 invalidFilter
 * (RFC 7644 Table 9 lists "invalidFilter" for PATCH path filters).
 */
export function parsePatchPath(text: string, options: ParseOptions = {}): PatchPath {
  checkInput(text, options, 'invalidPath', 'path');
  return new Parser(text, tokenize(text), options, 'path').parsePatchPath();
}
