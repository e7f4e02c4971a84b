/**
 * A seeded directory under a persona: what the target stores, it holds. Generated users and groups are made to fit
 * the target's rules on stored values (a multi-valued attribute it keeps to one value keeps its primary value, or
 * its first; values it wants marked primary are marked); then every seeded resource, generated or literal, is checked
 * as a POST of it would be. A resource that still does not fit (a literal one in a scenario file, or a rule that
 * keeping less cannot meet) is refused with ScenarioError naming it, the persona and the rule, so that a client's
 * unchanged PUT of a seeded resource is answered as the target would answer it.
 */
import { checkAttributeValues, type TargetCapabilities } from '../scim/capabilities.js';
import { ScimError } from '../scim/errors.js';
import type { SchemaRegistry } from '../scim/schemas/registry.js';
import type { Resource } from '../scim/validate.js';
import { isPlainObject } from '../scim/attributes.js';
import type { Steps } from './steps.js';

/** The persona a directory is seeded for: its name (for messages) and its capabilities. */
export interface SeedTarget {
  name: string;
  capabilities: TargetCapabilities;
}

const STEP = 1024;

/** Generated resources of one type made to fit the target's single-valued and primary-marked attributes, in place. */
export function* conformGeneratedSteps(list: Resource[], typeName: string, target: SeedTarget, registry: SchemaRegistry): Steps<void> {
  const type = registry.resourceType(typeName);
  const caps = target.capabilities;
  if (!type) return;
  // Top-level core attributes only: the generator writes no multi-valued attribute in an extension.
  const names = (paths: readonly string[] | undefined) =>
    (paths ?? []).map((p) => type.resolve(p)).filter((r) => r && !r.inExtension && !r.subAttribute).map((r) => r!.attribute.name);
  const single = names(caps.singleValued?.[typeName]);
  const primary = names(caps.primaryRequired?.[typeName]);
  if (!single.length && !primary.length) return;
  for (let i = 0; i < list.length; i++) {
    const resource = list[i]!;
    let next: Resource | undefined;
    const set = (name: string, value: unknown[]) => {
      next ??= { ...resource };
      next[name] = value;
    };
    for (const name of single) {
      const values = resource[name];
      if (!Array.isArray(values) || values.length < 2) continue;
      set(name, [values.find((v) => isPlainObject(v) && v.primary === true) ?? values[0]]);
    }
    for (const name of primary) {
      const values = (next ?? resource)[name];
      if (!Array.isArray(values) || values.every((v) => isPlainObject(v) && v.primary === true)) continue;
      set(name, values.map((v) => (isPlainObject(v) ? { ...v, primary: true } : v)));
    }
    if (next) list[i] = next;
    if (i % STEP === STEP - 1) yield;
  }
}

/**
 * Throws `refuse(reason)` for the first resource the target would not store (its required, single-valued,
 * primary-marked and length-limited attributes, as a POST of it is checked).
 */
export function checkSeeded(resource: Resource, typeName: string, target: SeedTarget, registry: SchemaRegistry, refuse: (reason: string) => never): void {
  const type = registry.resourceType(typeName);
  if (!type) return;
  try {
    checkAttributeValues(target.capabilities, type, resource);
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    refuse(`persona ${target.name} would not store this ${typeName}: ${err.detail.replace(/\.$/, '')}`);
  }
}
