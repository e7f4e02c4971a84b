import type { ScimulatorOptions } from '../../src/config.js';
import { runtimeOf } from '../../src/http/app.js';
import { generateDirectory, type Resource } from '../../src/seed/generate.js';
import { client } from '../http/helpers.js';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const FROZEN_AT = Date.parse('2025-06-01T00:00:00.000Z');

/**
 * A client on a fresh app whose default tenant holds a generated directory (seeded, so the same every run), with
 * the tenant clock frozen.
 */
export function directory(options: { users?: number; groups?: number; seed?: number } & Partial<ScimulatorOptions> = {}) {
  const { users = 500, groups = 30, seed = 7, ...rest } = options;
  const c = client(rest);
  const tenant = runtimeOf(c.app).defaultTenant;
  const dir = generateDirectory({ seed, users, groups });
  let sequence = 0;
  const stamp = (r: Resource): Resource => ({ ...r, meta: { ...(r.meta as object), version: `W/"${++sequence}"` } });
  const stampedUsers = dir.users.map(stamp);
  const stampedGroups = dir.groups.map(stamp);
  tenant.store.load({ sequence, resources: { User: stampedUsers, Group: stampedGroups } });
  tenant.clock.freeze(FROZEN_AT);
  return { c, tenant, users: stampedUsers, groups: stampedGroups };
}

/** Every id of a list of resources, and a check that none repeats. */
export function ids(resources: Array<{ id?: unknown }>): string[] {
  return resources.map((r) => r.id as string);
}

export const q = (value: string) => encodeURIComponent(value);
