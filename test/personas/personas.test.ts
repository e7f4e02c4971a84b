/**
 * The persona files as data (a source link for every setting, names that resolve, rules that load), the README
 * table generated from them, and the ways to choose a persona: --persona, PATCH /_mock/config, POST /_mock/tenants,
 * scenario options.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { startScimulator } from '../../src/index.js';
import { FaultRegistry } from '../../src/faults/registry.js';
import { PERSONA_NAMES, PERSONAS, capabilitiesOf, personaTable } from '../../src/personas/index.js';
import { PERSONA_SETTING_NAMES } from '../../src/personas/types.js';
import { systemClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { indexedAttributes, SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { parseScenario } from '../../src/seed/scenario.js';
import { client, expectScimError, GROUP_SCHEMA, USER_SCHEMA } from '../http/helpers.js';
import { extraKeys, SERVICE_PROVIDER_CONFIG } from '../http/rfc-allowlist.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const HTTPS = /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\/\S*$/;

describe('the persona files', () => {
  it('every setting of every persona carries a source link to the vendor\'s public documentation', () => {
    for (const persona of PERSONAS) {
      expect(persona.documentation, persona.name).toMatch(HTTPS);
      for (const [name, setting] of Object.entries(persona.settings)) {
        expect(PERSONA_SETTING_NAMES, `${persona.name}.${name}`).toContain(name);
        expect(setting.source, `${persona.name}.${name}`).toMatch(HTTPS);
        expect(setting, `${persona.name}.${name}`).toHaveProperty('value');
      }
      // A constraint is either set (with its source) or listed as not documented, never both.
      for (const name of Object.keys(persona.notDocumented)) {
        expect(PERSONA_SETTING_NAMES, `${persona.name}.notDocumented.${name}`).toContain(name);
        expect(persona.settings, `${persona.name}.${name}`).not.toHaveProperty(name);
      }
    }
  });

  it('has at least the five targets of the issue, with unique names', () => {
    expect(PERSONA_NAMES).toEqual(['aws', 'github', 'slack', 'atlassian', 'zoom']);
    expect(PERSONAS.map((p) => p.title)).toEqual(['AWS IAM Identity Center', 'GitHub Enterprise Managed Users', 'Slack', 'Atlassian Cloud', 'Zoom']);
  });

  it('every filter attribute a persona names resolves against the schemas', () => {
    const registry = SchemaRegistry.builtIn();
    for (const persona of PERSONAS) {
      for (const [typeName, combinations] of Object.entries(persona.settings.filter?.value.attributes ?? {})) {
        const type = registry.resourceType(typeName);
        expect(type, `${persona.name}: ${typeName}`).toBeDefined();
        for (const path of combinations.flat()) expect(type!.resolve(path), `${persona.name}: ${typeName}.${path}`).toBeDefined();
      }
    }
  });

  it('every attribute a persona keeps unique is one the store indexes (the check is a lookup, not a scan)', () => {
    const registry = SchemaRegistry.builtIn();
    for (const persona of PERSONAS) {
      for (const [typeName, names] of Object.entries(persona.settings.uniqueAttributes?.value ?? {})) {
        const type = registry.resourceType(typeName);
        expect(type, `${persona.name}: ${typeName}`).toBeDefined();
        for (const name of names) expect(indexedAttributes(type!), `${persona.name}: ${typeName}.${name}`).toContain(type!.coreAttribute(name)?.name);
      }
    }
  });

  it('every rate limit is a valid fault rule with its own id', () => {
    const registry = new FaultRegistry({ random: new SeededRandom(1), clock: systemClock });
    for (const persona of PERSONAS) {
      for (const rule of persona.settings.rateLimits?.value ?? []) {
        expect(rule.id, persona.name).toMatch(new RegExp(`^persona-${persona.name}-`));
        expect(() => registry.add(rule), `${persona.name}: ${rule.id}`).not.toThrow();
      }
    }
  });

  it('without a persona, a tenant has no capability limits and plain RFC discovery', async () => {
    const c = client();
    expect(runtimeOf(c.app).defaultTenant.capabilities).toEqual({});
    const spc = (await c.get('/ServiceProviderConfig')).body;
    expect(spc).toMatchObject({ patch: { supported: true }, bulk: { supported: true }, sort: { supported: true }, etag: { supported: true }, changePassword: { supported: true } });
    expect(spc.documentationUri).toBe('https://github.com/scimulator/scimulator#readme');
  });

  it.each(PERSONAS.map((p) => [p.name]))('%s: ServiceProviderConfig stays within RFC 7643 section 5 and tells the truth about the capabilities', async (name) => {
    const c = client({ persona: name });
    // A User-Agent, as every HTTP client but supertest sends one (GitHub refuses requests without it).
    const spc = (await c.get('/ServiceProviderConfig').set('User-Agent', 'scimulator-tests')).body;
    expect(extraKeys(spc, SERVICE_PROVIDER_CONFIG)).toEqual([]);
    const caps = capabilitiesOf(PERSONAS.find((p) => p.name === name)!);
    expect(spc.sort.supported).toBe(caps.sort ?? true);
    expect(spc.etag.supported).toBe(caps.etag ?? true);
    expect(spc.changePassword.supported).toBe(caps.changePassword ?? true);
    expect(spc.bulk.supported).toBe(!caps.unsupportedOperations?.some((o) => o.operation === 'bulk'));
  });
});

describe('the README', () => {
  it('holds the persona table generated from the persona files (every source link included)', () => {
    expect(README).toContain(personaTable());
    for (const persona of PERSONAS) for (const setting of Object.values(persona.settings)) expect(README).toContain(setting.source);
  });

  it('documents --persona, --member-policy and --advertise-pagination', () => {
    for (const flag of ['--persona', '--member-policy', '--advertise-pagination']) expect(README).toContain(`\`${flag}\``);
  });
});

describe('choosing a persona', () => {
  it('--persona with an unknown name is refused at start', () => {
    expect(() => client({ persona: 'okta-target' })).toThrow('--persona must be one of aws, github, slack, atlassian, zoom; got okta-target');
  });

  it('PATCH /_mock/config {persona} switches it: capabilities, config defaults and fault rules follow; null switches it off', async () => {
    const c = client();
    const control = request(c.app);
    const aws = await control.patch('/_mock/config').send({ persona: 'aws' });
    expect(aws.status).toBe(200);
    expect(aws.body).toMatchObject({ persona: 'aws', defaultPageSize: 100, maxPageSize: 100, patchStatus: { Group: 204 } });
    expect((await c.get('/ServiceProviderConfig')).body.sort.supported).toBe(false);

    const slack = await control.patch('/_mock/config').send({ persona: 'slack' });
    expect(slack.body).toMatchObject({ persona: 'slack', defaultPageSize: 10, maxPageSize: 1000, memberPolicy: 'reject', patchStatus: {} });
    const faults = (await control.get('/_mock/faults')).body.faults.map((r: { id: string }) => r.id);
    expect(faults.every((id: string) => id.startsWith('persona-slack-'))).toBe(true);
    expect(faults.length).toBe(10); // six org-wide and Users rules, four Groups rules (docs.slack.dev/reference/scim-api/rate-limits)

    const none = await control.patch('/_mock/config').send({ persona: null });
    // Back to the server's own values.
    expect(none.body).toMatchObject({ persona: null, defaultPageSize: 100, maxPageSize: 1000, memberPolicy: 'accept', patchStatus: {} });
    expect((await control.get('/_mock/faults')).body.faults).toEqual([]);
    expect((await c.get('/ServiceProviderConfig')).body.sort.supported).toBe(true);

    const bad = await control.patch('/_mock/config').send({ persona: 'azure' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'persona must be one of aws, github, slack, atlassian, zoom, or null for none.', field: 'persona' });
  });

  it('settings given explicitly win over the persona\'s, in the same change and later', async () => {
    const c = client();
    const control = request(c.app);
    const both = await control.patch('/_mock/config').send({ persona: 'slack', memberPolicy: 'drop' });
    expect(both.body.memberPolicy).toBe('drop');
    const later = await control.patch('/_mock/config').send({ defaultPageSize: 50 });
    expect(later.body).toMatchObject({ persona: 'slack', defaultPageSize: 50 });
  });

  it('POST /_mock/tenants {persona} creates a tenant that behaves like the target; reset keeps its rate limits', async () => {
    const c = client();
    const control = request(c.app);
    const created = await control.post('/_mock/tenants').send({ id: 'z', persona: 'zoom' });
    expect(created.status).toBe(201);
    const auth = { Authorization: `Bearer ${created.body.token}` };
    const base = '/tenants/z/scim/v2';
    runtimeOf(c.app).tenants.get('z')!.clock.freeze(Date.now()); // the bucket does not refill while the test runs
    for (let i = 0; i < 60; i++) expect((await control.get(`${base}/Users`).set(auth)).status).toBe(200);
    expect((await control.get(`${base}/Users`).set(auth)).status).toBe(429); // Zoom's Medium label: 60 per second
    await control.post('/_mock/tenants/z/reset').expect(200);
    const rules = (await control.get('/_mock/tenants/z/faults')).body.faults;
    expect(rules.map((r: { id: string }) => r.id)).toEqual(['persona-zoom-light', 'persona-zoom-medium']);
    // The default tenant is untouched.
    expect((await c.get('/ServiceProviderConfig')).body.bulk.supported).toBe(true);
    const bad = await control.post('/_mock/tenants').send({ persona: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('persona');
  });

  it('a scenario file chooses one with options.persona; the JSON Schema lists every persona', () => {
    const scenario = parseScenario(JSON.stringify({ options: { persona: 'github', memberPolicy: 'notFound', advertisePagination: true } }), 'inline.json');
    expect(scenario.options).toEqual({ persona: 'github', memberPolicy: 'notFound', advertisePagination: true });
    expect(() => parseScenario(JSON.stringify({ options: { persona: 'okta' } }), 'bad.json')).toThrow('bad.json: /options/persona: must be one of "aws", "github", "slack", "atlassian", "zoom", null');
    const schema = JSON.parse(readFileSync(new URL('../../seeds/scenario.schema.json', import.meta.url), 'utf8'));
    expect(schema.$defs.options.properties.persona.enum).toEqual([...PERSONA_NAMES, null]);
  });

  it('a seeded tenant with a persona: POST /_mock/tenants {seedFile, persona}', async () => {
    const c = client();
    const control = request(c.app);
    const created = await control.post('/_mock/tenants').send({ id: 'gh', seedFile: 'seeds/default.json', persona: 'github' });
    expect(created.status).toBe(201);
    const auth = { Authorization: `Bearer ${created.body.token}`, 'User-Agent': 'scimulator-tests' };
    const list = await control.get('/tenants/gh/scim/v2/Users').set(auth);
    expect(list.body.itemsPerPage).toBe(30);
    expect(list.body.totalResults).toBe(50);
    const bad = await control.get(`/tenants/gh/scim/v2/Users?filter=${encodeURIComponent('userName sw "a"')}`).set(auth);
    expectScimError(bad, 400, 'invalidFilter');
  });

  it('the default tenant under --persona: a member is refused, a group is created, as the target would', async () => {
    const c = client({ persona: 'slack' });
    expectScimError(await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: 'nobody' }] }), 400, 'invalidValue');
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'a', emails: [{ value: 'a@example.com' }] })).status).toBe(201);
  });
});

describe('the embedding API', () => {
  it('startScimulator({ persona }) and createTenant({ persona }) through the typed client', async () => {
    const scim = await startScimulator({ persona: 'aws' });
    try {
      const auth = { Authorization: `Bearer ${scim.token}` };
      const spc = (await (await fetch(`${scim.baseUrl}/ServiceProviderConfig`, { headers: auth })).json()) as Record<string, any>;
      expect(spc.bulk.supported).toBe(false);
      expect((await scim.config.get()).persona).toBe('aws');
      const tenant = await scim.createTenant({ id: 'slack', persona: 'slack' });
      expect((await tenant.control.config.get()).memberPolicy).toBe('reject');
      await tenant.control.config.update({ persona: null });
      expect((await tenant.control.faults.list())).toEqual([]);
    } finally {
      await scim.close();
    }
  });
});
