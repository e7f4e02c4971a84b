/**
 * Everything that varies per tenant lives here: schemas, store, service, clock, seeded random, options and
 * (as the control plane grows) faults and journal. Tenants share nothing.
 */
import { ControllableClock } from './scim/clock.js';
import { SeededRandom } from './scim/random.js';
import { SchemaRegistry } from './scim/schemas/registry.js';
import { ScimService, type ServiceOptions } from './scim/service.js';
import { MemoryStore, type StoreSnapshot } from './store/memory.js';
import type { AuthMode } from './config.js';

export interface TenantAuth {
  mode: AuthMode;
  token: string;
  basicUser: string;
  basicPassword: string;
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

export function defaultFeatures(): Features {
  return {
    patch: false,
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: false, maxResults: 1000 },
    // A PUT may set a new password (writeOnly, never returned).
    changePassword: true,
    sort: false,
  };
}

export interface TenantInit {
  id: string;
  auth: TenantAuth;
  service: ServiceOptions;
  seed?: number;
}

export class Tenant {
  readonly id: string;
  readonly clock = new ControllableClock();
  readonly random: SeededRandom;
  readonly registry: SchemaRegistry;
  readonly store: MemoryStore;
  readonly service: ScimService;
  auth: TenantAuth;
  features: Features = defaultFeatures();
  /** The state `reset` returns to. */
  seedState: StoreSnapshot;

  constructor(init: TenantInit) {
    this.id = init.id;
    this.auth = { ...init.auth };
    this.random = new SeededRandom(init.seed ?? 1);
    this.registry = SchemaRegistry.builtIn();
    this.store = new MemoryStore(this.registry);
    this.service = new ScimService(this.registry, this.store, this.clock, this.random, { ...init.service });
    this.seedState = this.store.snapshot();
  }
}
