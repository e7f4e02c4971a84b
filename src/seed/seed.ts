/**
 * Seeding: turns a scenario into a tenant's state.
 *
 * Generated resources are trusted (the generator's tests prove they validate) and go straight into the store with
 * versions from the store sequence; literal resources go through the SCIM service (validation, references,
 * uniqueness) with ids from a generator seeded by the scenario seed and timestamps at the reference date, so the
 * same scenario always gives byte-identical state. The directory is built in a scratch store first: a scenario
 * that fails halfway leaves the tenant as it was.
 */
import type { Clock } from '../scim/clock.js';
import { ScimError } from '../scim/errors.js';
import { SeededRandom } from '../scim/random.js';
import { ScimService } from '../scim/service.js';
import type { Resource } from '../scim/validate.js';
import { MemoryStore, type StoreSnapshot } from '../store/memory.js';
import { toDocument } from '../store/snapshot.js';
import type { Tenant } from '../tenant.js';
import { registryWith } from '../scim/schemas/custom.js';
import { persona as personaNamed, storedCapabilitiesOf } from '../personas/index.js';
import { checkSeeded, conformGeneratedSteps, type SeedTarget } from './conform.js';
import { forSeeding, generateDirectorySteps } from './generator.js';
import { pointerToken } from './json-schema.js';
import { mergeScenarioOptions, referenceDateOf, ScenarioError, type Scenario } from './scenario.js';
import { shapeDirectorySteps } from './shapes.js';
import { runSteps, runStepsSliced, type Steps } from './steps.js';

export interface SeedOptions {
  /** Generator progress (done, total), about every 1,000 resources. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The persona the tenant runs with once seeded, when the request names one over the scenario's (POST
   * /_mock/tenants {persona}); absent: the persona of the tenant's config with the scenario's options.
   */
  persona?: string | null;
}

export interface BuildOptions extends Omit<SeedOptions, 'persona'> {
  /** Whether literal groups must have unique displayNames (the tenant's option). */
  groupDisplayNameUnique?: boolean;
  /** The persona the directory is seeded for: generated resources are made to fit it, literal ones checked. */
  target?: SeedTarget;
}

/** The seed target of a persona name (none for null or an unknown name, which the config checks refuse). */
export function seedTargetOf(name: string | null | undefined): SeedTarget | undefined {
  const p = name ? personaNamed(name) : undefined;
  return p ? { name: p.name, capabilities: storedCapabilitiesOf(p) } : undefined;
}

export interface SeedSummary {
  /** Resources per resource type name. */
  counts: Record<string, number>;
  /** Time spent, in ms (generation included). */
  ms: number;
}

/** Draws ids like SeededRandom, except that the next id can be fixed (a literal resource's own id). */
class LiteralIds extends SeededRandom {
  fixed: string | undefined;

  override uuid(): string {
    const id = this.fixed;
    if (id !== undefined) {
      this.fixed = undefined;
      return id;
    }
    return super.uuid();
  }
}

/** Builds the directory of a scenario as a store snapshot (custom schemas included). Throws ScenarioError. */
export function buildDirectory(scenario: Scenario, options: BuildOptions = {}): StoreSnapshot {
  return runSteps(buildDirectorySteps(scenario, options));
}

/** buildDirectory in steps (see src/seed/steps.ts). */
export function* buildDirectorySteps(scenario: Scenario, options: BuildOptions = {}): Steps<StoreSnapshot> {
  const resources: Record<string, Resource[]> = {};
  const registry = registryWith({ schemas: scenario.schemas, resourceTypes: scenario.resourceTypes });
  for (const type of registry.resourceTypes()) resources[type.name] = [];
  let sequence = 0;

  const g = scenario.generate;
  if (g && g.users + g.groups > 0) {
    let directory;
    try {
      // Versions W/"1", W/"2", ... in order, as the store would number them.
      directory = yield* generateDirectorySteps({ ...forSeeding(g), onProgress: options.onProgress });
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) throw new ScenarioError(scenario.source, '/generate', err.message.replace(/^generateDirectory: /, ''));
      throw err;
    }
    yield* shapeDirectorySteps(directory, g.shape ?? 'generic', g.seed);
    const target = options.target;
    if (target) {
      for (const [typeName, list] of [['User', directory.users], ['Group', directory.groups]] as const) {
        yield* conformGeneratedSteps(list, typeName, target, registry);
        for (let i = 0; i < list.length; i++) {
          const resource = list[i]!;
          const name = typeName === 'User' ? resource.userName : resource.displayName;
          checkSeeded(resource, typeName, target, registry, (reason) => {
            throw new ScenarioError(scenario.source, '/generate', `the generated ${typeName} ${JSON.stringify(name)} does not fit: ${reason}; seed without the persona, or list such resources in the file`);
          });
          if (i % 1024 === 1023) yield;
        }
      }
    }
    sequence = directory.users.length + directory.groups.length;
    resources.User = directory.users;
    resources.Group = directory.groups;
  }
  const generated: StoreSnapshot = { sequence, resources };
  if (scenario.schemas.length || scenario.resourceTypes.length) {
    generated.schemas = scenario.schemas;
    generated.resourceTypes = scenario.resourceTypes;
  }
  const literals = scenario.users.length + scenario.groups.length + Object.values(scenario.resources).reduce((n, list) => n + list.length, 0);
  if (literals === 0) return generated;

  const store = new MemoryStore(registry);
  yield* store.loadSteps(generated);
  const referenceMs = Date.parse(referenceDateOf(scenario));
  const clock: Clock = { now: () => referenceMs };
  const ids = new LiteralIds(`${g?.seed ?? 1}:literals`);
  // The directory's users are created with their memberships: a literal group gives its members no new version.
  // Under a persona, literal resources are unique as the target keeps them (its answer when not); what else the
  // target wants of a stored resource is checked once it is created.
  const target = options.target;
  const uniqueCaps = target?.capabilities.uniqueAttributes ? { uniqueAttributes: target.capabilities.uniqueAttributes, ...(target.capabilities.unsupported ? { unsupported: target.capabilities.unsupported } : {}) } : undefined;
  const service = new ScimService(registry, store, clock, ids, { groupDisplayNameUnique: options.groupDisplayNameUnique ?? false, ...(uniqueCaps ? { capabilities: uniqueCaps } : {}) });
  const fail = (pointer: string, reason: string): never => {
    throw new ScenarioError(scenario.source, pointer, reason);
  };
  const typeNames = registry.resourceTypes().map((t) => t.name);
  /** Id of a literal resource -> its JSON pointer in the file: a clash names the entry, not an id drawn from the seed. */
  const literalAt = new Map<string, string>();
  const fixedIds = new Set<string>();
  const create = (typeName: string, raw: Resource, pointer: string, body: Resource) => {
    if (typeof raw.id === 'string') {
      const owner = typeNames.find((t) => store.get(t, raw.id as string));
      if (owner) fail(`${pointer}/id`, `"${raw.id}" is already the id of a ${owner}; ids are unique across all resources`);
      ids.fixed = raw.id;
      fixedIds.add(raw.id);
    }
    let created: Resource;
    try {
      created = service.create(typeName, body);
      if (typeof created.id === 'string' && typeof raw.id !== 'string') literalAt.set(created.id, pointer);
    } catch (err) {
      if (err instanceof ScimError && err.scimType === 'uniqueness') {
        // A fixed id is in the file already; an id drawn from the seed is not: name the entry, or say it was generated.
        fail(pointer, err.detail.replace(/ by (\S+) "([^"]*)"/, (whole, type: string, id: string) =>
          literalAt.has(id) ? ` by the ${type} at ${literalAt.get(id)}` : fixedIds.has(id) ? whole : ` by a generated ${type} (id "${id}")`));
      }
      if (err instanceof ScimError) fail(pointer, err.detail);
      throw err;
    } finally {
      ids.fixed = undefined;
    }
    if (target) checkSeeded(created, typeName, target, registry, (reason) => fail(pointer, `${reason}; change it in the file, or seed without the persona`));
  };
  const withoutId = (raw: Resource): Resource => {
    const body: Resource = {};
    for (const [key, value] of Object.entries(raw)) if (key !== 'id') body[key] = value;
    return body;
  };

  scenario.users.forEach((raw, i) => create('User', raw, `/users/${i}`, withoutId(raw)));

  const laterGroups = new Map<string, number>();
  scenario.groups.forEach((raw, i) => {
    const name = Object.entries(raw).find(([k]) => k.toLowerCase() === 'displayname')?.[1];
    if (typeof name === 'string' && !laterGroups.has(name.toLowerCase())) laterGroups.set(name.toLowerCase(), i);
  });
  scenario.groups.forEach((raw, i) => {
    const pointer = `/groups/${i}`;
    const body = withoutId(raw);
    for (const key of Object.keys(body)) {
      if (key.toLowerCase() !== 'members') continue;
      body[key] = (body[key] as Record<string, string>[]).map((ref, j) => resolveMember(ref, `${pointer}/${pointerToken(key)}/${j}`));
    }
    create('Group', raw, pointer, body);
  });

  function resolveMember(ref: Record<string, string>, pointer: string): Resource {
    if (ref.value !== undefined) return { value: ref.value };
    if (ref.userName !== undefined) {
      const found = store.lookup('User', 'userName', ref.userName);
      if (found.length === 0) fail(pointer, `there is no user with userName "${ref.userName}" (literal users and generated ones are searched)`);
      return { value: found[0]!, type: 'User' };
    }
    const found = store.lookup('Group', 'displayName', ref.displayName!);
    if (found.length > 1) fail(pointer, `${found.length} groups are named "${ref.displayName}"; name the member by "value" (its id) instead`);
    if (found.length === 0) {
      const later = laterGroups.get(ref.displayName!.toLowerCase());
      if (later !== undefined) fail(pointer, `the group "${ref.displayName}" is declared later (/groups/${later}); declare a nested group before the groups that contain it`);
      fail(pointer, `there is no group named "${ref.displayName}"`);
    }
    return { value: found[0]!, type: 'Group' };
  }

  for (const [typeName, list] of Object.entries(scenario.resources)) {
    list.forEach((raw, i) => create(typeName, raw, `/resources/${pointerToken(typeName)}/${i}`, withoutId(raw)));
  }
  return store.snapshot();
}

/**
 * The scenario's fault rules, each with an id ("seed-1", "seed-2"... when the file gives none), so that seeding
 * again or resetting replaces exactly these rules and leaves the tenant's other rules (e.g. --latency) alone.
 */
function seededRules(tenant: Tenant, scenario: Scenario): Record<string, unknown>[] {
  const explicit = new Set(scenario.faults.map((rule) => rule.id).filter((id) => typeof id === 'string'));
  const previous = new Set((tenant.seedFaults as Array<{ id?: unknown }>).map((rule) => rule.id));
  let n = 0;
  return scenario.faults.map((rule, i) => {
    let id = rule.id as string | undefined;
    if (id === undefined) {
      do id = `seed-${++n}`;
      while (explicit.has(id));
    }
    if (!previous.has(id) && tenant.faults.get(id)) throw new ScenarioError(scenario.source, `/faults/${i}${rule.id === undefined ? '' : '/id'}`, `the fault rule id "${id}" is already used by a rule of the tenant`);
    return rule.id === undefined ? { id, ...structuredClone(rule) } : structuredClone(rule);
  });
}

/** Applies a scenario's tenant options and fault rules (what a snapshot does not carry). Throws ScenarioError. */
export function applyScenarioSettings(tenant: Tenant, scenario: Scenario): void {
  const config = mergeScenarioOptions(tenant.config, scenario, (c) => tenant.checkConfig(c));
  const rules = seededRules(tenant, scenario);
  tenant.applyConfig(config);
  for (const old of tenant.seedFaults as Array<{ id: string }>) tenant.faults.remove(old.id);
  for (const rule of rules) tenant.faults.add(rule);
  tenant.seedFaults = rules;
}

/**
 * Replaces a tenant's state with a scenario: options, fault rules, custom schemas and the directory. The result
 * becomes the tenant's seed state, so POST /_mock/reset returns to it without generating again.
 * Throws ScenarioError (and changes nothing) when the scenario does not load.
 */
export function seedTenant(tenant: Tenant, scenario: Scenario, opts: SeedOptions = {}): SeedSummary {
  return runSteps(seedTenantSteps(tenant, scenario, opts));
}

/**
 * seedTenant in slices of a few milliseconds, giving the event loop back in between: for a tenant nobody can
 * reach until it resolves (POST /_mock/tenants), so its half-built state is never seen.
 */
export function seedTenantSliced(tenant: Tenant, scenario: Scenario, opts: SeedOptions = {}): Promise<SeedSummary> {
  return runStepsSliced(seedTenantSteps(tenant, scenario, opts));
}

function* seedTenantSteps(tenant: Tenant, scenario: Scenario, opts: SeedOptions): Steps<SeedSummary> {
  const started = performance.now();
  const config = mergeScenarioOptions(tenant.config, scenario, (c) => tenant.checkConfig(c));
  seededRules(tenant, scenario); // checked before anything changes
  const { persona, ...build } = opts;
  const target = seedTargetOf(persona !== undefined ? persona : config.persona);
  const snapshot = yield* buildDirectorySteps(scenario, { ...build, groupDisplayNameUnique: config.groupDisplayNameUnique, ...(target ? { target } : {}) });
  applyScenarioSettings(tenant, scenario);
  yield* tenant.store.loadSteps(snapshot);
  // The very object just loaded: the store keeps its indexed state, so a reset shares it instead of re-indexing.
  tenant.seedState = snapshot;
  const counts: Record<string, number> = {};
  for (const [type, list] of Object.entries(tenant.seedState.resources)) counts[type] = list.length;
  return { counts, ms: performance.now() - started };
}

/** "50 users, 8 groups, 3 Devices" */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([type, n]) => n > 0 || type === 'User' || type === 'Group')
    .map(([type, n]) => (type === 'User' ? `${n} user${n === 1 ? '' : 's'}` : type === 'Group' ? `${n} group${n === 1 ? '' : 's'}` : `${n} ${type}${n === 1 ? '' : 's'}`))
    .join(', ');
}

/**
 * The snapshot document of a scenario as text, in pieces (so a very large directory never has to be one string):
 * identical to `JSON.stringify(toDocument(snapshot), null, 2)` plus a trailing newline.
 */
export function* snapshotDocumentChunks(snapshot: StoreSnapshot): Generator<string> {
  const doc = toDocument(snapshot) as unknown as Record<string, unknown>;
  const keys = Object.keys(doc);
  yield '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const comma = k < keys.length - 1 ? ',' : '';
    if (key !== 'resources') {
      yield `\n  ${JSON.stringify(key)}: ${indent(JSON.stringify(doc[key], null, 2), '  ')}${comma}`;
      continue;
    }
    const types = Object.entries(doc.resources as Record<string, Resource[]>);
    if (types.length === 0) {
      yield `\n  "resources": {}${comma}`;
      continue;
    }
    yield '\n  "resources": {';
    for (let t = 0; t < types.length; t++) {
      const [type, list] = types[t]!;
      const typeComma = t < types.length - 1 ? ',' : '';
      if (list.length === 0) {
        yield `\n    ${JSON.stringify(type)}: []${typeComma}`;
        continue;
      }
      // A batch stringified inside the same nesting ({ r: { <type>: [...] } }, two-space indent) comes out with the
      // document's indentation; the wrapper's first and last lines are cut off.
      const head = `{\n  "r": {\n    ${JSON.stringify(type)}: [`;
      const tail = '\n    ]\n  }\n}';
      yield `\n    ${JSON.stringify(type)}: [`;
      for (let start = 0; start < list.length; start += BATCH) {
        const text = JSON.stringify({ r: { [type]: list.slice(start, start + BATCH) } }, null, 2);
        yield (start > 0 ? ',' : '') + text.slice(head.length, text.length - tail.length);
      }
      yield `\n    ]${typeComma}`;
    }
    yield `\n  }${comma}`;
  }
  yield '\n}\n';
}

const indent = (json: string, prefix: string): string => json.replace(/\n/g, `\n${prefix}`);
/** Resources per stringified piece of a snapshot document. */
const BATCH = 1000;
