/**
 * Everything that varies per tenant lives here: schemas, store, service, clock, seeded randomness, runtime
 * options, faults and journal. Tenants share nothing.
 */
import { FaultRegistry } from './faults/registry.js';
import { applyProfileDefaults } from './profiles/profiles.js';
import { Journal } from './journal/journal.js';
import { ControllableClock } from './scim/clock.js';
import { SeededRandom } from './scim/random.js';
import { SchemaRegistry } from './scim/schemas/registry.js';
import { ScimService } from './scim/service.js';
import { MemoryStore, type StoreSnapshot } from './store/memory.js';
import type { TenantAuth, TenantConfig } from './tenant-config.js';

// What a tenant config is lives in tenant-config.ts, below both this file and the profiles (which read it).
export { PROFILE_NAMES, type ProfileName, type TenantAuth, type TenantConfig } from './tenant-config.js';

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
  journalMaxBytes?: number;
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
    this.journal = new Journal({ clock: this.clock, capacity: init.journalCapacity, maxBytes: init.journalMaxBytes, file: init.journalFile });
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

  /** Back to the seed state; faults and journal cleared unless kept. */
  reset(keep: { faults?: boolean; journal?: boolean } = {}): void {
    this.store.load(this.seedState);
    if (!keep.faults) {
      this.faults.clear();
      for (const rule of [...this.startupFaults, ...this.seedFaults]) this.faults.add(rule);
    }
    if (!keep.journal) this.journal.clear();
  }
}
