/**
 * One typed options object for the whole server. CLI flags, SCIMULATOR_* environment variables and the
 * embedding API all map onto it.
 */
import { PERSONA_NAMES } from './personas/index.js';
import { MEMBER_POLICIES, type MemberPolicy } from './scim/member-policy.js';

export type AuthMode = 'bearer' | 'basic' | 'none' | 'oauth';
export const AUTH_MODES: readonly AuthMode[] = ['bearer', 'basic', 'none', 'oauth'];

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
  /** OAuth 2.0 client credentials (auth "oauth", RFC 6749 section 4.4): the client, its secret, token lifetime in seconds. */
  clientId: string;
  clientSecret: string;
  tokenLifetime: number;
  /** JSON data file: loaded at start, saved after writes. Memory only when absent. */
  data?: string;
  /** Maximum request body in bytes. */
  maxBody: number;
  /** Reject Groups whose displayName is taken (RFC 7643 leaves it to the service provider). */
  groupDisplayNameUnique: boolean;
  /** Most operations one PATCH request may carry. */
  maxPatchOperations: number;
  /** Coalescing window of data-file saves, in ms: without `dataSync`, what a crash may lose (--save-delay). */
  saveDelayMs: number;
  /** Every acknowledged write is fsynced to the data file before its response is sent (--data-sync). */
  dataSync: boolean;
  /** Deepest nesting of objects and arrays in a JSON request body (400 above). */
  maxJsonDepth: number;
  /** Most query parameters one request may carry (400 above). */
  maxQueryParams: number;
  /** Longest request target (path and query) in bytes (414 above). */
  maxUrlLength: number;
  /** Largest request head (request line and headers) in bytes; node's maxHeaderSize (431 above). */
  maxHeaderSize: number;
  /** ms a client has to send the whole request head; then 408 and the socket is closed. */
  headersTimeout: number;
  /** ms a client has to send the whole request (head and body); then 408 and the socket is closed. */
  requestTimeout: number;
  /**
   * ms an idle keep-alive connection stays open between requests (sent as `Keep-Alive: timeout=<s>`). Longer than
   * the client pools of common HTTP stacks keep a connection idle, so that a reused connection is not closed under
   * a client that is just sending on it (the ECONNRESET of node's 5 s default).
   */
  keepAliveTimeout: number;
  /** ms in-flight requests get to finish on SIGTERM/SIGINT before their connections are closed. */
  shutdownGraceMs: number;
  /** Browser origins allowed to call (CORS), comma-separated, or "*"; absent: CORS off. */
  cors?: string;
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
  /** Bytes the journal keeps per tenant (what its entries count); the oldest entries are evicted beyond it. */
  journalMaxBytes: number;
  /** Also stream the default tenant's journal to this NDJSON file. */
  journalFile?: string;
  /** Seed of the default tenant's random generator (ids, fault probabilities, generated data). */
  seed: number;
  /** Fault shorthands for the default tenant: "200" or "100-800" ms, "0.1:503", "10/s". */
  latency?: string;
  failRate?: string;
  rateLimit?: string;
  /** Most operations in one POST /Bulk (ServiceProviderConfig bulk.maxOperations). */
  bulkMaxOperations: number;
  /** Largest POST /Bulk body in bytes (ServiceProviderConfig bulk.maxPayloadSize); at most maxBody. */
  bulkMaxPayload: number;
  /** Advertise RFC 9865 `pagination` in ServiceProviderConfig (--advertise-pagination). */
  advertisePagination: boolean;
  /** Group members naming no resource (--member-policy): accept, reject, notFound, drop. */
  memberPolicy: MemberPolicy;
  /** Make the default tenant behave like a documented SCIM target (--persona aws, github, slack, atlassian, zoom). */
  persona?: string;
  /**
   * Seed the default tenant at start (`serve`): a scenario file (seeds/*.json) and/or generator overrides.
   * Flags alone generate (missing values: seed 1, 50 users, 8 groups); with a file they override its generate block.
   */
  seeding?: SeedingOptions;
}

/**
 * The `serve` flags whose camelCase name is not the name of an option (`--users` -> seeding.users,
 * `--save-delay` -> saveDelayMs): what startScimulator, startServer, createApp and scimulatorGlobalSetup accept
 * beside the options themselves, so that their options are the flags in camelCase. Each flag's option is in
 * FLAG_ALIASES.
 */
export interface ScimulatorFlagOptions {
  /** --users: generate this many users (seeding.users). */
  users?: number;
  /** --groups: generate this many groups (seeding.groups). */
  groups?: number;
  /** --seed-file: a scenario file (seeding.file). */
  seedFile?: string;
  /** --save-delay, in ms (saveDelayMs). */
  saveDelay?: number;
  /** --shutdown-grace, in ms (shutdownGraceMs). */
  shutdownGrace?: number;
}

/** What the embedding API takes: the options, or the `serve` flags in camelCase (both spellings, not both at once). */
export type StartOptions = Partial<ScimulatorOptions> & ScimulatorFlagOptions;

/** Where each flag of ScimulatorFlagOptions goes: an option, or a field of `seeding`. */
const FLAG_ALIASES: Record<keyof ScimulatorFlagOptions, { option: 'saveDelayMs' | 'shutdownGraceMs' } | { seeding: keyof SeedingOptions }> = {
  users: { seeding: 'users' },
  groups: { seeding: 'groups' },
  seedFile: { seeding: 'file' },
  saveDelay: { option: 'saveDelayMs' },
  shutdownGrace: { option: 'shutdownGraceMs' },
};

/** `serve` flags that configure the scimulator process, not a server: refused by the embedding API with the reason. */
const PROCESS_FLAGS: Record<string, string> = {
  heapGrowth: 'heapGrowth (--heap-growth) is for the `scimulator serve` process only: an embedding process keeps its own heap settings (node --max-old-space-size, ...)',
  stopWithParent: 'stopWithParent (--stop-with-parent) is for the `scimulator serve` process only: an embedding process stops the server with close()',
};

/** Every option's name (a Record so that the compiler keeps the list complete). */
const OPTION_NAMES: Record<keyof ScimulatorOptions, true> = {
  port: true, host: true, basePath: true, auth: true, token: true, basicUser: true, basicPassword: true, clientId: true,
  clientSecret: true, tokenLifetime: true, data: true, maxBody: true, groupDisplayNameUnique: true, maxPatchOperations: true,
  saveDelayMs: true, dataSync: true, maxJsonDepth: true, maxQueryParams: true, maxUrlLength: true, maxHeaderSize: true,
  headersTimeout: true, requestTimeout: true, keepAliveTimeout: true, shutdownGraceMs: true, cors: true, profile: true, defaultPageSize: true,
  maxPageSize: true, cursorTimeout: true, warningsHeader: true, control: true, controlPath: true, controlToken: true,
  journal: true, journalCapacity: true, journalMaxBytes: true, journalFile: true, seed: true, latency: true, failRate: true,
  rateLimit: true, bulkMaxOperations: true, bulkMaxPayload: true, advertisePagination: true, memberPolicy: true,
  persona: true, seeding: true,
};

/** Every name the embedding API accepts. */
export const START_OPTION_NAMES: readonly string[] = [...Object.keys(OPTION_NAMES), ...Object.keys(FLAG_ALIASES)];

/**
 * The options of `given`, its flag names mapped through FLAG_ALIASES. Throws an Error naming the closest valid name
 * for a name that is neither, and for a value given under both of its names (`saveDelay` and `saveDelayMs`).
 * `seed` is the option (the default tenant's random seed) and, when the directory is generated, the generator's
 * seed too, as --seed is; unlike --seed alone it does not turn generation on (`seed` kept its meaning).
 */
export function optionsFromFlags(given: StartOptions): Partial<ScimulatorOptions> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new Error('the options must be an object, such as { port: 0, users: 10 }');
  const options: Record<string, unknown> = {};
  const seeding: SeedingOptions = {};
  let fromFlags = false;
  for (const [name, value] of Object.entries(given)) {
    if (Object.hasOwn(OPTION_NAMES, name)) {
      if (value !== undefined) options[name] = value;
      continue;
    }
    const alias = Object.hasOwn(FLAG_ALIASES, name) ? FLAG_ALIASES[name as keyof ScimulatorFlagOptions] : undefined;
    if (!alias) {
      if (Object.hasOwn(PROCESS_FLAGS, name)) throw new Error(PROCESS_FLAGS[name]);
      throw new Error(`unknown option "${name}"; did you mean "${closest(name, START_OPTION_NAMES)}"? (the options are the serve flags in camelCase: ${START_OPTION_NAMES.join(', ')})`);
    }
    if (value === undefined) continue;
    if ('option' in alias) {
      if (given[alias.option] !== undefined) throw new Error(`give ${name} or ${alias.option}, not both (they are the same setting, ${flagName(name)})`);
      options[alias.option] = value;
    } else {
      (seeding as Record<string, unknown>)[alias.seeding] = value;
      fromFlags = true;
    }
  }
  if (fromFlags) {
    if (given.seeding !== undefined) throw new Error('give users, groups and seedFile, or seeding, not both (they are the same settings)');
    if (given.seed !== undefined) seeding.seed = given.seed;
    options.seeding = seeding;
  }
  return options as Partial<ScimulatorOptions>;
}

/** The name of `names` closest to `name` (Levenshtein distance, letter case ignored). */
function closest(name: string, names: readonly string[]): string {
  const a = name.toLowerCase();
  let best = names[0];
  let bestDistance = Infinity;
  for (const candidate of names) {
    const b = candidate.toLowerCase();
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    if (row[b.length] < bestDistance) {
      bestDistance = row[b.length];
      best = candidate;
    }
  }
  return best;
}

export interface SeedingOptions {
  file?: string;
  seed?: number;
  users?: number;
  groups?: number;
}

/** A fixed, documented development token: printed at start-up, never a secret. */
export const DEFAULT_TOKEN = 'scimulator-dev-token';
/** The fixed, documented development client secret of --auth oauth (printed at start-up like the token). */
export const DEFAULT_CLIENT_SECRET = 'scimulator-dev-secret';
/** Longest token lifetime in seconds (a year). */
export const MAX_TOKEN_LIFETIME = 31_536_000;

export const DEFAULT_OPTIONS: ScimulatorOptions = {
  port: 8080,
  host: '127.0.0.1',
  basePath: '/scim/v2',
  auth: 'bearer',
  token: DEFAULT_TOKEN,
  basicUser: 'scim',
  basicPassword: 'scim',
  clientId: 'scimulator',
  clientSecret: DEFAULT_CLIENT_SECRET,
  tokenLifetime: 3600,
  maxBody: 1024 * 1024,
  groupDisplayNameUnique: false,
  maxPatchOperations: 1000,
  saveDelayMs: 50,
  dataSync: false,
  maxJsonDepth: 64,
  maxQueryParams: 100,
  maxUrlLength: 8 * 1024,
  maxHeaderSize: 16 * 1024,
  headersTimeout: 30_000,
  requestTimeout: 120_000,
  keepAliveTimeout: 65_000,
  shutdownGraceMs: 10_000,
  profile: 'lenient',
  defaultPageSize: 100,
  maxPageSize: 1000,
  cursorTimeout: 600,
  warningsHeader: false,
  control: true,
  controlPath: '/_mock',
  journal: true,
  journalCapacity: 10_000,
  journalMaxBytes: 16 * 1024 * 1024, // DEFAULT_JOURNAL_MAX_BYTES of src/journal/journal.ts (not imported: the CLI loads the journal only to serve)
  seed: 1,
  bulkMaxOperations: 1000,
  bulkMaxPayload: 1024 * 1024,
  advertisePagination: false,
  memberPolicy: 'accept',
};

/** Fills defaults and checks the values; throws an Error with a one-line reason on a bad option. */
export function resolveOptions(given: StartOptions = {}): ScimulatorOptions {
  const partial = optionsFromFlags(given);
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: ScimulatorOptions = { ...DEFAULT_OPTIONS, ...defined };
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${partial.port}`);
  }
  // An empty address would bind every interface: what the default 127.0.0.1 exists to avoid.
  if (typeof options.host !== 'string' || options.host.trim() === '') {
    throw new Error('--host must name the address to bind, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)');
  }
  if (!AUTH_MODES.includes(options.auth)) {
    throw new Error(`--auth must be one of ${AUTH_MODES.join(', ')}; got ${options.auth}`);
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
  if (options.persona !== undefined && !PERSONA_NAMES.includes(options.persona)) {
    throw new Error(`--persona must be one of ${PERSONA_NAMES.join(', ')}; got ${options.persona}`);
  }
  if (!MEMBER_POLICIES.includes(options.memberPolicy)) {
    throw new Error(`--member-policy must be one of ${MEMBER_POLICIES.join(', ')}; got ${options.memberPolicy}`);
  }
  for (const key of ['defaultPageSize', 'maxPageSize', 'cursorTimeout', 'journalCapacity', 'maxPatchOperations'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`${flagName(key)} must be a positive integer, got ${partial[key]}`);
  }
  if (!Number.isSafeInteger(options.journalMaxBytes) || options.journalMaxBytes < 65536) {
    throw new Error(`--journal-max-bytes must be a whole number of bytes of at least 65536, got ${partial.journalMaxBytes}`);
  }
  if (options.defaultPageSize > options.maxPageSize) {
    throw new Error(`--default-page-size (${options.defaultPageSize}) must not exceed --max-page-size (${options.maxPageSize})`);
  }
  checkLimits(options, partial);
  if (!Number.isInteger(options.seed)) throw new Error(`--seed must be an integer, got ${partial.seed}`);
  const seeding = options.seeding;
  if (seeding) {
    if (seeding.seed !== undefined && !Number.isSafeInteger(seeding.seed)) throw new Error(`--seed must be an integer, got ${seeding.seed}`);
    if (seeding.users !== undefined && (!Number.isSafeInteger(seeding.users) || seeding.users < 0 || seeding.users > 1_000_000)) {
      throw new Error(`--users must be an integer from 0 to 1000000, got ${seeding.users}`);
    }
    if (seeding.groups !== undefined && (!Number.isSafeInteger(seeding.groups) || seeding.groups < 0 || seeding.groups > 100_000)) {
      throw new Error(`--groups must be an integer from 0 to 100000, got ${seeding.groups}`);
    }
    if (seeding.file !== undefined && (typeof seeding.file !== 'string' || seeding.file === '')) throw new Error('--seed-file must name a file');
  }
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(options.controlPath)) throw new Error(`--control-path must start with "/", got ${options.controlPath}`);
  options.controlPath = options.controlPath.replace(/\/+$/, '');
  if (options.controlPath === options.basePath) throw new Error('--control-path must differ from --base-path');
  for (const key of ['bulkMaxOperations', 'bulkMaxPayload'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`${flagName(key)} must be a positive integer, got ${partial[key]}`);
  }
  // The body parser stops anything above --max-body first: the default follows it, an explicit larger value is an error.
  if (defined.bulkMaxPayload === undefined) options.bulkMaxPayload = Math.min(options.bulkMaxPayload, options.maxBody);
  else if (options.bulkMaxPayload > options.maxBody) {
    throw new Error(`--bulk-max-payload (${options.bulkMaxPayload}) must not exceed --max-body (${options.maxBody}): larger bodies never reach /Bulk`);
  }
  if (options.auth === 'bearer' && !options.token) throw new Error('--token must not be empty');
  // An empty value (a CI variable declared but not set) would otherwise mean "none": an open control API, no data
  // file or no journal file, without a word.
  if (options.controlToken === '') throw new Error('--control-token must not be empty; leave it out for an open control API');
  if (options.data === '') throw new Error('--data must name a file; leave it out to keep the directory in memory');
  if (options.journalFile === '') throw new Error('--journal-file must name a file');
  // No built-in credentials for Basic (unlike the printed development token and client secret): both are chosen.
  if (options.auth === 'basic' && (!defined.basicUser || !defined.basicPassword)) {
    throw new Error('--auth basic needs --basic-user and --basic-password');
  }
  // RFC 7617 section 2: the user-id ends at the first colon, so a user with one could never authenticate.
  if (options.basicUser.includes(':')) throw new Error('--basic-user must not contain ":" (RFC 7617 section 2: the user-id ends at the first colon)');
  if (options.auth === 'oauth' && (!options.clientId || !options.clientSecret)) {
    throw new Error('--auth oauth needs a non-empty --client-id and --client-secret');
  }
  if (!Number.isInteger(options.tokenLifetime) || options.tokenLifetime < 1 || options.tokenLifetime > MAX_TOKEN_LIFETIME) {
    throw new Error(`--token-lifetime must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME}, got ${partial.tokenLifetime}`);
  }
  return options;
}

/** The request limits, timeouts and persistence knobs (see src/http/limits.ts). */
function checkLimits(options: ScimulatorOptions, partial: Partial<ScimulatorOptions>): void {
  const whole = (value: number, min: number, max: number, flag: string, given: unknown) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${given}`);
    }
  };
  whole(options.maxJsonDepth, 1, 10_000, '--max-json-depth', partial.maxJsonDepth);
  // node's query string parser keeps at most 1000 parameters and drops the rest silently.
  whole(options.maxQueryParams, 1, 1000, '--max-query-params', partial.maxQueryParams);
  whole(options.maxUrlLength, 256, 1024 * 1024, '--max-url-length', partial.maxUrlLength);
  whole(options.maxHeaderSize, 1024, 1024 * 1024, '--max-header-size', partial.maxHeaderSize);
  whole(options.headersTimeout, 1, 3_600_000, '--headers-timeout', partial.headersTimeout);
  whole(options.requestTimeout, 1, 3_600_000, '--request-timeout', partial.requestTimeout);
  whole(options.keepAliveTimeout, 1, 3_600_000, '--keep-alive-timeout', partial.keepAliveTimeout);
  whole(options.shutdownGraceMs, 0, 3_600_000, '--shutdown-grace', partial.shutdownGraceMs);
  whole(options.saveDelayMs, 0, 3_600_000, '--save-delay', partial.saveDelayMs);
  if (options.headersTimeout > options.requestTimeout) {
    throw new Error(`--headers-timeout (${options.headersTimeout}) must not exceed --request-timeout (${options.requestTimeout})`);
  }
  if (options.dataSync && !options.data) throw new Error('--data-sync needs --data <file>');
  if (options.cors !== undefined) parseCorsOrigins(options.cors);
}

/**
 * "--cors" value -> the allowed origins ("*" = any). Each origin is scheme://host[:port], as browsers send it in
 * the Origin header; throws naming the first one that is not.
 */
export function parseCorsOrigins(value: string): '*' | Set<string> {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error('--cors needs an origin such as https://app.example.com (or "*")');
  if (items.length === 1 && items[0] === '*') return '*';
  for (const origin of items) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(origin)) {
      throw new Error(`--cors origins look like https://app.example.com:8443 (scheme, host, optional port; no path), got ${origin}`);
    }
  }
  // A browser serialises an origin without its scheme's default port (RFC 6454 section 6.1): https://a:443 is sent
  // as https://a, so the configured origin is compared in that form.
  return new Set(items.map((o) => o.toLowerCase().replace(/^(https:\/\/.+):443$/, '$1').replace(/^(http:\/\/.+):80$/, '$1')));
}

/** "defaultPageSize" -> "--default-page-size", for messages that name the flag. */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
