import type { ScimulatorOptions } from '../../src/config.js';
import { runtimeOf } from '../../src/http/app.js';
import { client, createUser, ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, type Client } from '../http/helpers.js';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BASE = 'http://scim.test:8080/scim/v2';
export const T0 = Date.parse('2015-09-01T10:00:00.000Z');

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** A client on a fresh app whose default tenant's clock is frozen (meta timestamps are exact). */
export function setup(options: Partial<ScimulatorOptions> = {}) {
  const c = client(options);
  const tenant = runtimeOf(c.app).defaultTenant;
  tenant.clock.freeze(T0);
  return { c, tenant };
}

export async function createGroup(c: Client, displayName: string, members: unknown[] = []) {
  const res = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, ...(members.length ? { members } : {}) });
  if (res.status !== 201) throw new Error(`create group ${displayName}: ${res.status} ${res.text}`);
  return res.body as Record<string, any>;
}

/** The RFC 7643 section 8.2 full User, trimmed to what the PATCH examples touch. */
export const BJENSEN_FULL = {
  schemas: [USER_SCHEMA, ENTERPRISE],
  userName: 'bjensen',
  externalId: 'bjensen',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  nickName: 'Babs',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    {
      type: 'work',
      streetAddress: '100 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'USA',
      formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
    },
    {
      type: 'home',
      streetAddress: '456 Hollywood Blvd',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'USA',
      formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA',
      primary: true,
    },
  ],
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
};

export async function createBjensen(c: Client) {
  return createUser(c, 'bjensen', BJENSEN_FULL);
}

export const meta = (type: string, id: string, version: string, lastModified = new Date(T0).toISOString()) => ({
  resourceType: type,
  created: new Date(T0).toISOString(),
  lastModified,
  location: `${BASE}/${type}s/${id}`,
  version,
});
