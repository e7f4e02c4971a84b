import request from 'supertest';
import { DEFAULT_TOKEN } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { Scimulator } from '../../src/runtime.js';
import { parseScenario } from '../../src/seed/scenario.js';
import { seedTenant } from '../../src/seed/seed.js';
import { loadGenerator } from '../../src/seed/generator.js';

// Directories are built here from scenarios parsed in the test: the generator (faker) is loaded lazily, so first.
await loadGenerator();

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const DEVICE = 'urn:example:params:scim:schemas:core:2.0:Device';
export const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
export const AUTH = { Authorization: `Bearer ${DEFAULT_TOKEN}` };
export const HOST = 'scim.test:8080';
export const ROOT = new URL('../..', import.meta.url).pathname;

/** A runtime whose default tenant is seeded with `doc`, and supertest helpers on its app. */
export function seededServer(doc: unknown, source = 'test.json') {
  const runtime = new Scimulator();
  const summary = seedTenant(runtime.defaultTenant, parseScenario(doc, source));
  return { ...serverFor(runtime), summary };
}

export function serverFor(runtime: Scimulator) {
  const app = createApp(runtime);
  const scim = (method: 'get' | 'post' | 'put' | 'delete' | 'patch', path: string, base = '/scim/v2') =>
    request(app)[method](base + path).set(AUTH).set('Host', HOST).set('Content-Type', 'application/scim+json');
  return {
    runtime,
    tenant: runtime.defaultTenant,
    app,
    get: (path: string, base?: string) => scim('get', path, base),
    post: (path: string, body: unknown, base?: string) => scim('post', path, base).send(JSON.stringify(body)),
    put: (path: string, body: unknown, base?: string) => scim('put', path, base).send(JSON.stringify(body)),
    patch: (path: string, body: unknown, base?: string) => scim('patch', path, base).send(JSON.stringify(body)),
    delete: (path: string, base?: string) => scim('delete', path, base),
    control: () => request(app),
  };
}

export type Server = ReturnType<typeof serverFor>;
