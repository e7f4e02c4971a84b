/**
 * Where a JSON text stops being JSON: used only after JSON.parse failed, to tell the author the line and column
 * (V8's messages give a position only for some errors). Iterative, so deep nesting cannot overflow the stack.
 */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The first syntax error of `text` (RFC 8259), or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const n = text.length;
  let i = 0;
  const stack: string[] = [];
  type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'after';
  let state: State = 'value';

  const problem = (reason: string, at = i): JsonSyntaxProblem => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return { line, column: at - before.lastIndexOf('\n'), reason };
  };
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** Scans a string starting at the opening quote; returns a problem or undefined. */
  const scanString = (): JsonSyntaxProblem | undefined => {
    const start = i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return problem('control character in a string (write it as an escape such as \\n)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) return problem('\\u must be followed by four hex digits');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) return problem(`invalid escape "\\${e ?? ''}" in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    return problem('unterminated string', start);
  };

  for (;;) {
    skipSpace();
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < n) return problem('unexpected text after the JSON value');
        return undefined;
      }
      const close = top === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (text[i] === close) {
        i++;
        stack.pop();
      } else {
        return problem(i >= n ? `unexpected end of input: expected "," or "${close}"` : `expected "," or "${close}"`);
      }
      continue;
    }
    if (state === 'keyOrEnd' || state === 'valueOrEnd') {
      const close = state === 'keyOrEnd' ? '}' : ']';
      if (text[i] === close) {
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      state = state === 'keyOrEnd' ? 'key' : 'value';
    }
    if (state === 'key') {
      if (text[i] !== '"') return problem(i >= n ? 'unexpected end of input: expected a property name' : 'expected a property name in double quotes');
      const p = scanString();
      if (p) return p;
      skipSpace();
      if (text[i] !== ':') return problem('expected ":" after the property name');
      i++;
      state = 'value';
      continue;
    }
    // state === 'value'
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
      continue;
    }
    if (c === '"') {
      const p = scanString();
      if (p) return p;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else {
      NUMBER.lastIndex = i;
      if (c === undefined || !NUMBER.test(text)) return problem(i >= n ? 'unexpected end of input: expected a value' : 'expected a value (a string, number, object, array, true, false or null)');
      i = NUMBER.lastIndex;
    }
    state = 'after';
  }
}
