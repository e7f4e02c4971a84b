/**
 * A typed client for the control API. The same object drives an in-process Scimulator (startScimulator) and one
 * started as a separate process (a CI service container): `new ScimulatorClient(url, { controlToken })`.
 */
import type { BehaviourReport } from './behaviour/analyser.js';
import type { FaultRule, FaultRuleInput } from './faults/types.js';
import type { ConformanceSummary, JournalEntry, JournalQuery } from './journal/journal.js';
import type { JournalStreamEvent, JournalStreamQuery } from './journal/stream.js';
import type { ConformanceReport } from './journal/report.js';
import type { SnapshotDocument } from './store/snapshot.js';
import type { TenantAuth, TenantConfig } from './tenant.js';
import { journalStreamEvent, SseParser } from './ui/sse.js';

export class ScimulatorControlError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
    this.name = 'ScimulatorControlError';
  }
}

export interface ClientOptions {
  controlToken?: string;
  controlPath?: string;
}

/** POST /tenants: where the new tenant is and what a client needs to call it, by its auth mode. */
export interface TenantInfo {
  id: string;
  baseUrl: string;
  /** How the tenant authenticates SCIM requests (a seed file's options.auth may choose basic or oauth). */
  auth: TenantAuth['mode'];
  /** auth "bearer" (and "none", where any request is accepted): send `Authorization: Bearer <token>`. */
  token?: string;
  /** auth "basic": the user and password of `Authorization: Basic`. */
  basicUser?: string;
  basicPassword?: string;
  /** auth "oauth": POST grant_type=client_credentials here with the client credentials for an access token. */
  tokenEndpoint?: string;
  clientId?: string;
  clientSecret?: string;
}

/** PATCH /config: any subset of the options, `auth` included field by field. */
export type TenantConfigPatch = Partial<Omit<TenantConfig, 'auth'>> & { auth?: Partial<Omit<TenantAuth, 'me'>> & { me?: string | null } };

/** GET /oauth: the tenant's OAuth 2.0 settings and its issued tokens. */
export interface OAuthInfo {
  mode: TenantAuth['mode'];
  /** POST here with grant_type=client_credentials (RFC 6749 section 4.4). */
  tokenEndpoint: string;
  clientId: string;
  tokenLifetime: number;
  activeTokens: number;
  expiredTokens: number;
}

export interface TenantSpecInput {
  id?: string;
  seed?: number;
  users?: number;
  groups?: number;
  seedFile?: string;
  profile?: TenantConfig['profile'];
  /** A target persona: aws, github, slack, atlassian, zoom. */
  persona?: string;
  token?: string;
}

/** The control operations of one tenant. */
export class TenantControl {
  protected readonly root: string;

  constructor(
    readonly url: string,
    readonly tenantId: string | undefined,
    protected readonly options: ClientOptions = {},
  ) {
    const control = `${url.replace(/\/+$/, '')}${options.controlPath ?? '/_mock'}`;
    this.root = tenantId ? `${control}/tenants/${encodeURIComponent(tenantId)}` : control;
  }

  protected async call<T>(method: string, path: string, body?: unknown, root = this.root): Promise<T> {
    const res = await this.send(method, path, body, root);
    return (await this.parse(res, method, path)) as T;
  }

  private send(method: string, path: string, body?: unknown, root = this.root, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.options.controlToken) headers.Authorization = `Bearer ${this.options.controlToken}`;
    return fetch(`${root}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  }

  private async parse(res: Response, method: string, path: string): Promise<unknown> {
    const text = await res.text();
    // application/json and +json are parsed; NDJSON (application/x-ndjson) stays text.
    const parsed: unknown = text && /[/+]json\b/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
    if (!res.ok) {
      const error = parsed as { error?: string; field?: string };
      throw new ScimulatorControlError(res.status, error?.error ?? `${method} ${path} answered ${res.status}`, error?.field);
    }
    return parsed;
  }

  /** GET /requests/stream as events; ends when the server ends the stream, the loop breaks, or `signal` aborts. */
  private async *streamEvents(query: JournalStreamQuery, signal: AbortSignal | undefined): AsyncGenerator<JournalStreamEvent> {
    const path = `/requests/stream?${queryString(query)}`;
    const res = await this.send('GET', path, undefined, this.root, signal);
    if (!res.ok || !res.body) {
      await this.parse(res, 'GET', path);
      throw new ScimulatorControlError(res.status, `GET ${path} answered without a body`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const e of parser.push(decoder.decode(value, { stream: true }))) {
          const event = journalStreamEvent(e);
          if (event) yield event;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  readonly faults = {
    add: (rule: FaultRuleInput) => this.call<FaultRule>('POST', '/faults', rule),
    list: async () => (await this.call<{ faults: FaultRule[] }>('GET', '/faults')).faults,
    get: (id: string) => this.call<FaultRule>('GET', `/faults/${encodeURIComponent(id)}`),
    remove: async (id: string) => void (await this.call('DELETE', `/faults/${encodeURIComponent(id)}`)),
    clear: async () => void (await this.call('DELETE', '/faults')),
  };

  readonly requests = {
    list: async (query: JournalQuery = {}) => (await this.call<{ requests: JournalEntry[] }>('POST', '/requests/find', query)).requests,
    find: async (query: JournalQuery = {}) => (await this.call<{ requests: JournalEntry[] }>('POST', '/requests/find', query)).requests,
    count: async (query: JournalQuery = {}) => (await this.call<{ count: number }>('POST', '/requests/count', query)).count,
    get: (id: string) => this.call<JournalEntry>('GET', `/requests/${encodeURIComponent(id)}`),
    clear: async () => void (await this.call('DELETE', '/requests')),
    /** Waits for the first request after `query.since` (default: now) that matches. */
    waitFor: async (query: JournalQuery = {}, { timeoutMs = 5000 }: { timeoutMs?: number } = {}) => {
      const since = query.since ?? (await this.call<{ lastSeq: number }>('POST', '/requests/find', { limit: 1 })).lastSeq;
      return this.call<JournalEntry>('GET', `/requests/wait?${queryString({ ...query, since, timeoutMs })}`);
    },
    export: (format: 'ndjson' | 'har' = 'ndjson') => this.call<unknown>('GET', `/requests/export?format=${format}`),
    /**
     * The live feed: entries as they are recorded (after `since`, or the last `tail`, or from now), with `hello`,
     * `dropped`, `cleared` and `stats` events. `for await (const e of scim.requests.stream({ operation: 'patch' }))`; break
     * (or abort `signal`) to close it.
     */
    stream: (query: JournalStreamQuery = {}, { signal }: { signal?: AbortSignal } = {}) => this.streamEvents(query, signal),
  };

  conformance(): Promise<ConformanceSummary> {
    return this.call('GET', '/conformance');
  }

  /**
   * The conformance report: one check per known code, passed or failed. From a ScimulatorClient it covers every
   * tenant; from tenant(id), that tenant. 'junit' and 'text' return the rendered document.
   */
  conformanceReport(format?: 'json'): Promise<ConformanceReport>;
  conformanceReport(format: 'junit' | 'text'): Promise<string>;
  conformanceReport(format: 'json' | 'junit' | 'text' = 'json'): Promise<ConformanceReport | string> {
    return this.call('GET', `/conformance?format=${format}`);
  }

  /** What the behaviour analyser found: per code, and per client with the request ids (GET /behaviour). */
  readonly behaviour = {
    report: () => this.call<BehaviourReport>('GET', '/behaviour'),
    /** Forgets every client and finding (journal entries keep theirs). */
    clear: async () => void (await this.call('DELETE', '/behaviour')),
  };

  async reset(keep: Array<'faults' | 'journal'> = []): Promise<void> {
    await this.call('POST', keep.length ? `/reset?keep=${keep.join(',')}` : '/reset');
  }

  snapshot(): Promise<SnapshotDocument> {
    return this.call('GET', '/snapshot');
  }

  async restore(snapshot: SnapshotDocument): Promise<void> {
    await this.call('PUT', '/snapshot', snapshot);
  }

  readonly config = {
    get: () => this.call<TenantConfig & { tenant: string }>('GET', '/config'),
    update: (patch: TenantConfigPatch) => this.call<TenantConfig & { tenant: string }>('PATCH', '/config', patch),
  };

  /** OAuth 2.0 (auth mode "oauth"): settings, token revocation, token lifetime. */
  readonly oauth = {
    get: () => this.call<OAuthInfo>('GET', '/oauth'),
    /** Revokes every issued token (they answer 401 invalid_token); resolves with how many were active. */
    revokeTokens: async () => (await this.call<{ revoked: number }>('DELETE', '/oauth/tokens')).revoked,
    /** Seconds new tokens live (tokens already issued keep theirs). */
    setTokenLifetime: async (seconds: number) => void (await this.config.update({ auth: { tokenLifetime: seconds } })),
  };

  readonly clock = {
    now: async () => (await this.call<{ now: string }>('GET', '/clock')).now,
    freeze: async (at: string | Date) => void (await this.call('POST', '/clock', { freeze: typeof at === 'string' ? at : at.toISOString() })),
    advance: async (ms: number) => void (await this.call('POST', '/clock', { advance: ms })),
    real: async () => void (await this.call('POST', '/clock', { real: true })),
  };
}

/** A journal query in query-string form: lists comma-separated, `body` JSON-encoded. */
function queryString(query: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (key === 'body' || (typeof value === 'object' && value !== null && !Array.isArray(value))) params.set(key, JSON.stringify(value));
    else params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}

/** The control API of a whole Scimulator: the default tenant's operations plus tenants and health. */
export class ScimulatorClient extends TenantControl {
  constructor(url: string, options: ClientOptions = {}) {
    super(url, undefined, options);
  }

  health(): Promise<{ status: string; version: string; uptimeMs: number }> {
    return this.call('GET', '/health');
  }

  async createTenant(spec: TenantSpecInput = {}): Promise<TenantInfo & { control: TenantControl }> {
    const info = await this.call<TenantInfo>('POST', '/tenants', spec);
    return { ...info, control: new TenantControl(this.url, info.id, this.options) };
  }

  async listTenants(): Promise<Array<{ id: string; baseUrl: string }>> {
    return (await this.call<{ tenants: Array<{ id: string; baseUrl: string }> }>('GET', '/tenants')).tenants;
  }

  async deleteTenant(id: string): Promise<void> {
    await this.call('DELETE', `/tenants/${encodeURIComponent(id)}`);
  }

  /** The control operations of another tenant. */
  tenant(id: string): TenantControl {
    return new TenantControl(this.url, id, this.options);
  }
}
