import { describe, expect, it } from 'vitest';
import { toScimError } from '../../src/http/errors.js';
import { ScimError } from '../../src/scim/errors.js';

describe('toScimError', () => {
  it('keeps ScimErrors, maps body-parser failures, keeps other 4xx client errors, and hides everything else as 500', () => {
    const own = new ScimError(409, 'uniqueness', 'taken');
    expect(toScimError(own)).toBe(own);
    expect(toScimError({ type: 'entity.too.large', limit: 10 }).status).toBe(413);
    expect(toScimError({ type: 'entity.parse.failed' })).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(toScimError(Object.assign(new Error('range'), { status: 416 })).status).toBe(416);
    const hidden = toScimError(new Error('/secret/path.ts:12 exploded'));
    expect(hidden.status).toBe(500);
    expect(hidden.detail).not.toContain('secret');
    expect(toScimError(Object.assign(new Error('x'), { status: 503 })).status).toBe(500);
  });
});
