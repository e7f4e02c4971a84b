/**
 * IdP profiles: which deviations a tenant tolerates, and the response options the IdP expects.
 *
 * - rfc: tolerates nothing; every deviation is a 400 naming the RFC section.
 * - lenient (default): tolerates every deviation Scimulator knows and rewrites it into RFC shape.
 * - entra: tolerates exactly what Microsoft Entra ID is documented to send; group PATCH answers 204.
 * - okta: tolerates exactly what Okta is documented to send.
 * Informational quirks are accepted under every profile. Warnings are recorded the same way whatever the profile.
 */
import type { ProfileName, TenantConfig } from '../tenant-config.js';
import { DEVIATION_CODES, QUIRK_BY_CODE, type QuirkCode } from './quirks.js';

export interface ProfileDef {
  /** Deviation codes this profile rewrites instead of rejecting. */
  tolerated: ReadonlySet<QuirkCode>;
  /** Config the profile sets when a tenant chooses it (explicit settings win). */
  configDefaults: Partial<TenantConfig>;
  /**
   * Common attributes (RFC 7643 section 3.1) that /Schemas lists in the core schema of every resource type, for
   * IdPs that look an attribute up there before they map it. Section 3.1: "For backward compatibility, some
   * existing schema definitions MAY list common attributes as part of the schema"; section 8.7.1 lists none.
   */
  schemaCommonAttributes: readonly string[];
  description: string;
}

export const PROFILES: Readonly<Record<ProfileName, ProfileDef>> = {
  lenient: {
    tolerated: new Set(DEVIATION_CODES),
    configDefaults: {},
    schemaCommonAttributes: [],
    description: 'Accepts every known quirk and rewrites it into RFC shape (the default).',
  },
  rfc: {
    tolerated: new Set(),
    configDefaults: {},
    schemaCommonAttributes: [],
    description: 'Strict RFC 7643/7644: every deviation is a 400 whose detail names the RFC section.',
  },
  entra: {
    tolerated: new Set<QuirkCode>([
      'op-case',
      'boolean-string',
      'remove-with-value',
      'dotted-keys',
      'complex-as-string',
      // The manager removed with a replace whose value is "" (or {"value": ""}).
      'complex-empty',
      'extra-schema-urn',
      // Microsoft's SCIM validator sends filter values without quotes and a PatchOp with zero operations.
      'filter-unquoted',
      'empty-operations',
      // Members added as a bare id string: accepted as one member (as Microsoft's reference server does).
      'member-bare-string',
      // Microsoft's test collection sends attributes=emails[type eq "work"].
      'attribute-value-filter',
      // The manager removed with manager[value eq "<id>"] (IDP-TRAFFIC: seen in the wild).
      'filter-on-single-valued',
      // emails[type eq "work"].value replaced on a user without a work email: Entra ID expects it added.
      'replace-no-target',
    ]),
    configDefaults: { patchStatus: { Group: 204 } },
    // Microsoft's gallery validation (Schema_Discoverability_Test, AzureAD/SCIMReferenceCode) fails unless every
    // mapped target is in /Schemas, and Entra ID maps mailNickname and a group's objectId to externalId.
    schemaCommonAttributes: ['externalId'],
    description: 'What Microsoft Entra ID provisioning sends; group PATCH answers 204; /Schemas lists externalId.',
  },
  okta: {
    // Okta sends lowercase ops, real booleans and quoted filters; it repeats the group id when renaming. Like every
    // profile but rfc, it reads a bare member id as one member and applies value filters in "attributes".
    tolerated: new Set<QuirkCode>(['patch-readonly', 'member-bare-string', 'attribute-value-filter']),
    configDefaults: {},
    schemaCommonAttributes: [],
    description: 'What Okta provisioning sends.',
  },
};

/** True when the profile accepts requests with this warning code (always for informational codes). */
export function isTolerated(profile: ProfileName, code: string): boolean {
  const info = QUIRK_BY_CODE.get(code);
  if (!info || info.kind === 'informational') return true;
  return (PROFILES[profile] ?? PROFILES.lenient).tolerated.has(code as QuirkCode);
}

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config a profile sets. */
export const profileDefaults = (config: TenantConfig): Partial<TenantConfig> => PROFILES[config.profile]?.configDefaults ?? {};

/**
 * The config after a profile was chosen: at tenant creation (`previous` undefined) or on a config change. See
 * applyChoiceDefaults; a profile's defaults are its `configDefaults`.
 */
export function applyProfileDefaults(previous: TenantConfig | undefined, next: TenantConfig): TenantConfig {
  return applyChoiceDefaults(previous, next, profileDefaults);
}

/**
 * The config after a choice that brings defaults (a profile, a persona) was made: at tenant creation (`previous`
 * undefined) or on a config change. `defaultsOf` gives the defaults a config's choices bring. When they change, the
 * old defaults that are still in effect are undone and the new ones applied, except where the same change set a value
 * explicitly (it differs from `previous`), or, at creation, where an object-valued setting already has that entry.
 * Object-valued settings (patchStatus) merge per key. A scalar default that no longer applies goes back to its value
 * in `base` (the tenant's config before any choice); without `base` it stays until set again.
 */
export function applyChoiceDefaults(
  previous: TenantConfig | undefined,
  next: TenantConfig,
  defaultsOf: (config: TenantConfig) => Partial<TenantConfig>,
  base?: TenantConfig,
): TenantConfig {
  const oldDefaults = (previous ? defaultsOf(previous) : {}) as Bag;
  const newDefaults = defaultsOf(next) as Bag;
  if (previous && JSON.stringify(oldDefaults) === JSON.stringify(newDefaults)) return next;
  const result = structuredClone(next) as unknown as Bag;
  const prev = previous as unknown as Bag | undefined;

  // A setting is the client's own when this change set it; at creation, an entry already present in an
  // object-valued setting (a scalar always has a value then, so it counts as the server's default).
  const explicit = (key: string, sub?: string): boolean => {
    const now = sub === undefined ? result[key] : isBag(result[key]) ? result[key][sub] : undefined;
    if (!prev) return sub !== undefined && now !== undefined;
    const before = sub === undefined ? prev[key] : isBag(prev[key]) ? prev[key][sub] : undefined;
    return now !== before;
  };

  for (const [key, value] of Object.entries(oldDefaults)) {
    if (isBag(value)) {
      for (const [sub, v] of Object.entries(value)) {
        const target = result[key];
        if (isBag(target) && target[sub] === v && !explicit(key, sub) && !(isBag(newDefaults[key]) && sub in newDefaults[key])) {
          delete target[sub];
        }
      }
    } else if (base && result[key] === value && !explicit(key) && !(key in newDefaults)) {
      result[key] = (base as unknown as Bag)[key];
    }
  }
  for (const [key, value] of Object.entries(newDefaults)) {
    if (isBag(value)) {
      const target = isBag(result[key]) ? result[key] : (result[key] = {});
      for (const [sub, v] of Object.entries(value)) if (!explicit(key, sub)) target[sub] = v;
    } else if (!explicit(key)) {
      result[key] = value;
    }
  }
  return result as unknown as TenantConfig;
}
