/**
 * startScimulator(): the one-line way to run Scimulator inside a test suite.
 *
 *   const scim = await startScimulator({ port: 0 });
 *   // point the client under test at scim.baseUrl with scim.token (or await scim.authorization(), any auth mode)
 *   await scim.faults.add({ match: { operation: 'create' }, action: { type: 'error', status: 429 }, times: 2 });
 *   ...
 *   const { clients } = await scim.behaviour.report();   // what the client did across requests, with request ids
 *   await scim.close();
 */
import { ScimulatorClient } from './client.js';
import { optionsFromFlags, type AuthMode, type StartOptions } from './config.js';
import type { Scimulator } from './runtime.js';
import { startServer } from './server.js';

export class ScimulatorHandle extends ScimulatorClient {
  constructor(
    url: string,
    /** The default tenant's SCIM base URL. */
    readonly baseUrl: string,
    /** The in-process instance, for tests that want to look inside. */
    readonly runtime: Scimulator,
    private readonly stop: () => Promise<void>,
    controlPath: string,
    controlToken?: string,
  ) {
    super(url, { controlPath, controlToken });
    this.dashboardUrl = `${url}${controlPath}/ui/`;
    this.tokenEndpoint = `${url}/oauth/token`;
  }

  /** The live dashboard in a browser (asks for the control token when there is one). */
  readonly dashboardUrl: string;
  /** The default tenant's OAuth 2.0 token endpoint (auth "oauth"): POST grant_type=client_credentials. */
  readonly tokenEndpoint: string;

  // The default tenant's credentials, as they are now (a seed file's options.auth or PATCH /config may set them).
  private get tenantAuth() {
    return this.runtime.defaultTenant.auth;
  }
  /** How the default tenant authenticates SCIM requests: bearer, basic, oauth or none. */
  get auth(): AuthMode {
    return this.tenantAuth.mode;
  }
  /** The default tenant's static bearer token (auth "bearer"; an "oauth" tenant takes only tokens it issued). */
  get token(): string {
    return this.tenantAuth.token;
  }
  /** auth "basic": the user and password of `Authorization: Basic`. */
  get basicUser(): string {
    return this.tenantAuth.basicUser;
  }
  get basicPassword(): string {
    return this.tenantAuth.basicPassword;
  }
  /** auth "oauth": the client credentials the token endpoint takes. */
  get clientId(): string {
    return this.tenantAuth.clientId;
  }
  get clientSecret(): string {
    return this.tenantAuth.clientSecret;
  }

  /**
   * An `Authorization` header value the default tenant accepts now, whatever its auth mode: `Bearer <token>`,
   * `Basic <user:password>`, or (oauth) `Bearer <access token>` freshly issued by the token endpoint; undefined
   * for auth "none".
   */
  async authorization(): Promise<string | undefined> {
    const auth = this.tenantAuth;
    if (auth.mode === 'none') return undefined;
    if (auth.mode === 'bearer') return `Bearer ${auth.token}`;
    if (auth.mode === 'basic') return `Basic ${Buffer.from(`${auth.basicUser}:${auth.basicPassword}`, 'utf8').toString('base64')}`;
    const res = await fetch(this.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || typeof body.access_token !== 'string') throw new Error(`The token endpoint refused the client credentials: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
    return `Bearer ${body.access_token}`;
  }

  /** Stops the server (in-flight requests finish first) and saves the data file if there is one. */
  close(): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a server: `options` are the `serve` flags in camelCase (`users`, `seedFile`, `shutdownGrace`, ...; see
 * StartOptions), port 0 unless given. An unknown name is an Error naming the closest valid one. Whatever fails once
 * the server listens closes it before the error reaches the caller.
 */
export async function startScimulator(options: StartOptions = {}): Promise<ScimulatorHandle> {
  // Checked before anything listens: a refused option starts nothing.
  if (optionsFromFlags(options).control === false) throw new Error('startScimulator needs the control API; do not pass control: false');
  const running = await startServer({ port: 0, ...options });
  try {
    const o = running.runtime.options;
    return new ScimulatorHandle(running.url, running.baseUrl, running.runtime, () => running.close(1000), o.controlPath, o.controlToken);
  } catch (err) {
    await running.close(0);
    throw err;
  }
}
