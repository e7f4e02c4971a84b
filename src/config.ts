/**
 * One typed options object for the whole server. CLI flags, SCIMULATOR_* environment variables and the
 * embedding API all map onto it.
 */
export type AuthMode = 'bearer' | 'basic' | 'none';

export interface ScimulatorOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  host: string;
  /** Where SCIM is served for the default tenant, e.g. "/scim/v2". */
  basePath: string;
  auth: AuthMode;
  /** The bearer token (auth "bearer"). */
  token: string;
  basicUser: string;
  basicPassword: string;
  /** JSON data file: loaded at start, saved after writes. Memory only when absent. */
  data?: string;
  /** Maximum request body in bytes. */
  maxBody: number;
  /** Reject Groups whose displayName is taken (RFC 7643 leaves it to the service provider). */
  groupDisplayNameUnique: boolean;
  /** Coalescing window of data-file saves, in ms. */
  saveDelayMs: number;
  /** IdP profile of the default tenant: rfc (strict), lenient, entra, okta. */
  profile: 'lenient' | 'rfc' | 'entra' | 'okta';
  defaultPageSize: number;
  maxPageSize: number;
  /** Seconds of idleness after which a pagination cursor expires. */
  cursorTimeout: number;
  /** Return conformance warnings in a Scimulator-Warning header. */
  warningsHeader: boolean;
  /** The control API: its path, its own token (none: open), or off. */
  control: boolean;
  controlPath: string;
  controlToken?: string;
  /** Record requests in the journal (off: no recording at all, for the lowest overhead). */
  journal: boolean;
  /** Journal entries kept per tenant (a ring buffer). */
  journalCapacity: number;
  /** Also stream the default tenant's journal to this NDJSON file. */
  journalFile?: string;
  /** Seed of the default tenant's random generator (ids, fault probabilities, generated data). */
  seed: number;
  /** Fault shorthands for the default tenant: "200" or "100-800" ms, "0.1:503", "10/s". */
  latency?: string;
  failRate?: string;
  rateLimit?: string;
}

/** A fixed, documented development token: printed at start-up, never a secret. */
export const DEFAULT_TOKEN = 'scimulator-dev-token';

export const DEFAULT_OPTIONS: ScimulatorOptions = {
  port: 8080,
  host: '127.0.0.1',
  basePath: '/scim/v2',
  auth: 'bearer',
  token: DEFAULT_TOKEN,
  basicUser: 'scim',
  basicPassword: 'scim',
  maxBody: 1024 * 1024,
  groupDisplayNameUnique: false,
  saveDelayMs: 50,
  profile: 'lenient',
  defaultPageSize: 100,
  maxPageSize: 1000,
  cursorTimeout: 600,
  warningsHeader: false,
  control: true,
  controlPath: '/_mock',
  journal: true,
  journalCapacity: 10_000,
  seed: 1,
};

/** Fills defaults and checks the values; throws an Error with a one-line reason on a bad option. */
export function resolveOptions(partial: Partial<ScimulatorOptions> = {}): ScimulatorOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: ScimulatorOptions = { ...DEFAULT_OPTIONS, ...defined };
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${partial.port}`);
  }
  if (!['bearer', 'basic', 'none'].includes(options.auth)) {
    throw new Error(`--auth must be one of bearer, basic, none; got ${options.auth}`);
  }
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(options.basePath) || options.basePath.includes('//')) {
    throw new Error(`--base-path must start with "/" and contain only URL path characters, got ${options.basePath}`);
  }
  options.basePath = options.basePath.replace(/\/+$/, '') || '';
  if (!Number.isInteger(options.maxBody) || options.maxBody < 1024) {
    throw new Error(`--max-body must be a whole number of bytes of at least 1024, got ${partial.maxBody}`);
  }
  if (!['lenient', 'rfc', 'entra', 'okta'].includes(options.profile)) {
    throw new Error(`--profile must be one of lenient, rfc, entra, okta; got ${options.profile}`);
  }
  for (const key of ['defaultPageSize', 'maxPageSize', 'cursorTimeout', 'journalCapacity'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`${flagName(key)} must be a positive integer, got ${partial[key]}`);
  }
  if (options.defaultPageSize > options.maxPageSize) {
    throw new Error(`--default-page-size (${options.defaultPageSize}) must not exceed --max-page-size (${options.maxPageSize})`);
  }
  if (!Number.isInteger(options.seed)) throw new Error(`--seed must be an integer, got ${partial.seed}`);
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(options.controlPath)) throw new Error(`--control-path must start with "/", got ${options.controlPath}`);
  options.controlPath = options.controlPath.replace(/\/+$/, '');
  if (options.controlPath === options.basePath) throw new Error('--control-path must differ from --base-path');
  if (options.auth === 'bearer' && !options.token) throw new Error('--token must not be empty');
  if (options.auth === 'basic' && (!options.basicUser || !options.basicPassword)) {
    throw new Error('--auth basic needs --basic-user and --basic-password');
  }
  return options;
}

/** "defaultPageSize" -> "--default-page-size", for messages that name the flag. */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
