import { describe, expect, it } from 'vitest';
import { secretEquals } from '../../src/http/auth.js';

describe('secretEquals', () => {
  it('is true only for the same secret', () => {
    expect(secretEquals('scimulator-dev-token', 'scimulator-dev-token')).toBe(true);
    expect(secretEquals('', '')).toBe(true);
    for (const given of ['scimulator-dev-tokeN', 'scimulator-dev-toke', 'scimulator-dev-token ', '', 'x', 'scimulator-dev-token\u0000', '\u0100cimulator-dev-token']) {
      expect(secretEquals(given, 'scimulator-dev-token'), JSON.stringify(given)).toBe(false);
    }
    expect(secretEquals('a', '')).toBe(false);
    expect(secretEquals('pässwörd', 'pässwörd')).toBe(true);
    expect(secretEquals('pässwörd', 'passwörd')).toBe(false);
  });
});
