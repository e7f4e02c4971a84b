/**
 * The one body path syntax, shared by journal queries (`body.path`) and fault rules (`match.body[].path`): how a
 * test names values inside a JSON request body.
 *
 *   Operations[*].op    emails[0].value    ["urn:...:enterprise:2.0:User"].employeeNumber    $.userName
 *
 * - names are separated by dots and compared case-insensitively (SCIM attribute names are);
 * - `[*]` is every element of an array (every value of an object), `[n]` the n-th element, `["a.b"]` or `['a.b']`
 *   a key with dots; a key written with its dots (`urn:...:2.0:User.employeeNumber`) is found too;
 * - a name applied to an array applies to each of its elements (`Operations.op` = `Operations[*].op`);
 * - `$` is the whole body; a leading `$.` is allowed.
 */

export type BodyPathStep = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };

/** A path that is not a body path: `why`, at the 0-based character `at`. Callers word it for their field. */
export class BodyPathError extends Error {
  constructor(
    readonly why: string,
    readonly at: number,
  ) {
    super(why);
    this.name = 'BodyPathError';
  }
}

/** Nesting followed when selecting: deeper values are not reached (bodies are bounded at parse time too). */
const MAX_SELECT_DEPTH = 400;

/** Parses a body path into steps; throws BodyPathError. */
export function parseBodyPath(path: string): BodyPathStep[] {
  const steps: BodyPathStep[] = [];
  const src = path.trim();
  let i = 0;
  const fail = (why: string): never => {
    throw new BodyPathError(why, i);
  };
  if (src === '') fail('it is empty');
  if (src === '$') return steps;
  if (src.startsWith('$.')) i = 2;
  else if (src.startsWith('$[')) i = 1;
  let expectKey = true;
  while (i < src.length) {
    const c = src[i];
    if (c === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) fail('"[" without "]"');
      const inner = src.slice(i + 1, close).trim();
      if (inner === '*') steps.push({ kind: 'any' });
      else if (/^\d{1,9}$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (inner.length >= 2 && /^(["']).*\1$/.test(inner)) {
        const name = inner.slice(1, -1);
        if (name === '') fail('an empty quoted key');
        steps.push({ kind: 'key', name });
      } else fail(`"[${inner}]" must be [*], [<index>] or ["<key>"]`);
      i = close + 1;
      expectKey = false;
    } else if (c === '.') {
      if (expectKey) fail('an empty key');
      i++;
      expectKey = true;
      if (i >= src.length) fail('a trailing "."');
    } else {
      if (!expectKey) fail('a "." must come before a key that follows "]"');
      let j = i;
      while (j < src.length && src[j] !== '.' && src[j] !== '[') j++;
      const name = src.slice(i, j);
      if (name.trim() === '') fail('an empty key');
      steps.push({ kind: 'key', name });
      i = j;
      expectKey = false;
    }
  }
  return steps;
}

/** Every value the path reaches in `body` (none for a missing body or a scalar in the way). */
export function selectBodyValues(body: unknown, steps: readonly BodyPathStep[]): unknown[] {
  const out: unknown[] = [];
  if (body !== undefined) walk(body, steps, 0, out, 0);
  return out;
}

function walk(value: unknown, steps: readonly BodyPathStep[], i: number, out: unknown[], depth: number): void {
  if (depth > MAX_SELECT_DEPTH) return;
  if (i === steps.length) {
    out.push(value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const step = steps[i]!;
  if (Array.isArray(value)) {
    if (step.kind === 'any') for (const v of value) walk(v, steps, i + 1, out, depth + 1);
    else if (step.kind === 'index') {
      if (step.index < value.length) walk(value[step.index], steps, i + 1, out, depth + 1);
    } else for (const v of value) walk(v, steps, i, out, depth + 1); // a key applies to each element
    return;
  }
  const obj = value as Record<string, unknown>;
  if (step.kind === 'any') {
    for (const k of Object.keys(obj)) walk(obj[k], steps, i + 1, out, depth + 1);
    return;
  }
  if (step.kind === 'index') return;
  // Keys may contain dots (URNs such as "...:enterprise:2.0:User"): the following key steps joined are tried too.
  const keys = Object.keys(obj);
  let joined = '';
  for (let j = i; j < steps.length; j++) {
    const sj = steps[j]!;
    if (sj.kind !== 'key') break;
    joined = j === i ? sj.name : `${joined}.${sj.name}`;
    const lower = joined.toLowerCase();
    for (const k of keys) if (k.toLowerCase() === lower) walk(obj[k], steps, j + 1, out, depth + 1);
  }
}
