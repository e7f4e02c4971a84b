/**
 * Directory shapes: what the generated users and groups look like after a given IdP provisioned them.
 *
 * - generic: everything the generator produces.
 * - entra: what Microsoft Entra ID's default attribute mappings send (userPrincipalName -> userName, objectId-like
 *   GUID externalIds, givenName/surname/formatted, jobTitle -> title, work email, work address parts, work and
 *   mobile phones, and of the enterprise extension employeeNumber, department and manager by id). Groups carry the
 *   group objectId as externalId and members as bare ids. The ADSCIM group schema URN Entra lists in `schemas` is
 *   not a registered schema and is not stored.
 * - okta: what Okta's SCIM 2.0 provisioning sends: externalId is the Okta user id ("00u" + 17 characters), one
 *   primary work email, no formatted name; groups are pushed without externalId and list members with
 *   `display` = the member's userName (Okta's login).
 *
 * Shapes only remove or rewrite attributes; the result validates against the same schemas. Deterministic: Okta
 * ids come from a generator seeded with the scenario seed.
 */
import { SeededRandom } from '../scim/random.js';
import { flat } from '../scim/strings.js';
import { runSteps, type Steps } from './steps.js';
import type { GeneratedDirectory, Resource } from './generate.js';

export type DirectoryShape = 'generic' | 'entra' | 'okta';
export const DIRECTORY_SHAPES: readonly DirectoryShape[] = ['generic', 'entra', 'okta'];

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Rewrites a generated directory in place. */
export function shapeDirectory(directory: GeneratedDirectory, shape: DirectoryShape, seed: number): void {
  runSteps(shapeDirectorySteps(directory, shape, seed));
}

/** shapeDirectory in steps: yields every thousand or so resources (see generateDirectorySteps). */
export function* shapeDirectorySteps(directory: GeneratedDirectory, shape: DirectoryShape, seed: number): Steps<void> {
  if (shape === 'entra') yield* entra(directory);
  else if (shape === 'okta') yield* okta(directory, seed);
}

const STEP = 1024;

function pickKeys(object: Resource, keys: readonly string[]): Resource {
  const out: Resource = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

const ENTRA_USER_KEYS = ['schemas', 'id', 'externalId', 'meta', 'userName', 'name', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'addresses', ENTERPRISE];

function* entra(directory: GeneratedDirectory): Steps<void> {
  const users = directory.users;
  for (let i = 0; i < users.length; i++) {
    const user = pickKeys(users[i]!, ENTRA_USER_KEYS);
    user.name = pickKeys(user.name as Resource, ['formatted', 'familyName', 'givenName']);
    user.emails = (user.emails as Resource[]).filter((e) => e.type === 'work').map((e) => ({ primary: true, type: 'work', value: e.value }));
    user.addresses = (user.addresses as Resource[]).map((a) => pickKeys(a, ['type', 'streetAddress', 'locality', 'region', 'postalCode', 'country']));
    user.phoneNumbers = (user.phoneNumbers as Resource[]).map((p) => ({ type: p.type, value: p.value }));
    const ent = user[ENTERPRISE] as Resource;
    const shaped = pickKeys(ent, ['employeeNumber', 'department']);
    if (ent.manager) shaped.manager = { value: (ent.manager as Resource).value };
    user[ENTERPRISE] = shaped;
    users[i] = user;
    if (i % STEP === STEP - 1) yield;
  }
  for (const group of directory.groups) {
    if (Array.isArray(group.members)) group.members = (group.members as Resource[]).map((m) => ({ value: m.value, type: m.type }));
    yield;
  }
}

function* okta(directory: GeneratedDirectory, seed: number): Steps<void> {
  const random = new SeededRandom(`okta:${seed}`);
  const taken = new Set<string>();
  const oktaId = (prefix: string): string => {
    let id: string;
    do {
      id = prefix;
      for (let i = 0; i < 17; i++) id += BASE62[random.nextUint32() % 62];
    } while (taken.has(id));
    taken.add(id);
    return flat(id);
  };
  const userNames = new Map<string, string>();
  let n = 0;
  for (const user of directory.users) {
    if (++n % STEP === 0) yield;
    user.externalId = oktaId('00u');
    // A new object rather than `delete`, which would turn every name into a slower, larger dictionary object.
    const { formatted: _formatted, ...name } = user.name as Resource;
    user.name = name;
    user.emails = (user.emails as Resource[]).filter((e) => e.type === 'work').map((e) => ({ primary: true, value: e.value, type: 'work' }));
    userNames.set(user.id as string, user.userName as string);
  }
  for (const group of directory.groups) {
    delete group.externalId;
    if (Array.isArray(group.members)) {
      group.members = (group.members as Resource[]).map((m) => ({ value: m.value, display: userNames.get(m.value as string) ?? m.display, type: m.type }));
    }
    yield;
  }
}
