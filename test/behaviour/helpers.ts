/**
 * Scripted SCIM clients against the real pipeline (createApp + supertest), with the tenant clock frozen: a client
 * "waits" by advancing the clock. Each call returns the journal id of the request it made, so tests can assert
 * the request ids of a finding.
 */
import request from 'supertest';
import type { Express } from 'express';
import { expect } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { DEFAULT_TOKEN, type ScimulatorOptions } from '../../src/config.js';
import type { BehaviourReport } from '../../src/behaviour/analyser.js';
import type { JournalEntry } from '../../src/journal/journal.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const START = '2030-01-01T00:00:00.000Z';

export interface Reply {
  /** 0 when the connection was reset. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** The journal id of this request ("req-7"). */
  id: string;
}

export type Harness = ReturnType<typeof harness>;

export function harness(options: Partial<ScimulatorOptions> = {}) {
  const app: Express = createApp(options);
  const control = {
    get: (path: string) => request(app).get(`/_mock${path}`),
    post: (path: string, body: unknown) => request(app).post(`/_mock${path}`).send(body as object),
    patch: (path: string, body: unknown) => request(app).patch(`/_mock${path}`).send(body as object),
    delete: (path: string) => request(app).delete(`/_mock${path}`),
  };
  const ok = async (r: request.Test, status = 200) => {
    const res = await r;
    if (res.status !== status) throw new Error(`control ${res.status}: ${res.text}`);
    return res.body;
  };
  return {
    app,
    control,
    ok,
    freeze: () => ok(control.post('/clock', { freeze: START })),
    advance: (ms: number) => ok(control.post('/clock', { advance: ms })),
    config: (patch: Record<string, unknown>) => ok(control.patch('/config', patch)),
    fault: async (rule: Record<string, unknown>): Promise<string> => (await ok(control.post('/faults', rule), 201)).id,
    report: (): Promise<BehaviourReport> => ok(control.get('/behaviour')),
    entry: (id: string): Promise<JournalEntry> => ok(control.get(`/requests/${id}`)),
    conformance: () => ok(control.get('/conformance')),
    /** A client of the default tenant, or of tenant `tenant` with its token. */
    client: (userAgent: string, opts: { token?: string; tenant?: string } = {}) => {
      const prefix = opts.tenant ? `/tenants/${opts.tenant}` : '';
      return new ScriptedClient(app, userAgent, opts.token ?? DEFAULT_TOKEN, `${prefix}/scim/v2`, async () => {
        const body = await ok(control.get(`${prefix}/requests?order=desc&limit=1`));
        return body.requests[0].id as string;
      });
    },
  };
}

export class ScriptedClient {
  constructor(
    private readonly app: Express,
    readonly userAgent: string,
    private readonly token: string,
    private readonly base: string,
    private readonly lastId: () => Promise<string>,
  ) {}

  async send(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    let r = request(this.app)[method.toLowerCase() as 'get'](this.base + path)
      .set('Authorization', `Bearer ${this.token}`)
      .set('User-Agent', this.userAgent)
      .set('Host', 'scim.test');
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    if (body !== undefined) r = r.set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
    let reply: Omit<Reply, 'id'>;
    try {
      const res = await r;
      reply = { status: res.status, headers: res.headers, body: res.body };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ECONNRESET' && !/socket hang up/.test((err as Error).message)) throw err;
      reply = { status: 0, headers: {}, body: undefined };
    }
    return { ...reply, id: await this.lastId() };
  }

  get = (path: string, headers?: Record<string, string>) => this.send('GET', path, undefined, headers);
  post = (path: string, body: unknown, headers?: Record<string, string>) => this.send('POST', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.send('PUT', path, body, headers);
  patch = (path: string, body: unknown, headers?: Record<string, string>) => this.send('PATCH', path, body, headers);
}

/** Users u1..un created by an administrator (its own client: its requests are followed apart). */
export async function seedUsers(h: Harness, n: number, extra: (i: number) => Record<string, unknown> = () => ({})): Promise<Array<{ id: string; userName: string }>> {
  const admin = h.client('admin-setup/1.0');
  const out: Array<{ id: string; userName: string }> = [];
  for (let i = 1; i <= n; i++) {
    const res = await admin.post('/Users', { schemas: [USER], userName: `u${i}`, ...extra(i) });
    if (res.status !== 201) throw new Error(`seed u${i}: ${res.status}`);
    out.push({ id: res.body.id, userName: `u${i}` });
  }
  return out;
}

/** The findings of the tenant, as [code, requestIds] pairs in the order they were raised. */
export async function findingsOf(h: Harness): Promise<Array<[string, string[]]>> {
  const report = await h.report();
  const all = report.clients.flatMap((c) => c.findings);
  all.sort((a, b) => Number(a.requestIds.at(-1)!.slice(4)) - Number(b.requestIds.at(-1)!.slice(4)));
  return all.map((f) => [f.code, f.requestIds]);
}

/** A well-behaved client draws nothing: no finding in the report, on any journal entry, or in the summary. */
export async function expectNoFindings(h: Harness): Promise<void> {
  const report = await h.report();
  expect(report.clients.flatMap((c) => c.findings.map((f) => `${f.code}: ${f.detail}`))).toEqual([]);
  expect(report.totalFindings).toBe(0);
  const summary = await h.conformance();
  expect(summary.behaviour).toEqual([]);
  expect(summary.requestsWithFindings).toBe(0);
  expect(report.clients.length).toBeGreaterThan(0);
}
