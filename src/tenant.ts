/**
 * Everything that varies per tenant lives here: schemas, store, service, clock, seeded randomness, runtime
 * options, faults and journal. Tenants share nothing.
 */
import { BehaviourAnalyser } from './behaviour/analyser.js';
import { storeView } from './behaviour/view.js';
import { FaultRegistry } from './faults/registry.js';
import { FaultView } from './faults/view.js';
import { TokenStore } from './http/tokens.js';
import { capabilitiesOf, configDefaultsOf, faultsOf, persona as personaNamed } from './personas/index.js';
import { applyChoiceDefaults, isTolerated, profileDefaults } from './profiles/profiles.js';
import type { JournalFile } from './journal/file.js';
import { Journal } from './journal/journal.js';
import { VERSION } from './version.js';
import { MemberAdditionBudget, offers, type TargetCapabilities } from './scim/capabilities.js';
import { ControllableClock } from './scim/clock.js';
import { CursorKeys } from './scim/cursor.js';
import { SeededRandom } from './scim/random.js';
import { SchemaRegistry } from './scim/schemas/registry.js';
import { ScimService, type MemberPolicy } from './scim/service.js';
import { MemoryStore, type StoreSnapshot } from './store/memory.js';
import { checkConfig, type TenantAuth, type TenantConfig } from './tenant-config.js';

// What a tenant config is lives in tenant-config.ts, below both this file and the profiles (which read it).
export { PROFILE_NAMES, type ProfileName, type TenantAuth, type TenantConfig } from './tenant-config.js';

/** The defaults the tenant's choices bring: its profile's, then its persona's (the target's answers win). */
function choiceDefaults(config: TenantConfig): Partial<TenantConfig> {
  const fromProfile = profileDefaults(config);
  const p = config.persona ? personaNamed(config.persona) : undefined;
  if (!p) return fromProfile;
  const fromPersona = configDefaultsOf(p);
  const merged: Partial<TenantConfig> = { ...fromProfile, ...fromPersona };
  if (fromProfile.patchStatus || fromPersona.patchStatus) merged.patchStatus = { ...fromProfile.patchStatus, ...fromPersona.patchStatus };
  return merged;
}

/** What this tenant supports, as ServiceProviderConfig advertises it. */
export interface Features {
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: boolean;
  sort: boolean;
  etag: boolean;
  documentationUri?: string;
  pagination?: Record<string, unknown>;
}

export interface TenantInit {
  /** The server's largest request body (--max-body): bulkMaxPayload may not exceed it. */
  maxBody?: number;
  /** Most operations one PATCH request may carry (server-wide --max-patch-operations). */
  maxPatchOperations?: number;
  id: string;
  config: TenantConfig;
  seed?: number;
  journalCapacity?: number;
  journalMaxBytes?: number;
  /** The server's --journal-file, shared by every tenant's journal (the server closes it). */
  journalFile?: JournalFile;
}

export class Tenant {
  readonly id: string;
  readonly seed: number;
  readonly clock = new ControllableClock();
  /** Long sort keys of the cursors issued to this tenant's clients (src/scim/cursor.ts). */
  readonly cursorKeys = new CursorKeys();
  /** Draws ids for new resources. */
  readonly random: SeededRandom;
  readonly registry: SchemaRegistry;
  readonly store: MemoryStore;
  /** The store as the SCIM service sees it, with what fault rules change about it (drift, lag). */
  readonly view: FaultView;
  readonly service: ScimService;
  readonly faults: FaultRegistry;
  readonly journal: Journal;
  /** OAuth 2.0 access tokens issued by the tenant's token endpoint (auth mode "oauth"). */
  readonly tokens: TokenStore;
  /** Follows each client across its requests (a journal subscriber plus a check when a request arrives). */
  readonly behaviour: BehaviourAnalyser;
  config: TenantConfig;
  /** The state `reset` returns to. */
  seedState: StoreSnapshot;
  /** Fault rules a scenario seeded; `reset` adds them again after clearing the faults. */
  seedFaults: unknown[] = [];
  /** Fault rules from the command line (--latency, --fail-rate, --rate-limit): reset restores them too. */
  startupFaults: unknown[] = [];
  /** Fault rules of the persona (its rate limits): reset restores them; choosing another persona replaces them. */
  personaFaults: Array<{ id?: string }> = [];
  /** What this tenant's target supports (its persona's capabilities; empty: plain RFC behaviour). */
  capabilities: TargetCapabilities = {};
  /** The config before any profile or persona default, to return to when a choice no longer sets a value. */
  private readonly baseConfig: TenantConfig;
  private readonly maxBody: number | undefined;

  constructor(init: TenantInit) {
    this.id = init.id;
    this.maxBody = init.maxBody;
    this.seed = init.seed ?? 1;
    this.baseConfig = structuredClone(init.config);
    this.config = applyChoiceDefaults(undefined, structuredClone(init.config), choiceDefaults);
    this.random = new SeededRandom(this.seed);
    this.registry = SchemaRegistry.builtIn();
    this.store = new MemoryStore(this.registry);
    this.view = new FaultView(this.store, this.clock);
    this.service = new ScimService(this.registry, this.view, this.clock, this.random, {
      groupDisplayNameUnique: this.config.groupDisplayNameUnique,
      maxPatchOperations: init.maxPatchOperations,
      memberPolicy: this.config.memberPolicy,
      // The profile is read when asked: PATCH /_mock/config may change it.
      tolerates: (code) => isTolerated(this.config.profile, code),
    });
    // Renderings of the tenant's service go stale whenever the store changes, by any path (snapshots, reset, seeding).
    this.store.onChange(() => this.service.renders.invalidate());
    // Faults draw from their own generator, so adding a rule never changes the ids of created resources.
    this.faults = new FaultRegistry({ random: new SeededRandom(`${this.seed}:faults`), clock: this.clock });
    this.journal = new Journal({ clock: this.clock, capacity: init.journalCapacity, maxBytes: init.journalMaxBytes, file: init.journalFile, creatorVersion: VERSION });
    this.tokens = new TokenStore(this.clock);
    this.behaviour = new BehaviourAnalyser({
      tenantId: this.id,
      clock: this.clock,
      settings: () => this.config,
      etagAdvertised: () => this.capabilities.etag ?? true,
      view: storeView(this.registry, this.store, (type, resource) => this.service.versionOf(type, resource)),
    });
    this.journal.subscribeRecorded((entry, context) => this.behaviour.complete(entry, context));
    this.seedState = this.store.snapshot();
    this.applyPersona();
  }

  get auth(): TenantAuth {
    return this.config.auth;
  }

  /** What ServiceProviderConfig advertises: what this build implements, with this tenant's limits. */
  get features(): Features {
    const caps = this.capabilities;
    const features: Features = {
      patch: offers(caps, 'patch'),
      bulk: { supported: offers(caps, 'bulk'), maxOperations: this.config.bulkMaxOperations, maxPayloadSize: this.config.bulkMaxPayload },
      filter: { supported: true, maxResults: this.config.maxPageSize },
      // A PUT may set a new password (writeOnly, never returned).
      changePassword: caps.changePassword ?? true,
      sort: caps.sort ?? true,
      etag: caps.etag ?? true,
    };
    if (caps.documentationUri) features.documentationUri = caps.documentationUri;
    if (this.config.advertisePagination) {
      // RFC 9865 section 4. Index stays the default so clients that only know RFC 7644 see no change.
      const index = caps.startIndex !== false;
      features.pagination = {
        cursor: true,
        index,
        defaultPaginationMethod: index ? 'index' : 'cursor',
        defaultPageSize: Math.min(this.config.defaultPageSize, this.config.maxPageSize),
        maxPageSize: this.config.maxPageSize,
        cursorTimeout: this.config.cursorTimeout,
      };
    }
    return features;
  }

  /**
   * The config this tenant would run with after `config` is applied: with its profile's and persona's defaults.
   * `previous`: the config it is applied to (the current one unless a change is checked ahead of another).
   */
  configAfter(config: TenantConfig, previous: TenantConfig = this.config): TenantConfig {
    return applyChoiceDefaults(previous, config, choiceDefaults, this.baseConfig);
  }

  /** Throws ControlError when `config`, once applied, would not hold together (checkConfig on configAfter). */
  checkConfig(config: TenantConfig, previous: TenantConfig = this.config): void {
    checkConfig(this.configAfter(config, previous), { maxBody: this.maxBody, requested: config });
  }

  /**
   * Applies a changed config to the parts that cache it. The resulting config is checked as a whole first:
   * ControlError, and nothing changed, when it does not hold together.
   */
  applyConfig(config: TenantConfig): void {
    const personaChanged = config.persona !== this.config.persona;
    const requested = config;
    config = this.configAfter(config);
    checkConfig(config, { maxBody: this.maxBody, requested });
    this.config = config;
    this.service.options.groupDisplayNameUnique = config.groupDisplayNameUnique;
    this.service.options.memberPolicy = config.memberPolicy;
    if (personaChanged) this.applyPersona();
  }

  /** The persona's capabilities and rate-limit rules, replacing the previous persona's. */
  private applyPersona(): void {
    const p = this.config.persona ? personaNamed(this.config.persona) : undefined;
    this.capabilities = p ? capabilitiesOf(p) : {};
    this.service.options.capabilities = this.capabilities;
    // The members each group gained count against the new persona's budget from nothing.
    const rate = this.capabilities.memberAdditionRate;
    this.service.options.memberBudget = rate ? new MemberAdditionBudget(rate) : undefined;
    for (const rule of this.personaFaults) if (rule.id) this.faults.remove(rule.id);
    this.personaFaults = p ? faultsOf(p) : [];
    for (const rule of this.personaFaults) this.faults.add(rule);
  }

  /** Replaces the whole state with a snapshot; what faults changed about the view of the old state is forgotten. */
  load(snapshot: StoreSnapshot): void {
    this.store.load(snapshot);
    this.view.clear();
  }

  /** Back to the seed state; faults, and journal with the behaviour analyser's state, cleared unless kept. */
  reset(keep: { faults?: boolean; journal?: boolean } = {}): void {
    this.load(this.seedState);
    if (!keep.faults) {
      this.faults.clear();
      // The persona's budget of members added to each group is a rate limit too: restored whole.
      this.service.options.memberBudget?.clear();
      for (const rule of [...this.personaFaults, ...this.startupFaults, ...this.seedFaults]) this.faults.add(rule);
    }
    if (!keep.journal) {
      this.journal.clear();
      this.behaviour.clear();
    }
  }
}
