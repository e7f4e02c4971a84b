/**
 * What the replays of the IdPs' own test suites share (okta-spec-test, entra-scim-validator, onelogin): a client
 * that sends each step with the headers that suite sends, and the suites' assertions written as they read in the
 * suite (Runscope's `not_empty`, `is_a_number`, `has_value`, `equal`; Postman's `to.include`), so a failing step
 * names the suite's own check.
 */
import request from 'supertest';
import { expect } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { DEFAULT_TOKEN, type ScimulatorOptions } from '../../src/config.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const BEARER = `Bearer ${DEFAULT_TOKEN}`;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Step {
  method: Method;
  /** Relative to the base path, query included as the suite sends it. */
  path: string;
  body?: unknown;
  /** Headers of the step; Authorization defaults to the tenant's bearer token. */
  headers?: Record<string, string>;
}

/** One app (createApp) per suite run; each step a supertest request with the suite's headers. */
export function suiteClient(options: Partial<ScimulatorOptions> = {}, common: Record<string, string> = {}) {
  const app = createApp(options);
  const base = options.basePath ?? '/scim/v2';
  async function send(step: Step): Promise<request.Response> {
    let r = request(app)[step.method](base + step.path).set('Host', 'scim.test');
    const headers: Record<string, string> = { Authorization: BEARER, ...common, ...(step.headers ?? {}) };
    for (const [name, value] of Object.entries(headers)) r = r.set(name, value);
    if (step.body !== undefined) r = r.send(typeof step.body === 'string' ? step.body : JSON.stringify(step.body));
    return r;
  }
  const control = {
    get: (path: string) => request(app).get(`/_mock${path}`),
    patch: (path: string, body: unknown) => request(app).patch(`/_mock${path}`).send(body as object),
  };
  return { app, send, control };
}

/** A JSON property path as Runscope writes it: `Resources[0].name.familyName`, `emails[0].value`. */
export function prop(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (m === null) throw new Error(`bad property path ${path}`);
    value = (value as Record<string, unknown> | undefined)?.[m[1]!];
    for (const index of m[2]!.match(/\d+/g) ?? []) value = (value as unknown[] | undefined)?.[Number(index)];
  }
  return value;
}

/** Runscope `not_empty`: present, and not "", [] or {}. */
export function notEmpty(body: unknown, path: string): void {
  const value = prop(body, path);
  expect(value, `${path} not_empty`).not.toBeUndefined();
  expect(value, `${path} not_empty`).not.toBeNull();
  if (typeof value === 'string' || Array.isArray(value)) expect((value as string | unknown[]).length, `${path} not_empty`).toBeGreaterThan(0);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) expect(Object.keys(value).length, `${path} not_empty`).toBeGreaterThan(0);
}

/** Runscope `is_a_number`: a JSON number (Okta: "exchanged as integers, not as strings"). */
export function isANumber(body: unknown, path: string): void {
  expect(typeof prop(body, path), `${path} is_a_number`).toBe('number');
}

/** Runscope `has_value` / `contains` on an array property. */
export function hasValue(body: unknown, path: string, value: unknown): void {
  expect(prop(body, path), `${path} has_value ${String(value)}`).toContain(value);
}

/** Runscope `equal`: the property's text equals the expected text ("0" equals 0, "true" equals true). */
export function equalText(body: unknown, path: string, value: string): void {
  expect(String(prop(body, path)), `${path} equal ${value}`).toBe(value);
}

/** Every SCIM answer's media type (RFC 7644 section 3.1; Entra's validator aborts on anything else). */
export function scimJson(res: request.Response): void {
  expect(res.headers['content-type'], 'Content-Type').toMatch(/^application\/scim\+json/);
}
