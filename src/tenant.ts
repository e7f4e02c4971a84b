/**
 * Everything that varies per tenant lives here: schemas, store, service, clock, seeded randomness, runtime
 * options, faults and journal. Tenants share nothing.
 */
import { BehaviourAnalyser } from './behaviour/analyser.js';
import type { BehaviourConfig } from './behaviour/codes.js';
import { storeView } from './behaviour/view.js';
import type { AuthMode } from './config.js';
import { FaultRegistry } from './faults/registry.js';
import { applyProfileDefaults } from './profiles/profiles.js';
import { Journal } from './journal/journal.js';
import { ControllableClock } from './scim/clock.js';
import { SeededRandom } from './scim/random.js';
import { SchemaRegistry } from './scim/schemas/registry.js';
import { ScimService } from './scim/service.js';
import { MemoryStore, type StoreSnapshot } from './store/memory.js';

export interface TenantAuth {
  mode: AuthMode;
  token: string;
  basicUser: string;
  basicPassword: string;
  /** The userName /Me stands for (RFC 7644 section 3.11); none: /Me answers 501. */
  me?: string;
}

export type ProfileName = 'lenient' | 'rfc' | 'entra' | 'okta';
export const PROFILE_NAMES: readonly ProfileName[] = ['lenient', 'rfc', 'entra', 'okta'];

/** The runtime options of a tenant (GET / PATCH /_mock/config). */
export interface TenantConfig {
  profile: ProfileName;
  auth: TenantAuth;
  /** Page size when a list request has no `count`. */
  defaultPageSize: number;
  /** Largest page a list request gets (ServiceProviderConfig filter.maxResults). */
  maxPageSize: number;
  /** Status of a successful PATCH per resource type name: 200 with the resource (default) or 204. */
  patchStatus: Record<string, 200 | 204>;
  groupDisplayNameUnique: boolean;
  /** Send conformance warnings in a Scimulator-Warning response header. */
  warningsHeader: boolean;
  /** Idle time in seconds after which a pagination cursor expires (RFC 9865 cursorTimeout). */
  cursorTimeout: number;
  /** Most operations one POST /Bulk may carry (ServiceProviderConfig bulk.maxOperations). */
  bulkMaxOperations: number;
  /** Largest POST /Bulk body in bytes (ServiceProviderConfig bulk.maxPayloadSize). */
  bulkMaxPayload: number;
  /** The behaviour analyser: on or off, codes switched off, the retry-storm threshold (src/behaviour/). */
  behaviour: BehaviourConfig;
}

/** What this tenant supports, as ServiceProviderConfig advertises it. */
export interface Features {
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: boolean;
  sort: boolean;
  pagination?: Record<string, unknown>;
}

export interface TenantInit {
  /** Most operations one PATCH request may carry (server-wide --max-patch-operations). */
  maxPatchOperations?: number;
  id: string;
  config: TenantConfig;
  seed?: number;
  journalCapacity?: number;
  journalFile?: string;
}

export class Tenant {
  readonly id: string;
  readonly seed: number;
  readonly clock = new ControllableClock();
  /** Draws ids for new resources. */
  readonly random: SeededRandom;
  readonly registry: SchemaRegistry;
  readonly store: MemoryStore;
  readonly service: ScimService;
  readonly faults: FaultRegistry;
  readonly journal: Journal;
  /** Follows each client across its requests (a journal subscriber plus a check when a request arrives). */
  readonly behaviour: BehaviourAnalyser;
  config: TenantConfig;
  /** The state `reset` returns to. */
  seedState: StoreSnapshot;
  /** Fault rules a scenario seeded; `reset` adds them again after clearing the faults. */
  seedFaults: unknown[] = [];
  /** Fault rules from the command line (--latency, --fail-rate, --rate-limit): reset restores them too. */
  startupFaults: unknown[] = [];

  constructor(init: TenantInit) {
    this.id = init.id;
    this.seed = init.seed ?? 1;
    this.config = applyProfileDefaults(undefined, structuredClone(init.config));
    this.random = new SeededRandom(this.seed);
    this.registry = SchemaRegistry.builtIn();
    this.store = new MemoryStore(this.registry);
    this.service = new ScimService(this.registry, this.store, this.clock, this.random, {
      groupDisplayNameUnique: this.config.groupDisplayNameUnique,
      maxPatchOperations: init.maxPatchOperations,
    });
    // Faults draw from their own generator, so adding a rule never changes the ids of created resources.
    this.faults = new FaultRegistry({ random: new SeededRandom(`${this.seed}:faults`), clock: this.clock });
    this.journal = new Journal({ clock: this.clock, capacity: init.journalCapacity, file: init.journalFile });
    this.behaviour = new BehaviourAnalyser({ tenantId: this.id, clock: this.clock, settings: () => this.config, view: storeView(this.registry, this.store) });
    this.journal.subscribe((entry, context) => this.behaviour.complete(entry, context));
    this.seedState = this.store.snapshot();
  }

  get auth(): TenantAuth {
    return this.config.auth;
  }

  /** What ServiceProviderConfig advertises: what this build implements, with this tenant's limits. */
  get features(): Features {
    return {
      patch: true,
      bulk: { supported: true, maxOperations: this.config.bulkMaxOperations, maxPayloadSize: this.config.bulkMaxPayload },
      filter: { supported: true, maxResults: this.config.maxPageSize },
      // A PUT may set a new password (writeOnly, never returned).
      changePassword: true,
      sort: true,
      // RFC 9865 section 4. Index stays the default so clients that only know RFC 7644 see no change.
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: Math.min(this.config.defaultPageSize, this.config.maxPageSize),
        maxPageSize: this.config.maxPageSize,
        cursorTimeout: this.config.cursorTimeout,
      },
    };
  }

  /** Applies a changed config to the parts that cache it. */
  applyConfig(config: TenantConfig): void {
    config = applyProfileDefaults(this.config, config);
    this.config = config;
    this.service.options.groupDisplayNameUnique = config.groupDisplayNameUnique;
  }

  /** Back to the seed state; faults, and journal with the behaviour analyser's state, cleared unless kept. */
  reset(keep: { faults?: boolean; journal?: boolean } = {}): void {
    this.store.load(this.seedState);
    if (!keep.faults) {
      this.faults.clear();
      for (const rule of [...this.startupFaults, ...this.seedFaults]) this.faults.add(rule);
    }
    if (!keep.journal) {
      this.journal.clear();
      this.behaviour.clear();
    }
  }
}
