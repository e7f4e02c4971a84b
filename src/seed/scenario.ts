/**
 * Scenario files (seeds/*.json): parsing and validation. The format is documented in seeds/README.md and
 * described by seeds/scenario.schema.json, which this loader applies with its own small validator. Every error is
 * one line naming the file, the JSON pointer and the problem:
 *
 *   seeds/bad.json: /generate/users: must be a non-negative integer
 *
 * Checks, in order: JSON syntax; forbidden keys (__proto__, constructor, prototype) and nesting depth; the JSON
 * Schema; custom schemas and resource types (RFC 7643 section 7); tenant options; fault rules; each literal
 * resource against the SCIM schemas (like a POST body). What needs the seeded store (uniqueness, member
 * references) is checked when seeding, with the same kind of message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS } from '../config.js';
import { FaultRegistry } from '../faults/registry.js';
import { FaultRuleError } from '../faults/rules.js';
import { FORBIDDEN_KEYS, isPlainObject } from '../scim/attributes.js';
import { systemClock } from '../scim/clock.js';
import { parseRfc3339 } from '../scim/datetime.js';
import { ScimError } from '../scim/errors.js';
import { SeededRandom } from '../scim/random.js';
import type { ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import { validateResource, type Resource } from '../scim/validate.js';
import type { TenantConfig } from '../tenant-config.js';
import { checkConfig, ControlError, mergeConfig, tenantConfigFrom } from '../tenant-config.js';
import { checkCustomSchemas, registryWith, resourceTypeNames, SchemaDefinitionError } from '../scim/schemas/custom.js';
import type { GenerateOptions } from './generate.js';
import { DEFAULT_REFERENCE_DATE, forSeeding, loadGenerator, needsGenerator } from './generator.js';
import { JsonSchemaValidator, pointerToken } from './json-schema.js';
import { findJsonSyntaxError } from './json-syntax.js';
import type { DirectoryShape } from './shapes.js';

/** A scenario that cannot be loaded: `${source}: ${pointer}: ${reason}` on one line. */
export class ScenarioError extends Error {
  constructor(readonly source: string, readonly pointer: string, readonly reason: string) {
    super(`${source}: ${pointer || '/'}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'ScenarioError';
  }
}

/** A scenario's `generate` block: the generator's options plus the IdP shape to give the directory. */
export type GenerateSpec = Omit<GenerateOptions, 'onProgress' | 'versions'> & { shape?: DirectoryShape };

export interface Scenario {
  /** The file name (as given) or another label, used in error messages. */
  source: string;
  description?: string;
  generate?: GenerateSpec;
  /** Literal users, groups and custom resources as written (checked; resolved and stamped when seeding). */
  users: Resource[];
  groups: Resource[];
  resources: Record<string, Resource[]>;
  /** Tenant options (a checked partial TenantConfig, applied with mergeConfig). */
  options?: Record<string, unknown>;
  /** Fault rule inputs (checked). */
  faults: Record<string, unknown>[];
  /** Custom schemas and resource types, checked and completed with the RFC 7643 defaults. */
  schemas: SchemaDef[];
  resourceTypes: ResourceTypeDef[];
}

/** Generated counts when flags ask for a directory without giving them: the `default.json` directory. */
export const DEFAULT_GENERATE: Readonly<GenerateSpec> = Object.freeze({ seed: 1, users: 50, groups: 8 });
export const MAX_USERS = 1_000_000;
export const MAX_GROUPS = 100_000;
const MAX_DEPTH = 64;
const EARLIEST_REFERENCE_MS = Date.UTC(1980, 0, 1);

let validator: JsonSchemaValidator | undefined;

/** The compiled seeds/scenario.schema.json (read once; it ships with the package next to the seeds). */
export function scenarioSchemaValidator(): JsonSchemaValidator {
  if (!validator) {
    const url = new URL('../../seeds/scenario.schema.json', import.meta.url);
    validator = new JsonSchemaValidator(JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>);
  }
  return validator;
}

/** Reads and checks a scenario file. Throws ScenarioError (file, pointer, reason), also for a missing file. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? missingFile(path) : e.code === 'EISDIR' ? 'is a directory, not a scenario file' : `cannot be read (${e.message})`;
    throw new ScenarioError(path, '', reason);
  }
  return withGenerator(parseScenario(text, path));
}

/**
 * Why a scenario file is not there, said with the absolute path that was looked up (there is no search order: a
 * relative path is read from the working directory of the process, which `npx scimulator` in another folder, a CI
 * step or a container changes), and the shipped scenario of that name, when there is one: the README's
 * `--seed-file seeds/okta-like.json` is relative to the package, not to the project that installed it.
 */
function missingFile(path: string): string {
  const absolute = resolve(path);
  const parts = [`no such file: looked for ${absolute}`];
  if (!isAbsolute(path)) parts.push(`(a relative path is read from the working directory, ${process.cwd()}); run scimulator from the directory the path is relative to, or give an absolute path`);
  else if (!existsSync(dirname(absolute))) parts.push(`(the directory ${dirname(absolute)} does not exist either); check the path`);
  else parts.push('; check the file name');
  const shipped = fileURLToPath(new URL(`../../seeds/${basename(path)}`, import.meta.url));
  if (shipped !== absolute && /\.json$/i.test(path) && basename(path) !== 'scenario.schema.json' && existsSync(shipped)) {
    parts.push(`; a scenario of that name ships with scimulator: ${shipped}`);
  }
  return parts.join(' ').replace(/ ;/g, ';');
}

/** The scenario, once the generator is loaded if the scenario generates a directory (see generator.ts). */
async function withGenerator(scenario: Scenario): Promise<Scenario> {
  if (scenario.generate && needsGenerator(forSeeding(scenario.generate))) await loadGenerator();
  return scenario;
}

/** Checks a scenario given as JSON text or as a parsed value. Throws ScenarioError. */
export function parseScenario(json: unknown, sourceName: string): Scenario {
  const fail = (pointer: string, reason: string): never => {
    throw new ScenarioError(sourceName, pointer, reason);
  };
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json.charCodeAt(0) === 0xfeff ? json.slice(1) : json);
    } catch (err) {
      const text = json.charCodeAt(0) === 0xfeff ? json.slice(1) : json;
      const where = findJsonSyntaxError(text);
      fail('', where ? `is not valid JSON at line ${where.line}, column ${where.column}: ${where.reason}` : `is not valid JSON: ${(err as Error).message}`);
    }
  }
  checkKeysAndDepth(value, '', 0, fail);
  const problem = scenarioSchemaValidator().validate(value);
  if (problem) fail(problem.pointer, problem.reason);
  const doc = value as Record<string, unknown>;

  // Custom schemas and resource types.
  let custom;
  try {
    custom = checkCustomSchemas({ schemas: doc.schemas, resourceTypes: doc.resourceTypes });
  } catch (err) {
    if (err instanceof SchemaDefinitionError) fail(err.pointer, err.reason);
    throw err;
  }

  // Generator directives.
  let generate: GenerateSpec | undefined;
  if (doc.generate !== undefined) {
    const g = doc.generate as Record<string, unknown>;
    if (g.referenceDate !== undefined) {
      const at = parseRfc3339(g.referenceDate);
      if (!at.ok || at.ms < EARLIEST_REFERENCE_MS) {
        fail('/generate/referenceDate', `must be a real date-time from 1980 on, in RFC 3339 form such as "2025-01-01T00:00:00.000Z"${at.ok ? '' : `: ${at.reason}`}`);
      }
    }
    generate = { seed: (g.seed as number | undefined) ?? DEFAULT_GENERATE.seed, users: g.users as number, groups: g.groups as number };
    for (const key of ['departments', 'inactiveRatio', 'nestedGroups', 'referenceDate', 'shape'] as const) {
      if (g[key] !== undefined) (generate as unknown as Record<string, unknown>)[key] = structuredClone(g[key]);
    }
  }

  // Tenant options: the same checks as PATCH /_mock/config, against the defaults.
  let options: Record<string, unknown> | undefined;
  if (doc.options !== undefined) {
    options = structuredClone(doc.options as Record<string, unknown>);
    try {
      checkConfig(mergeConfig(defaultTenantConfig(), options, [...resourceTypeNames(custom).values()]));
    } catch (err) {
      if (err instanceof ControlError) fail(`/options${err.field ? '/' + err.field.split('.').map(pointerToken).join('/') : ''}`, stripField(err.message, err.field));
      throw err;
    }
  }

  // Fault rules: validated and added to a scratch registry (which also rejects repeated ids).
  const faults = ((doc.faults ?? []) as Record<string, unknown>[]).map((rule) => structuredClone(rule));
  const scratch = new FaultRegistry({ random: new SeededRandom(1), clock: systemClock });
  faults.forEach((rule, i) => {
    try {
      scratch.add(rule);
    } catch (err) {
      if (err instanceof FaultRuleError) fail(`/faults/${i}${fieldPointer(err.field)}`, stripField(err.detail, err.field));
      throw err;
    }
  });

  // Literal resources, checked like POST bodies against the built-in and custom schemas.
  const registry = registryWith(custom);
  const typeNames = resourceTypeNames(custom);
  const ids = new Map<string, string>();
  const checkLiteral = (typeName: string, raw: Record<string, unknown>, pointer: string, strip: string[]) => {
    if (typeof raw.id === 'string') {
      if (ids.has(raw.id)) fail(`${pointer}/id`, `"${raw.id}" is already the id of ${ids.get(raw.id)}; ids are unique across all resources`);
      ids.set(raw.id, pointer);
    }
    const body: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(raw)) if (key !== 'id' && !strip.includes(key.toLowerCase())) body[key] = v;
    try {
      validateResource(registry.resourceType(typeName)!, body);
    } catch (err) {
      if (err instanceof ScimError) fail(pointer, err.detail);
      throw err;
    }
  };
  const users = ((doc.users ?? []) as Resource[]).map((u) => structuredClone(u));
  users.forEach((u, i) => checkLiteral('User', u, `/users/${i}`, []));
  const groups = ((doc.groups ?? []) as Resource[]).map((g) => structuredClone(g));
  groups.forEach((g, i) => {
    const membersKeys = Object.keys(g).filter((k) => k.toLowerCase() === 'members');
    if (membersKeys.length > 1) fail(`/groups/${i}/${pointerToken(membersKeys[1]!)}`, 'repeats "members" in another letter case');
    for (const key of membersKeys) checkMemberReferences(g[key], `/groups/${i}/${pointerToken(key)}`, fail);
    checkLiteral('Group', g, `/groups/${i}`, ['members']);
  });
  const resources: Record<string, Resource[]> = {};
  for (const [name, list] of Object.entries((doc.resources ?? {}) as Record<string, Resource[]>)) {
    const pointer = `/resources/${pointerToken(name)}`;
    const canonical = typeNames.get(name.toLowerCase());
    if (!canonical) fail(pointer, `there is no resource type "${name}"; declare it in "resourceTypes"`);
    if (canonical === 'User' || canonical === 'Group') fail(pointer, `put literal ${canonical}s in "${canonical === 'User' ? 'users' : 'groups'}"`);
    if (resources[canonical!]) fail(pointer, `lists the resource type "${canonical}" a second time`);
    resources[canonical!] = list.map((r, i) => {
      checkLiteral(canonical!, r, `${pointer}/${i}`, []);
      return structuredClone(r);
    });
  }

  const scenario: Scenario = { source: sourceName, users, groups, resources, faults, schemas: custom.schemas, resourceTypes: custom.resourceTypes };
  if (typeof doc.description === 'string') scenario.description = doc.description;
  if (generate) scenario.generate = generate;
  if (options) scenario.options = options;
  return scenario;
}

/** A scenario with nothing in it (what flags alone start from). */
export function emptyScenario(source: string): Scenario {
  return { source, users: [], groups: [], resources: {}, faults: [], schemas: [], resourceTypes: [] };
}

export interface GenerateOverrides {
  seed?: number;
  users?: number;
  groups?: number;
}

/**
 * Applies --seed / --users / --groups (or the control API's seed, users, groups) to a scenario's generate
 * block. Without a generate block, users or groups create one (missing counts: 50 users, 8 groups); a seed alone
 * only seeds the ids of literal resources. Throws RangeError on a bad number.
 */
export function withGenerateOverrides(scenario: Scenario, overrides: GenerateOverrides): Scenario {
  const { seed, users, groups } = overrides;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (users !== undefined && (!Number.isSafeInteger(users) || users < 0 || users > MAX_USERS)) throw new RangeError(`users must be an integer from 0 to ${MAX_USERS}, got ${users}`);
  if (groups !== undefined && (!Number.isSafeInteger(groups) || groups < 0 || groups > MAX_GROUPS)) throw new RangeError(`groups must be an integer from 0 to ${MAX_GROUPS}, got ${groups}`);
  if (seed === undefined && users === undefined && groups === undefined) return scenario;
  const base: GenerateSpec = scenario.generate
    ? { ...scenario.generate }
    : users === undefined && groups === undefined
      ? { seed: DEFAULT_GENERATE.seed, users: 0, groups: 0 }
      : { ...DEFAULT_GENERATE };
  if (seed !== undefined) base.seed = seed;
  if (users !== undefined) base.users = users;
  if (groups !== undefined) base.groups = groups;
  return { ...scenario, generate: base };
}

export interface SeedingSpec extends GenerateOverrides {
  /** A scenario file. */
  file?: string;
}

/** The scenario a seeding request means: the file (if any) with the flag overrides; flags alone generate. */
export async function scenarioFor(spec: SeedingSpec): Promise<Scenario> {
  if (spec.file !== undefined) return withGenerator(withGenerateOverrides(await loadScenarioFile(spec.file), spec));
  return withGenerator(withGenerateOverrides({ ...emptyScenario('command line'), generate: { ...DEFAULT_GENERATE } }, spec));
}

/** The instant literal resources are created at. */
export function referenceDateOf(scenario: Scenario): string {
  return scenario.generate?.referenceDate ?? DEFAULT_REFERENCE_DATE;
}

/** A TenantConfig with the server defaults (scenario options are checked against it). */
export function defaultTenantConfig(): TenantConfig {
  return tenantConfigFrom(DEFAULT_OPTIONS);
}

/**
 * Applies a scenario's options to a config; throws ScenarioError naming the option. `check` (Tenant.checkConfig)
 * checks the result as a whole, as the tenant would run with it.
 */
export function mergeScenarioOptions(config: TenantConfig, scenario: Scenario, check?: (config: TenantConfig) => void): TenantConfig {
  if (!scenario.options) return config;
  try {
    const merged = mergeConfig(config, scenario.options, [...resourceTypeNames({ schemas: scenario.schemas, resourceTypes: scenario.resourceTypes }).values()]);
    check?.(merged);
    return merged;
  } catch (err) {
    if (err instanceof ControlError) {
      throw new ScenarioError(scenario.source, `/options${err.field ? '/' + err.field.split('.').map(pointerToken).join('/') : ''}`, stripField(err.message, err.field));
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------

function checkKeysAndDepth(value: unknown, pointer: string, depth: number, fail: (pointer: string, reason: string) => never): void {
  if (depth > MAX_DEPTH) fail(pointer, `is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkKeysAndDepth(value[i], `${pointer}/${i}`, depth + 1, fail);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) fail(`${pointer}/${pointerToken(key)}`, `the key "${key}" is not allowed`);
      checkKeysAndDepth(value[key], `${pointer}/${pointerToken(key)}`, depth + 1, fail);
    }
  }
}

function checkMemberReferences(members: unknown, pointer: string, fail: (pointer: string, reason: string) => never): void {
  if (!Array.isArray(members)) fail(pointer, 'must be an array of member references');
  (members as unknown[]).forEach((m, j) => {
    const keys = isPlainObject(m) ? Object.keys(m) : [];
    const ok = keys.length === 1 && ['userName', 'displayName', 'value'].includes(keys[0]!) && typeof (m as Record<string, unknown>)[keys[0]!] === 'string' && (m as Record<string, string>)[keys[0]!] !== '';
    if (!ok) fail(`${pointer}/${j}`, 'must be an object with exactly one of "userName", "displayName" (a group) or "value" (an id)');
  });
}

/** "action.status must be ..." with field "action.status" -> "must be ...". */
function stripField(message: string, field: string | undefined): string {
  let text = message.replace(/\.$/, '');
  if (field && text.startsWith(`${field} `)) text = text.slice(field.length + 1);
  else if (field && text.startsWith(`${field}: `)) text = text.slice(field.length + 2);
  return text;
}

/** Fault rule field "match.headers[0].name" -> "/match/headers/0/name". */
function fieldPointer(field: string): string {
  if (!field) return '';
  return '/' + field.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).map(pointerToken).join('/');
}
