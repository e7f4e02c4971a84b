/** isLowerCaseOf is `text.toLowerCase() === lower` without the lower-case copy: checked against it, non-ASCII included. */
import { describe, expect, it } from 'vitest';
import { isLowerCaseOf } from '../../src/scim/strings.js';

describe('isLowerCaseOf', () => {
  it('agrees with toLowerCase() === for every pair built from edge pieces', () => {
    const pieces = ['', 'a', 'A', 'userName', 'USERNAME', 'z', 'Z', '@', '[', '`', '{', 'é', 'É', 'İ', 'i̇', '\u212a', 'k', 'ß'];
    const texts: string[] = [];
    for (const a of pieces) for (const b of pieces) texts.push(a + b);
    let checked = 0;
    for (const text of texts) {
      for (const candidate of texts) {
        const lower = candidate.toLowerCase();
        if (isLowerCaseOf(text, lower) !== (text.toLowerCase() === lower)) expect.fail(`${JSON.stringify(text)} vs ${JSON.stringify(lower)}`);
        checked++;
      }
    }
    expect(checked).toBe(texts.length ** 2);
    expect(isLowerCaseOf('userName', 'username')).toBe(true);
    expect(isLowerCaseOf('userName', 'usernam')).toBe(false);
    expect(isLowerCaseOf('\u212a', 'k')).toBe(true);
  });
});
