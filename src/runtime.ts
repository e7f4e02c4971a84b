/** The running Scimulator: its options and its tenants (the default one, and those the control API adds). */
import { resolveOptions, type ScimulatorOptions } from './config.js';
import { Tenant } from './tenant.js';

export const DEFAULT_TENANT_ID = 'default';

export class Scimulator {
  readonly options: ScimulatorOptions;
  readonly tenants = new Map<string, Tenant>();
  readonly startedAt = Date.now();

  constructor(options: Partial<ScimulatorOptions> = {}) {
    this.options = resolveOptions(options);
    this.tenants.set(DEFAULT_TENANT_ID, this.newTenant(DEFAULT_TENANT_ID));
  }

  get defaultTenant(): Tenant {
    return this.tenants.get(DEFAULT_TENANT_ID)!;
  }

  tenant(id: string): Tenant | undefined {
    return this.tenants.get(id);
  }

  private newTenant(id: string): Tenant {
    const o = this.options;
    return new Tenant({
      id,
      auth: { mode: o.auth, token: o.token, basicUser: o.basicUser, basicPassword: o.basicPassword },
      service: { groupDisplayNameUnique: o.groupDisplayNameUnique },
    });
  }
}
