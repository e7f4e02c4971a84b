/**
 * Credential headers keep their scheme and lose the rest: "Bearer abc" -> "Bearer [REDACTED]", a scheme alone is
 * kept, anything else is "[REDACTED]". Checked against the grammar as one regular expression says it (RFC 7235
 * section 2.1: the scheme is a token, then whitespace, then the credentials), over every value built from
 * pieces that sit on its edges.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders } from '../../src/journal/journal.js';

const GRAMMAR = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(\s+)([\s\S]*)$/;
function expected(value: string): string {
  if (value === '') return value;
  const m = GRAMMAR.exec(value);
  if (m) return m[3] === '' ? value : `${m[1]} ${REDACTED}`;
  return REDACTED;
}

describe('credential header redaction', () => {
  it('keeps the scheme of Authorization and Proxy-Authorization as the grammar says, for every value made of edge pieces', () => {
    const pieces = ['Bearer', 'Basic', 'b', '', ' ', '  ', '\t', '\u00a0', 'x', 'tok=', '=', '1', 'é', '\u2028', ':', 'abc def', 'A-b.c'];
    let checked = 0;
    for (const a of pieces) for (const b of pieces) for (const c of pieces) for (const d of pieces) {
      const value = a + b + c + d;
      const got = redactHeaders({ authorization: value, 'proxy-authorization': [value, 'Basic dXNlcjpwYXNz'] });
      if (got.authorization !== expected(value)) expect.fail(`${JSON.stringify(value)} -> ${JSON.stringify(got.authorization)}, expected ${JSON.stringify(expected(value))}`);
      expect(got['proxy-authorization']).toEqual([expected(value), `Basic ${REDACTED}`]);
      checked++;
    }
    expect(checked).toBe(pieces.length ** 4);
  });

  it('never keeps the credentials, whatever the scheme', () => {
    const got = redactHeaders({ Authorization: 'Bearer s3cr3t', cookie: 'sid=s3cr3t', 'x-api-key': 's3cr3t', 'user-agent': 'Okta SCIM Client 1.0' });
    expect(got).toEqual({ Authorization: `Bearer ${REDACTED}`, cookie: REDACTED, 'x-api-key': REDACTED, 'user-agent': 'Okta SCIM Client 1.0' });
    expect(JSON.stringify(got)).not.toContain('s3cr3t');
  });
});
