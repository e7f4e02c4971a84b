/// <reference lib="dom" />
/**
 * The dashboard's only ways to the server: the public control API (under the path the page is served from,
 * one level up) and the tenant's SCIM API. The control token lives in sessionStorage (this tab only) and travels
 * in the Authorization header, never in a URL.
 */
import type { JournalStreamEvent, JournalStreamQuery } from '../journal/stream.js';
import type { TenantConfig } from '../tenant.js';
import { journalStreamEvent, SseParser } from './sse.js';

const TOKEN_KEY = 'scimulator.controlToken';
/** Sent with the dashboard's own SCIM requests so the requests view can tell them apart. */
export const CLIENT_HEADER = 'X-Scimulator-Client';

/** <origin><control path>/ : the page is <control path>/ui/. */
const controlRoot = new URL('../', location.href);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Called when the server refuses the control token (401): the page asks for it again. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** The tenant every tenant-scoped call addresses. */
let tenantId = 'default';
/**
 * The dashboard shows another tenant than the one a request was being prepared for: the request is not made (its
 * answer would be dropped, and a token request would mint a token the user no longer needs). Views drop it as they
 * drop any answer for a tenant no longer shown (Latest).
 */
export class TenantLeft extends Error {
  constructor(readonly tenant: string) {
    super(`The dashboard no longer shows tenant "${tenant}".`);
    this.name = 'TenantLeft';
  }
}

function stillShown(tenant: string): void {
  if (tenant !== tenantId) throw new TenantLeft(tenant);
}
export const currentTenant = () => tenantId;
export function selectTenant(id: string): void {
  tenantId = id;
  scimAccess = undefined;
}

/**
 * Tells a view whether an answer is still the one to show. ask() starts a request and returns a check that holds
 * while no later request of the same kind (the same Latest) started and the tenant shown is still the one it was
 * asked for: an answer that arrives after another tenant was picked, or after a newer refresh, is dropped, or the
 * view would show what is no longer asked for (the previous tenant's rules, config or summary).
 */
export class Latest {
  private asked = 0;
  ask(): () => boolean {
    const mine = ++this.asked;
    const tenant = tenantId;
    return () => mine === this.asked && tenant === tenantId;
  }
  /** Every answer still on its way is dropped (the view starts over). */
  drop(): void {
    this.asked++;
  }
}

function controlHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function answer<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let body: unknown = text;
  if (text && /json/.test(res.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
  }
  if (!res.ok) {
    if (res.status === 401 && what.startsWith('control')) onUnauthorized();
    const b = (typeof body === 'object' && body !== null ? body : {}) as { error?: string; field?: string; detail?: string; scimType?: string };
    const message = b.error ?? (b.detail ? `${b.scimType ? `${b.scimType}: ` : ''}${b.detail}` : `${what} answered ${res.status}`);
    throw new ApiError(res.status, message, b.field);
  }
  return body as T;
}

/** What the page learns before it has a token: whether to ask for one. */
export async function boot(): Promise<{ tokenRequired: boolean; journal?: boolean }> {
  return answer(await fetch(new URL('ui/boot.json', controlRoot)), 'boot');
}

/** A control API call; `scoped` paths go to `tenant` (/tenants/{id}/...), by default the current one. */
export async function control<T>(method: string, path: string, body?: unknown, scoped = true, tenant = tenantId): Promise<T> {
  const url = new URL(`${scoped ? `tenants/${encodeURIComponent(tenant)}/` : ''}${path.replace(/^\//, '')}`, controlRoot);
  const init: RequestInit = { method, headers: controlHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  return answer<T>(await fetch(url, init), `control ${method} ${path}`);
}

/** The SCIM base path and credentials of the current tenant, as the control API tells them. */
let scimAccess: { tenant: string; base: string; headers: Record<string, string> } | undefined;

/**
 * The SCIM base path and credentials of `asked`, read for it (not for whichever tenant is shown when an answer
 * arrives); throws TenantLeft as soon as the user picked another tenant, before any further request for this one.
 */
async function access(asked: string): Promise<{ base: string; headers: Record<string, string> }> {
  if (scimAccess?.tenant === asked) return scimAccess;
  stillShown(asked);
  const [{ tenants }, config] = await Promise.all([
    control<{ tenants: Array<{ id: string; baseUrl: string }> }>('GET', '/tenants', undefined, false),
    control<TenantConfig>('GET', '/config', undefined, true, asked),
  ]);
  stillShown(asked);
  const tenant = tenants.find((t) => t.id === asked);
  if (!tenant) throw new ApiError(404, `There is no tenant "${asked}".`);
  const headers: Record<string, string> = { Accept: 'application/scim+json', [CLIENT_HEADER]: 'dashboard' };
  const auth = config.auth;
  if (auth.mode === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
  else if (auth.mode === 'basic') headers.Authorization = basic(auth.basicUser ?? '', auth.basicPassword ?? '');
  else if (auth.mode === 'oauth') headers.Authorization = `Bearer ${await accessToken(asked, auth.clientId, auth.clientSecret)}`;
  stillShown(asked);
  const found = { tenant: asked, base: new URL(tenant.baseUrl).pathname, headers };
  scimAccess = found;
  return found;
}

/**
 * Basic credentials as RFC 7617 section 2.1 has them with charset="UTF-8" (what the server's challenge names): the
 * UTF-8 bytes of user:password in base64. btoa alone takes the string as Latin-1: a password with "ö" went out as
 * another byte sequence, was refused, and the 401's Basic challenge made the browser pop up its own login dialog.
 */
function basic(user: string, password: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(`${user}:${password}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** An access token of `tenant`'s OAuth 2.0 client (client credentials grant, RFC 6749 section 4.4). */
async function accessToken(tenant: string, clientId: string, clientSecret: string): Promise<string> {
  const { tokenEndpoint } = await control<{ tokenEndpoint: string }>('GET', '/oauth', undefined, true, tenant);
  // Left meanwhile: no token is minted for a tenant no longer shown (nor this client's sent to another's endpoint).
  stillShown(tenant);
  // The token endpoint on the page's own origin (the server may advertise another host name for itself).
  const res = await fetch(new URL(new URL(tokenEndpoint).pathname, location.origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', [CLIENT_HEADER]: 'dashboard', Authorization: basic(clientId, clientSecret) },
    body: 'grant_type=client_credentials',
  });
  const token = await answer<{ access_token?: string }>(res, 'token endpoint POST');
  if (typeof token.access_token !== 'string') throw new ApiError(res.status, 'the token endpoint answered without an access_token');
  return token.access_token;
}

/** Forget the SCIM credentials (the config changed). */
export function forgetScimAccess(): void {
  scimAccess = undefined;
}

/** A SCIM request to the current tenant; the path is relative to its base (e.g. "/Users?filter=..."). */
export async function scim<T>(method: string, path: string): Promise<T> {
  const tenant = tenantId;
  let { base, headers } = await access(tenant);
  let res = await fetch(new URL(`${base}${path}`, location.origin), { method, headers });
  if (res.status === 401) {
    // The credentials changed since they were read (config, an expired or revoked access token): read them again, once.
    if (scimAccess?.tenant === tenant) forgetScimAccess();
    ({ base, headers } = await access(tenant));
    res = await fetch(new URL(`${base}${path}`, location.origin), { method, headers });
  }
  return answer<T>(res, `SCIM ${method} ${path}`);
}

export interface StreamHandlers {
  onEvent(event: JournalStreamEvent): void;
  /** The stream ended or failed; `retryMs` is when the caller should reconnect. */
  onClose(error: Error | undefined): void;
}

/** Opens the live feed of the current tenant with fetch() (EventSource cannot send the token). */
export function openStream(query: JournalStreamQuery, handlers: StreamHandlers): AbortController {
  const controller = new AbortController();
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const url = new URL(`tenants/${encodeURIComponent(tenantId)}/requests/stream?${params}`, controlRoot);
  void (async () => {
    let error: Error | undefined;
    try {
      const res = await fetch(url, { headers: controlHeaders({ Accept: 'text/event-stream' }), signal: controller.signal });
      if (!res.ok || !res.body) {
        await answer(res, 'control stream');
        throw new ApiError(res.status, 'the stream has no body');
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const e of parser.push(value)) {
          // Aborted by an event of this very read (a hello from another journal restarts the view): the rest of
          // what the read brought belongs to the stream left behind.
          if (controller.signal.aborted) break;
          const event = journalStreamEvent(e);
          if (event) handlers.onEvent(event);
        }
      }
    } catch (err) {
      error = err as Error;
    }
    if (!controller.signal.aborted) handlers.onClose(error);
  })();
  return controller;
}

/** Saves text as a file through a download link (no other origin involved). */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
