/**
 * A persona is a documented SCIM target (AWS IAM Identity Center, GitHub, Slack, ...) as data: every setting carries
 * the link to the vendor page that documents it, and the constraints the vendor's pages are silent on are listed as
 * not documented (the persona keeps the RFC behaviour there). src/personas/index.ts turns the settings into the
 * tenant's capabilities (src/scim/capabilities.ts), config and fault rules; nothing else knows about personas.
 */
import type { FaultRuleInput } from '../faults/types.js';
import type { FilterCapability, LengthLimit, MemberAdditionRate, OperationRef, RequiredHeader, VendorError } from '../scim/capabilities.js';
import type { MemberPolicy } from '../scim/member-policy.js';

/** A setting and the vendor page that documents it. */
export interface Sourced<T> {
  value: T;
  /** The vendor's public documentation of this constraint. */
  source: string;
  /** How the documentation was read, where it leaves room (shown in the README table). */
  note?: string;
}

/** What a persona sets. Every key is optional: an absent one keeps the RFC behaviour. */
export interface PersonaSettings {
  /** The error the target answers for what it does not support (ValidationException, ...). */
  unsupported: Sourced<VendorError>;
  /** ServiceProviderConfig documentationUri. */
  documentationUri: Sourced<string>;
  filter: Sourced<FilterCapability>;
  sort: Sourced<boolean>;
  startIndex: Sourced<boolean>;
  /** Page sizes: the default and the largest (ServiceProviderConfig filter.maxResults). */
  pageSize: Sourced<{ default: number; max: number }>;
  /** The count values accepted; another is refused (400 invalidCount) rather than capped. */
  countRange: Sourced<{ min: number; max: number }>;
  /** Whether a page of a cursor-paged list carries totalResults (RFC 9865; false: itemsPerPage and nextCursor only). */
  cursorTotalResults: Sourced<boolean>;
  listProjection: Sourced<boolean>;
  etag: Sourced<boolean>;
  changePassword: Sourced<boolean>;
  patchPathFilters: Sourced<boolean>;
  /** Attributes a PATCH "remove" may not name, per resource type name. */
  unremovableAttributes: Sourced<Record<string, string[]>>;
  /** Attributes at most one operation of a PATCH may name, per resource type name. */
  singleOperationAttributes: Sourced<Record<string, string[]>>;
  /** Attributes a POST or PUT must carry beyond the schema's, per resource type name (paths such as "name.givenName"). */
  requiredAttributes: Sourced<Record<string, string[]>>;
  /** Multi-valued attributes kept to one value, per resource type name. */
  singleValued: Sourced<Record<string, string[]>>;
  /** Multi-valued attributes whose values must be marked primary, per resource type name. */
  primaryRequired: Sourced<Record<string, string[]>>;
  /** String attributes limited in length, per resource type name. */
  lengthLimits: Sourced<Record<string, LengthLimit[]>>;
  /** Resource type names whose DELETE deactivates (active false) instead of removing. */
  deactivateOnDelete: Sourced<string[]>;
  /** The only attributes a PATCH may name, per resource type name (top-level names, or an extension's URN). */
  patchableAttributes: Sourced<Record<string, string[]>>;
  /** Attributes a POST or PUT may not carry (where RFC 7643 ignores readOnly ones), per resource type name. */
  refusedAttributes: Sourced<Record<string, string[]>>;
  /** Attributes a PUT or PATCH may not change once set, per resource type name. */
  immutableAttributes: Sourced<Record<string, string[]>>;
  /** The answer to adding a deactivated member to a group (absent: it is added). */
  inactiveMember: Sourced<VendorError>;
  maxMembersPerWrite: Sourced<number>;
  maxMembershipChangesPerPatch: Sourced<number>;
  replaceAllMembers: Sourced<boolean>;
  hiddenAttributes: Sourced<Record<string, string[]>>;
  /** Attributes kept unique besides those the schemas mark unique (409 uniqueness), per resource type name. */
  uniqueAttributes: Sourced<Record<string, string[]>>;
  unsupportedOperations: Sourced<OperationRef[]>;
  /** Status of a successful PATCH per resource type name. */
  patchStatus: Sourced<Record<string, 200 | 204>>;
  memberPolicy: Sourced<MemberPolicy>;
  /** The answer to a Group filter on members.value naming no existing resource (absent: an empty list). */
  unknownMemberFilter: Sourced<VendorError>;
  /** A Group's displayName is unique: another Group with it is 409 uniqueness (the tenant's groupDisplayNameUnique). */
  groupDisplayNameUnique: Sourced<boolean>;
  /** Rate limits, as fault rules (action rateLimit: 429 with Retry-After). */
  rateLimits: Sourced<FaultRuleInput[]>;
  /** Members each group may gain per window, counted per group as writes commit (429 with Retry-After beyond). */
  memberAdditionRate: Sourced<MemberAdditionRate>;
  /** Request headers every SCIM request must carry, and the answer without one (checked before authentication). */
  requiredHeaders: Sourced<RequiredHeader[]>;
}

export type PersonaSettingName = keyof PersonaSettings;

export const PERSONA_SETTING_NAMES: readonly PersonaSettingName[] = [
  'unsupported',
  'documentationUri',
  'filter',
  'sort',
  'startIndex',
  'pageSize',
  'countRange',
  'cursorTotalResults',
  'listProjection',
  'etag',
  'changePassword',
  'patchPathFilters',
  'unremovableAttributes',
  'singleOperationAttributes',
  'patchableAttributes',
  'requiredAttributes',
  'singleValued',
  'primaryRequired',
  'lengthLimits',
  'refusedAttributes',
  'immutableAttributes',
  'inactiveMember',
  'deactivateOnDelete',
  'maxMembersPerWrite',
  'maxMembershipChangesPerPatch',
  'replaceAllMembers',
  'hiddenAttributes',
  'uniqueAttributes',
  'unsupportedOperations',
  'patchStatus',
  'memberPolicy',
  'unknownMemberFilter',
  'groupDisplayNameUnique',
  'rateLimits',
  'memberAdditionRate',
  'requiredHeaders',
];

export interface Persona {
  /** The name --persona takes. */
  name: string;
  title: string;
  /** The vendor's SCIM documentation, for the README. */
  documentation: string;
  settings: Partial<PersonaSettings>;
  /** Settings the vendor's pages are silent on (kept at RFC behaviour), with what was looked for. */
  notDocumented: Partial<Record<PersonaSettingName, string>>;
}
