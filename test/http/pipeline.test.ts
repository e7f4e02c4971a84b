/**
 * The dispatcher's URL work, checked against the plain definitions it replaces (slice, toLowerCase, split):
 * the mount of a SCIM URL (tenant and prefix, case-insensitive, non-ASCII included) and a path's segments.
 */
import { describe, expect, it } from 'vitest';
import { pathSegments } from '../../src/http/classify.js';
import { scimMount } from '../../src/http/pipeline.js';

/** scimMount as it was written with slices and toLowerCase. */
function referenceMount(url: string, basePath: string, tenantsPrefix = '/tenants/'): { tenantId: string; prefixLength: number } | undefined {
  const base = basePath.toLowerCase();
  const startsWithSegment = (at: number, prefix: string) => {
    if (prefix === '') return true;
    if (url.length < at + prefix.length) return false;
    if (url.slice(at, at + prefix.length).toLowerCase() !== prefix) return false;
    const next = url.charCodeAt(at + prefix.length);
    return Number.isNaN(next) || next === 0x2f || next === 0x3f;
  };
  if (url.length > tenantsPrefix.length && url.slice(0, tenantsPrefix.length).toLowerCase() === tenantsPrefix) {
    let end = tenantsPrefix.length;
    while (end < url.length && url.charCodeAt(end) !== 0x2f && url.charCodeAt(end) !== 0x3f) end++;
    const raw = url.slice(tenantsPrefix.length, end);
    if (raw !== '' && startsWithSegment(end, base)) {
      let tenantId = raw;
      if (raw.includes('%')) {
        try {
          tenantId = decodeURIComponent(raw);
        } catch {
          tenantId = raw;
        }
      }
      return { tenantId, prefixLength: end + base.length };
    }
  }
  if (startsWithSegment(0, base)) return { tenantId: 'default', prefixLength: base.length };
  return undefined;
}

describe('scimMount', () => {
  it('finds the tenant and the prefix as the slice-and-lower-case definition does, for URLs in any case and with non-ASCII characters', () => {
    const starts = ['', '/tenants/', '/TENANTS/', '/Tenants/a%20b', '/tenants/İ', '/tenant/', '/tenants/t1'];
    const bases = ['', '/scim/v2', '/SCIM/V2', '/ſcim/v2', '/scİm/v2', '/sc\u212aim/v2', '/sc\u212a/V2', '/scim/v2x', '/scim', '/Scim/V2/'];
    const ends = ['', '/', '?a=1', '/Users', 'x', '/Users?x=1'];
    let checked = 0;
    for (const basePath of ['/scim/v2', '/', '/sck/V2']) {
      for (const s of starts) for (const b of bases) for (const e of ends) {
        const url = s + b + e;
        expect([url, basePath, scimMount(url, basePath)]).toEqual([url, basePath, referenceMount(url, basePath)]);
        checked++;
      }
    }
    expect(checked).toBe(3 * starts.length * bases.length * ends.length);
    expect(scimMount('/Tenants/acme/SCIM/v2/Users?x=1', '/scim/v2')).toEqual({ tenantId: 'acme', prefixLength: '/Tenants/acme/SCIM/v2'.length });
  });
});

describe('pathSegments', () => {
  it('gives the non-empty segments before "?" or "#", as splitting and filtering does', () => {
    const reference = (p: string) => {
      const q = p.search(/[?#]/);
      return (q === -1 ? p : p.slice(0, q)).split('/').filter((s) => s.length > 0);
    };
    const parts = ['', '/', '//', 'Users', 'a', '?', '#', '?x=1', '#f', '%2F', '.search', 'b/c'];
    for (const a of parts) for (const b of parts) for (const c of parts) for (const d of parts) {
      const path = a + b + c + d;
      expect([path, pathSegments(path)]).toEqual([path, reference(path)]);
    }
  });
});
