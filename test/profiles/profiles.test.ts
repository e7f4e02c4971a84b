/** The profile table, config defaults, header formatting and the middleware's edges. */
import { readFileSync } from 'node:fs';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestScimContext } from '../../src/request-context.js';
import { scimErrorHandler } from '../../src/http/errors.js';
import { formatWarningHeader, profileMiddleware, warningHeaderValues } from '../../src/profiles/middleware.js';
import { PROFILES, applyProfileDefaults, isTolerated } from '../../src/profiles/profiles.js';
import { DEVIATION_CODES, QUIRKS, rfcSection } from '../../src/profiles/quirks.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { Scimulator } from '../../src/runtime.js';
import type { TenantConfig } from '../../src/tenant.js';
import { PATCH_OP } from './helpers.js';

describe('PROFILES', () => {
  it('lenient tolerates every deviation, rfc none', () => {
    expect([...PROFILES.lenient.tolerated].sort()).toEqual([...DEVIATION_CODES].sort());
    expect(PROFILES.rfc.tolerated.size).toBe(0);
  });

  it('entra tolerates what Entra ID sends, okta what Okta sends', () => {
    expect([...PROFILES.entra.tolerated].sort()).toEqual(
      ['attribute-value-filter', 'boolean-string', 'complex-as-string', 'complex-empty', 'dotted-keys', 'empty-operations', 'extra-schema-urn', 'filter-on-single-valued', 'filter-unquoted', 'member-bare-string', 'op-case', 'remove-with-value', 'replace-no-target'],
    );
    expect([...PROFILES.okta.tolerated]).toEqual(['patch-readonly', 'member-bare-string', 'attribute-value-filter']);
    expect(PROFILES.entra.configDefaults).toEqual({ patchStatus: { Group: 204 } });
    expect(PROFILES.okta.configDefaults).toEqual({});
  });

  it('informational codes (and codes of other layers) are never rejected', () => {
    for (const q of QUIRKS.filter((x) => x.kind === 'informational')) {
      for (const p of ['rfc', 'okta', 'entra', 'lenient'] as const) expect(isTolerated(p, q.code)).toBe(true);
    }
    expect(isTolerated('rfc', 'filter-unquoted-value')).toBe(true);
    expect(isTolerated('rfc', 'op-case')).toBe(false);
  });

  it('every deviation has a scimType; informational quirks have none', () => {
    for (const q of QUIRKS) {
      if (q.kind === 'deviation') expect(q, q.code).toHaveProperty('scimType');
      else expect(q, q.code).not.toHaveProperty('scimType');
      expect(q.rfc).toMatch(/^RFC 764[34] \d+(\.\d+)*$/);
    }
    expect(new Set(QUIRKS.map((q) => q.code)).size).toBe(QUIRKS.length);
  });

  it('the README lists every quirk with its kind and section', () => {
    const readme = readFileSync(new URL('../../src/profiles/README.md', import.meta.url), 'utf8');
    for (const q of QUIRKS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${q.code}\` |`));
      expect(row, q.code).toBeDefined();
      expect(row).toContain(`| ${q.kind} |`);
      expect(row).toContain(q.rfc);
      for (const p of ['lenient', 'rfc', 'entra', 'okta'] as const) {
        expect(row).toContain(`${p}: ${isTolerated(p, q.code) ? 'yes' : 'no'}`);
      }
    }
  });

  it('rfcSection', () => {
    expect(rfcSection('RFC 7644 3.5.2')).toBe('RFC 7644 section 3.5.2');
    expect(rfcSection('RFC 7643 3')).toBe('RFC 7643 section 3');
  });
});

describe('applyProfileDefaults', () => {
  const server = new Scimulator();
  const base = (over: Partial<TenantConfig> = {}): TenantConfig => ({ ...server.baseConfig(), profile: 'lenient', patchStatus: {}, ...over });

  it('at creation: defaults fill what is unset, entries already present win', () => {
    expect(applyProfileDefaults(undefined, base({ profile: 'entra' })).patchStatus).toEqual({ Group: 204 });
    expect(applyProfileDefaults(undefined, base({ profile: 'entra', patchStatus: { Group: 200 } })).patchStatus).toEqual({ Group: 200 });
    expect(applyProfileDefaults(undefined, base({ profile: 'rfc' })).patchStatus).toEqual({});
  });

  it('does not mutate its arguments, and is the identity when the profile is unchanged', () => {
    const prev = base();
    const next = base({ profile: 'entra' });
    const out = applyProfileDefaults(prev, next);
    expect(out).not.toBe(next);
    expect(next.patchStatus).toEqual({});
    const same = base({ patchStatus: { Group: 204 } });
    expect(applyProfileDefaults(base({ patchStatus: { Group: 204 } }), same)).toBe(same);
  });

  it('switching away undoes the old profile\'s default that is still in effect', () => {
    const entra = applyProfileDefaults(base(), base({ profile: 'entra' }));
    expect(entra.patchStatus).toEqual({ Group: 204 });
    const back = applyProfileDefaults(entra, { ...entra, profile: 'rfc', patchStatus: { ...entra.patchStatus } });
    expect(back.patchStatus).toEqual({});
  });
});

describe('Scimulator-Warning formatting', () => {
  it('escapes quotes, backslashes, control and non-ASCII characters; sanitises the code', () => {
    const value = formatWarningHeader({ code: 'we ird\r\n', rfc: 'RFC "x"', detail: 'a "b" \\ c\r\nd é 😀 \u007f' });
    expect(value).toBe('we-ird--; rfc="RFC \\"x\\""; "a \\"b\\" \\\\ c\\r\\nd \\u00e9 \\ud83d\\ude00 \\u007f"');
    expect(value).toMatch(/^[\x20-\x7e]+$/);
  });

  it('long details are cut', () => {
    const value = formatWarningHeader({ code: 'x', rfc: 'RFC 7644 1', detail: 'y'.repeat(5000) });
    expect(value.length).toBeLessThan(450);
    expect(value).toContain('...');
  });

  it('warningHeaderValues: no values for no warnings, and a "more" value beyond the bound', () => {
    expect(warningHeaderValues([])).toEqual([]);
    const many = Array.from({ length: 60 }, (_, i) => ({ code: 'c', rfc: 'RFC 7644 1', detail: `d${i}` }));
    const values = warningHeaderValues(many);
    expect(values).toHaveLength(51);
    expect(values.at(-1)).toBe('more; count=10; "10 more warnings for this request are in the request journal"');
  });
});

describe('profileMiddleware edges', () => {
  afterEach(() => vi.restoreAllMocks());

  const appWith = (resolve: Parameters<typeof profileMiddleware>[0]) => {
    const app = express();
    app.use(express.json({ type: () => true }));
    app.use((_req, res, next) => {
      res.locals.scim = { tenantId: 'default', relativePath: '/Users/x', operation: 'patch', resourceType: 'User', warnings: [] } satisfies RequestScimContext;
      next();
    });
    app.use(profileMiddleware(resolve));
    app.use((req, res) => {
      res.json({ body: req.body, warnings: (res.locals.scim as RequestScimContext).warnings });
    });
    app.use(scimErrorHandler);
    return app;
  };
  const quirky = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };

  it('passes requests through untouched when the resolver gives nothing (or throws)', async () => {
    for (const resolve of [() => undefined, () => { throw new Error('boom'); }]) {
      const res = await request(appWith(resolve)).patch('/Users/x').send(quirky);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ body: quirky, warnings: [] });
    }
  });

  it('a failure inside the linter lets the request through as sent and says so', async () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const registry = { resourceType: () => { throw new Error('broken registry'); } } as unknown as SchemaRegistry;
    const app = appWith((_req, res) => ({ tenant: { config: { profile: 'rfc', warningsHeader: false }, registry }, context: res.locals.scim }));
    const res = await request(app).patch('/Users/x').send(quirky);
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual(quirky);
    expect(emit).toHaveBeenCalledWith(expect.stringContaining('could not inspect PATCH /Users/x: broken registry'));
  });

  it('reads the profile per request (a config change applies to the next request)', async () => {
    const tenant = { config: { profile: 'rfc' as const as 'rfc' | 'lenient', warningsHeader: false }, registry: SchemaRegistry.builtIn() };
    const app = appWith((_req, res) => ({ tenant, context: res.locals.scim }));
    expect((await request(app).patch('/Users/x').send(quirky)).status).toBe(400);
    tenant.config.profile = 'lenient';
    const res = await request(app).patch('/Users/x').send(quirky);
    expect(res.status).toBe(200);
    expect(res.body.body.Operations).toEqual([{ op: 'replace', path: 'active', value: false }]);
  });
});
