import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app.js';
import { DEFAULT_TOKEN, type ScimulatorOptions } from '../../src/config.js';

export const AUTH = { Authorization: `Bearer ${DEFAULT_TOKEN}` };
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The RFC 7644 section 3.3 create example. */
export const BJENSEN = {
  schemas: [USER_SCHEMA],
  userName: 'bjensen',
  externalId: 'bjensen',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
};

export const TEST_HOST = 'scim.test:8080';

export function client(options: Partial<ScimulatorOptions> = {}) {
  const app: Express = createApp(options);
  const base = options.basePath ?? '/scim/v2';
  // supertest listens on a new port per request; a fixed Host keeps absolute URLs (meta.location) stable.
  const r = () => request(app);
  const common = (req: request.Test) => req.set(AUTH).set('Host', TEST_HOST);
  const json = (req: request.Test) => common(req).set('Content-Type', 'application/scim+json');
  return {
    app,
    get: (path: string) => common(r().get(base + path)),
    post: (path: string, body: unknown) => json(r().post(base + path)).send(JSON.stringify(body)),
    put: (path: string, body: unknown) => json(r().put(base + path)).send(JSON.stringify(body)),
    patch: (path: string, body: unknown) => json(r().patch(base + path)).send(JSON.stringify(body)),
    delete: (path: string) => common(r().delete(base + path)),
    raw: r,
  };
}

export type Client = ReturnType<typeof client>;

export async function createUser(c: Client, userName: string, extra: Record<string, unknown> = {}) {
  const res = await c.post('/Users', { schemas: [USER_SCHEMA], userName, ...extra });
  if (res.status !== 201) throw new Error(`create ${userName}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

export function expectScimError(res: request.Response, status: number, scimType?: string) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  if (!/^application\/scim\+json/.test(res.headers['content-type'] ?? '')) throw new Error(`content-type ${res.headers['content-type']}`);
  const body = JSON.parse(res.text);
  if (body.schemas?.[0] !== ERROR_SCHEMA) throw new Error(`not a SCIM error: ${res.text}`);
  if (body.status !== String(status)) throw new Error(`status field ${body.status}`);
  if (scimType !== undefined && body.scimType !== scimType) throw new Error(`scimType ${body.scimType} != ${scimType}: ${body.detail}`);
  if (typeof body.detail !== 'string' || body.detail.length < 10) throw new Error(`detail missing: ${res.text}`);
  if (/\bat .*\.(ts|js):\d+/.test(res.text)) throw new Error('stack trace leaked');
  return body as { status: string; scimType?: string; detail: string };
}
