/** The running Scimulator: its options and its tenants (the default one, and those the control API adds). */
import { randomBytes } from 'node:crypto';
import { resolveOptions, type ScimulatorOptions, type StartOptions } from './config.js';
import { shorthandRules } from './faults/shorthands.js';
import { JournalFile } from './journal/file.js';
import { PERSONA_NAMES } from './personas/index.js';
import { ScimError } from './scim/errors.js';
import { mergeScenarioOptions, scenarioFor, ScenarioError, type Scenario } from './seed/scenario.js';
import { seedTenantSliced } from './seed/seed.js';
import { PROFILE_NAMES, Tenant, type TenantConfig } from './tenant.js';
import { ControlError, tenantConfigFrom } from './tenant-config.js';
import { VERSION } from './version.js';

export const DEFAULT_TENANT_ID = 'default';
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const TENANT_ID_RULE = 'id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit.';

export interface TenantSpec {
  id?: string;
  /** userName of the User that /Me stands for. */
  me?: string;
  seed?: number;
  token?: string;
  profile?: TenantConfig['profile'];
  /** A target persona (src/personas): aws, github, slack, atlassian, zoom. */
  persona?: string;
  /** Generate a directory (with `seed`, default 1); missing counts default to 50 users, 8 groups. */
  users?: number;
  groups?: number;
  /** A scenario file on the server's disk, relative to the process's working directory. */
  seedFile?: string;
}

export class Scimulator {
  readonly options: ScimulatorOptions;
  readonly tenants = new Map<string, Tenant>();
  readonly startedAt = Date.now();
  readonly version = VERSION;
  private tenantCounter = 0;
  /** Ids of tenants being seeded: taken, but the tenant is not reachable until its seeding is complete. */
  private readonly seeding = new Set<string>();
  private readonly stopper = new AbortController();
  /** --journal-file: one NDJSON file every tenant's journal appends to (entries carry their tenant id). */
  readonly journalFile: JournalFile | undefined;

  constructor(options: StartOptions = {}) {
    this.options = resolveOptions(options);
    if (this.options.journalFile !== undefined) this.journalFile = new JournalFile(this.options.journalFile);
    this.tenants.set(
      DEFAULT_TENANT_ID,
      new Tenant({
        id: DEFAULT_TENANT_ID,
        config: this.baseConfig(),
        seed: this.options.seed,
        journalCapacity: this.options.journalCapacity,
        journalMaxBytes: this.options.journalMaxBytes,
        ...(this.journalFile ? { journalFile: this.journalFile } : {}),
        maxPatchOperations: this.options.maxPatchOperations,
        maxBody: this.options.maxBody,
      }),
    );
    const { latency, failRate, rateLimit } = this.options;
    for (const rule of shorthandRules({ latency, failRate, rateLimit })) {
      const added = this.defaultTenant.faults.add(rule);
      this.defaultTenant.startupFaults.push({ ...rule, id: added.id });
    }
  }

  /** Aborted when the server starts shutting down: open live streams end instead of holding the shutdown. */
  get stopping(): AbortSignal {
    return this.stopper.signal;
  }

  stop(): void {
    this.stopper.abort();
  }

  get defaultTenant(): Tenant {
    return this.tenants.get(DEFAULT_TENANT_ID)!;
  }

  tenant(id: string): Tenant | undefined {
    return this.tenants.get(id);
  }

  /** The config a new tenant starts from: the server's options. */
  baseConfig(): TenantConfig {
    return tenantConfigFrom(this.options);
  }

  /** Adds an isolated tenant. Its token defaults to a fresh random one. */
  createTenant(spec: TenantSpec = {}): Tenant {
    const tenant = this.newTenant(spec);
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  /** A tenant for `spec`, not yet reachable. */
  private newTenant(spec: TenantSpec): Tenant {
    const taken = (id: string) => this.tenants.has(id) || this.seeding.has(id);
    let id = spec.id;
    if (id !== undefined) {
      if (typeof id !== 'string' || !TENANT_ID.test(id)) {
        throw new ScimError(400, 'invalidValue', TENANT_ID_RULE);
      }
      if (taken(id)) throw new ScimError(409, 'uniqueness', `A tenant "${id}" already exists.`);
    } else {
      do id = `t${++this.tenantCounter}`;
      while (taken(id));
    }
    const config = this.baseConfig();
    config.auth = { ...config.auth, mode: config.auth.mode === 'none' ? 'none' : 'bearer', token: spec.token ?? `${id}-${randomBytes(12).toString('hex')}` };
    if (spec.profile) config.profile = spec.profile;
    if (spec.persona) config.persona = spec.persona;
    if (spec.me) config.auth.me = spec.me;
    return new Tenant({
      id,
      config,
      seed: spec.seed ?? this.options.seed,
      journalCapacity: this.options.journalCapacity,
      journalMaxBytes: this.options.journalMaxBytes,
      ...(this.journalFile ? { journalFile: this.journalFile } : {}),
      maxPatchOperations: this.options.maxPatchOperations,
      maxBody: this.options.maxBody,
    });
  }

  /**
   * POST /_mock/tenants: checks each field of the request, then creates and seeds the tenant. Seeding runs in
   * slices of a few milliseconds, so other tenants keep being served while a large directory is generated; the
   * tenant becomes reachable (and this resolves) only once it is completely seeded, and its id is taken meanwhile.
   */
  async createTenantFromSpec(spec: Record<string, unknown>): Promise<Tenant> {
    const allowed = ['id', 'seed', 'token', 'profile', 'persona', 'me', 'users', 'groups', 'seedFile'];
    for (const key of Object.keys(spec)) {
      if (!allowed.includes(key)) throw new ControlError(400, `Unknown field "${key}"; allowed: ${allowed.join(', ')}.`, key);
    }
    if (spec.id !== undefined && (typeof spec.id !== 'string' || !TENANT_ID.test(spec.id))) throw new ControlError(400, TENANT_ID_RULE, 'id');
    if (spec.seed !== undefined && !Number.isInteger(spec.seed)) throw new ControlError(400, 'seed must be an integer.', 'seed');
    if (spec.token !== undefined && (typeof spec.token !== 'string' || !spec.token)) throw new ControlError(400, 'token must be a non-empty string.', 'token');
    if (spec.me !== undefined && (typeof spec.me !== 'string' || !spec.me)) throw new ControlError(400, 'me must be a userName.', 'me');
    if (spec.profile !== undefined && !PROFILE_NAMES.includes(spec.profile as never)) {
      throw new ControlError(400, `profile must be one of ${PROFILE_NAMES.join(', ')}.`, 'profile');
    }
    if (spec.persona !== undefined && !PERSONA_NAMES.includes(spec.persona as string)) {
      throw new ControlError(400, `persona must be one of ${PERSONA_NAMES.join(', ')}.`, 'persona');
    }
    let scenario: Scenario | undefined;
    if (spec.users !== undefined || spec.groups !== undefined || spec.seedFile !== undefined) {
      for (const field of ['users', 'groups'] as const) {
        const v = spec[field];
        if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) throw new ControlError(400, `${field} must be a non-negative integer.`, field);
      }
      if (spec.seedFile !== undefined && (typeof spec.seedFile !== 'string' || !spec.seedFile)) throw new ControlError(400, 'seedFile must be a non-empty path.', 'seedFile');
      try {
        scenario = await scenarioFor({ file: spec.seedFile as string | undefined, seed: spec.seed as number | undefined, users: spec.users as number | undefined, groups: spec.groups as number | undefined });
      } catch (err) {
        if (err instanceof ScenarioError) throw new ControlError(400, `seedFile: ${err.message}`, 'seedFile');
        if (err instanceof RangeError) throw new ControlError(400, `${err.message}.`, /^(\w+)/.exec(err.message)![1]);
        throw err;
      }
    }
    let tenant: Tenant;
    try {
      tenant = this.newTenant(spec as TenantSpec);
    } catch (err) {
      // The id was taken while the seed file loaded.
      if (err instanceof ScimError && spec.id !== undefined) throw new ControlError(err.status, err.detail, 'id');
      throw err;
    }
    // Whatever fails from here on, the tenant is never reachable: its journal is closed, as deleteTenant does.
    try {
      if (scenario) {
        // The request's own settings are checked against the scenario's options before any seeding, so a conflict
        // builds no directory.
        checkRequestOverScenario(tenant, spec, scenario);
        this.seeding.add(tenant.id);
        try {
          // The directory is seeded for the persona the tenant will run with: the request's, over the scenario's.
          await seedTenantSliced(tenant, scenario, spec.persona !== undefined ? { persona: spec.persona as string } : {});
        } finally {
          this.seeding.delete(tenant.id);
        }
        tenant.applyConfig(requestOver(tenant.config, spec));
      }
    } catch (err) {
      void tenant.journal.close();
      if (err instanceof ScenarioError) throw new ControlError(400, spec.seedFile !== undefined ? `seedFile: ${err.message}` : err.message, spec.seedFile !== undefined ? 'seedFile' : undefined);
      throw err;
    }
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  deleteTenant(id: string): boolean {
    if (id === DEFAULT_TENANT_ID) throw new ScimError(400, 'invalidValue', 'The default tenant cannot be deleted.');
    const tenant = this.tenants.get(id);
    if (!tenant) return false;
    void tenant.journal.close();
    this.tenants.delete(id);
    return true;
  }
}

/** What the request names explicitly wins over the scenario's options. */
function requestOver(config: TenantConfig, spec: Record<string, unknown>): TenantConfig {
  const out = structuredClone(config);
  if (spec.profile !== undefined) out.profile = spec.profile as TenantConfig['profile'];
  if (spec.persona !== undefined) out.persona = spec.persona as string;
  if (spec.token !== undefined) out.auth.token = spec.token as string;
  if (spec.me !== undefined) out.auth.me = spec.me as string;
  return out;
}

/**
 * Throws, before anything is seeded, what seeding and then applying the request's settings would throw: ScenarioError
 * for the scenario's options, ControlError naming the request's persona or profile when they and the scenario's
 * options do not hold together (page sizes that no longer fit once the request's persona replaces the scenario's).
 */
function checkRequestOverScenario(tenant: Tenant, spec: Record<string, unknown>, scenario: Scenario): void {
  const seeded = tenant.configAfter(mergeScenarioOptions(tenant.config, scenario, (c) => tenant.checkConfig(c)));
  const source = spec.seedFile !== undefined ? `the options of seedFile ${String(spec.seedFile)}` : "the scenario's options";
  try {
    tenant.checkConfig(requestOver(seeded, spec), seeded);
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    const named = (['persona', 'profile'] as const).filter((f) => spec[f] !== undefined && spec[f] !== seeded[f]);
    const what = named.map((f) => `${f} "${String(spec[f])}"`).join(' and ') || 'the request';
    throw new ControlError(400, `${what} and ${source} do not fit together: ${err.message}`, named[0] ?? err.field);
  }
  // The request's persona replacing the scenario's would replace the page sizes the scenario sets with its own
  // defaults: said, not done silently (the scenario's persona and page sizes came in one change, so they were its own).
  if (spec.persona === undefined || spec.persona === seeded.persona) return;
  const after = tenant.configAfter(requestOver(seeded, spec), seeded);
  const replaced = (['defaultPageSize', 'maxPageSize'] as const).filter((f) => scenario.options?.[f] !== undefined && after[f] !== seeded[f]);
  if (!replaced.length) return;
  const values = (config: TenantConfig) => replaced.map((f) => `${f} ${config[f]}`).join(' and ');
  throw new ControlError(
    400,
    `persona "${String(spec.persona)}" and ${source} do not fit together: they set ${values(seeded)}${seeded.persona ? ` with persona ${seeded.persona}` : ''}, which persona ${String(spec.persona)} would replace with ${values(after)}; leave persona out of the request (or name it in the file's options, whose page sizes then stay), or leave the page sizes out of the file.`,
    'persona',
  );
}
