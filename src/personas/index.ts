/**
 * The target personas and what a persona makes of a tenant: capabilities (checked by the SCIM core), config defaults
 * (page sizes, PATCH status, member policy, unique group names) and fault rules (rate limits). Every persona is a data file beside this
 * one; the README table is generated from them (`personaTable`).
 */
import type { FaultRuleInput } from '../faults/types.js';
import type { TargetCapabilities } from '../scim/capabilities.js';
import type { TenantConfig } from '../tenant.js';
import { ATLASSIAN_CLOUD } from './atlassian-cloud.js';
import { AWS_IAM_IDENTITY_CENTER } from './aws-iam-identity-center.js';
import { GITHUB_EMU } from './github-emu.js';
import { SLACK } from './slack.js';
import type { Persona, PersonaSettingName } from './types.js';
import { ZOOM } from './zoom.js';

export type { Persona, PersonaSettings, Sourced } from './types.js';
export { PERSONA_SETTING_NAMES } from './types.js';

export const PERSONAS: readonly Persona[] = [AWS_IAM_IDENTITY_CENTER, GITHUB_EMU, SLACK, ATLASSIAN_CLOUD, ZOOM];

export const PERSONA_NAMES: readonly string[] = PERSONAS.map((p) => p.name);

export function persona(name: string): Persona | undefined {
  return PERSONAS.find((p) => p.name === name);
}

/** The capabilities a persona gives its tenant. */
export function capabilitiesOf(p: Persona): TargetCapabilities {
  const s = p.settings;
  const caps: TargetCapabilities = {};
  if (s.unsupported) caps.unsupported = s.unsupported.value;
  if (s.documentationUri) caps.documentationUri = s.documentationUri.value;
  if (s.filter) caps.filter = s.filter.value;
  if (s.sort) caps.sort = s.sort.value;
  if (s.startIndex) caps.startIndex = s.startIndex.value;
  if (s.countRange) caps.countRange = { ...s.countRange.value };
  if (s.cursorTotalResults) caps.cursorTotalResults = s.cursorTotalResults.value;
  if (s.listProjection) caps.listProjection = s.listProjection.value;
  if (s.etag) caps.etag = s.etag.value;
  if (s.changePassword) caps.changePassword = s.changePassword.value;
  if (s.patchPathFilters) caps.patchPathFilters = s.patchPathFilters.value;
  if (s.unremovableAttributes) caps.unremovableAttributes = s.unremovableAttributes.value;
  if (s.singleOperationAttributes) caps.singleOperationAttributes = s.singleOperationAttributes.value;
  if (s.requiredAttributes) caps.requiredAttributes = s.requiredAttributes.value;
  if (s.singleValued) caps.singleValued = s.singleValued.value;
  if (s.primaryRequired) caps.primaryRequired = s.primaryRequired.value;
  if (s.lengthLimits) caps.lengthLimits = s.lengthLimits.value;
  if (s.deactivateOnDelete) caps.deactivateOnDelete = s.deactivateOnDelete.value;
  if (s.patchableAttributes) caps.patchableAttributes = s.patchableAttributes.value;
  if (s.refusedAttributes) caps.refusedAttributes = s.refusedAttributes.value;
  if (s.immutableAttributes) caps.immutableAttributes = s.immutableAttributes.value;
  if (s.inactiveMember) caps.inactiveMember = s.inactiveMember.value;
  if (s.hiddenAttributes) caps.hiddenAttributes = s.hiddenAttributes.value;
  if (s.uniqueAttributes) caps.uniqueAttributes = s.uniqueAttributes.value;
  if (s.unknownMemberFilter) caps.unknownMemberFilter = s.unknownMemberFilter.value;
  if (s.unsupportedOperations) caps.unsupportedOperations = s.unsupportedOperations.value;
  if (s.memberAdditionRate) caps.memberAdditionRate = { ...s.memberAdditionRate.value };
  if (s.requiredHeaders) caps.requiredHeaders = s.requiredHeaders.value;
  if (s.maxMembersPerWrite || s.maxMembershipChangesPerPatch || s.replaceAllMembers) {
    caps.members = {};
    if (s.maxMembersPerWrite) caps.members.maxPerWrite = s.maxMembersPerWrite.value;
    if (s.maxMembershipChangesPerPatch) caps.members.maxChangesPerPatch = s.maxMembershipChangesPerPatch.value;
    if (s.replaceAllMembers) caps.members.replaceAll = s.replaceAllMembers.value;
  }
  return caps;
}

/**
 * The capabilities that say what a stored resource may hold, not how a request is answered (required,
 * single-valued, primary-marked, length-limited and unique attributes, with the target's error): what a directory
 * seeded for the persona is made to fit or checked against (src/seed/conform.ts).
 */
export function storedCapabilitiesOf(p: Persona): TargetCapabilities {
  const all = capabilitiesOf(p);
  const caps: TargetCapabilities = {};
  if (all.unsupported) caps.unsupported = all.unsupported;
  if (all.requiredAttributes) caps.requiredAttributes = all.requiredAttributes;
  if (all.singleValued) caps.singleValued = all.singleValued;
  if (all.primaryRequired) caps.primaryRequired = all.primaryRequired;
  if (all.lengthLimits) caps.lengthLimits = all.lengthLimits;
  if (all.uniqueAttributes) caps.uniqueAttributes = all.uniqueAttributes;
  return caps;
}

/** The config a persona sets when a tenant chooses it (explicit settings win, as with profiles). */
export function configDefaultsOf(p: Persona): Partial<TenantConfig> {
  const s = p.settings;
  const config: Partial<TenantConfig> = {};
  if (s.pageSize) {
    config.defaultPageSize = s.pageSize.value.default;
    config.maxPageSize = s.pageSize.value.max;
  }
  if (s.patchStatus) config.patchStatus = { ...s.patchStatus.value };
  if (s.memberPolicy) config.memberPolicy = s.memberPolicy.value;
  if (s.groupDisplayNameUnique) config.groupDisplayNameUnique = s.groupDisplayNameUnique.value;
  return config;
}

/** The fault rules of a persona (its rate limits). */
export function faultsOf(p: Persona): FaultRuleInput[] {
  return structuredClone(p.settings.rateLimits?.value ?? []);
}

// ---------------------------------------------------------------------------------------------------------------
// The README table: persona x constraint, each cell with its source.

const ROWS: Array<[PersonaSettingName, string]> = [
  ['filter', 'filters'],
  ['sort', 'sortBy'],
  ['startIndex', 'startIndex'],
  ['pageSize', 'page size (default / largest)'],
  ['countRange', 'count accepted (others refused, not capped)'],
  ['cursorTotalResults', 'totalResults on cursor pages'],
  ['listProjection', 'attributes / excludedAttributes on lists'],
  ['unsupportedOperations', 'operations not offered'],
  ['patchPathFilters', 'PATCH paths with filters'],
  ['unremovableAttributes', 'attributes PATCH may not remove'],
  ['singleOperationAttributes', 'attributes one PATCH may name in one operation only'],
  ['patchableAttributes', 'the only attributes PATCH may change'],
  ['requiredAttributes', 'required on POST / PUT besides the schema\'s'],
  ['singleValued', 'multi-valued attributes kept to one value'],
  ['primaryRequired', 'values that must be marked primary'],
  ['lengthLimits', 'longest values (characters)'],
  ['refusedAttributes', 'refused in a POST / PUT (RFC: ignored)'],
  ['immutableAttributes', 'cannot be changed once set'],
  ['deactivateOnDelete', 'DELETE deactivates (active false) instead of removing'],
  ['inactiveMember', 'adding a deactivated member'],
  ['maxMembersPerWrite', 'members per POST / PUT'],
  ['maxMembershipChangesPerPatch', 'membership changes per PATCH'],
  ['replaceAllMembers', 'replace / remove all members in one PATCH'],
  ['hiddenAttributes', 'attributes never returned'],
  ['uniqueAttributes', 'unique besides the schema\'s (409)'],
  ['patchStatus', 'PATCH success status'],
  ['memberPolicy', 'unknown member ids'],
  ['unknownMemberFilter', 'Group filter on an unknown member'],
  ['groupDisplayNameUnique', 'Group displayName unique (409)'],
  ['etag', 'ETag'],
  ['changePassword', 'changePassword'],
  ['rateLimits', 'rate limits (fault rules)'],
  ['memberAdditionRate', 'members added to each group'],
  ['requiredHeaders', 'request headers required'],
  ['unsupported', 'answer to unsupported requests'],
  ['documentationUri', 'ServiceProviderConfig documentationUri'],
];

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

function describe(name: PersonaSettingName, value: unknown): string {
  switch (name) {
    case 'filter': {
      const f = value as NonNullable<TargetCapabilities['filter']>;
      const ops = f.operators ? f.operators.join(', ') : 'all operators';
      const logical = f.logical ? (f.logical.length ? ` joined by ${f.logical.join(', ')}` : ', one comparison') : '';
      const attrs = f.attributes ? `; ${Object.entries(f.attributes).map(([t, combos]) => `${t}: ${combos.map((c) => c.join('+')).join(', ')}`).join('; ')}` : '';
      return `${ops}${logical}${attrs}`;
    }
    case 'pageSize': {
      const v = value as { default: number; max: number };
      return `${v.default} / ${v.max}`;
    }
    case 'countRange': {
      const v = value as { min: number; max: number };
      return `${v.min} to ${v.max}`;
    }
    case 'deactivateOnDelete':
      return (value as string[]).join(', ');
    case 'unsupportedOperations':
      return (value as Array<{ operation: string; resourceType?: string }>).map((o) => (o.resourceType ? `${o.operation} ${o.resourceType}` : o.operation)).join(', ');
    case 'hiddenAttributes':
    case 'uniqueAttributes':
    case 'unremovableAttributes':
    case 'singleOperationAttributes':
    case 'patchableAttributes':
    case 'requiredAttributes':
    case 'singleValued':
    case 'primaryRequired':
    case 'refusedAttributes':
    case 'immutableAttributes':
      return Object.entries(value as Record<string, string[]>).map(([t, names]) => `${t}.${names.join(`, ${t}.`)}`).join(', ');
    case 'lengthLimits':
      return Object.entries(value as Record<string, Array<{ path: string; max: number; unlessEmail?: boolean; error?: { status: number; code?: string } }>>)
        .flatMap(([t, limits]) => limits.map((l) => `${t}.${l.path} ${l.max}${l.unlessEmail ? ' (email addresses taken)' : ''}${l.error ? `, else ${l.error.status}${l.error.code ? ` ${l.error.code}` : ''}` : ''}`))
        .join(', ');
    case 'patchStatus':
      return Object.entries(value as Record<string, number>).map(([t, status]) => `${t} ${status}`).join(', ');
    case 'memberAdditionRate': {
      const v = value as { limit: number; windowMs: number };
      const per = v.windowMs === 3_600_000 ? 'hour' : v.windowMs % 3_600_000 === 0 ? `${v.windowMs / 3_600_000} hours` : `${v.windowMs / 1000} s`;
      return `${v.limit} per ${per}, else 429 with Retry-After (more than ${v.limit} in one request: 429 without)`;
    }
    case 'requiredHeaders':
      return (value as Array<{ name: string; error: { status: number; code?: string } }>).map((h) => `${h.name}, else ${h.error.status}${h.error.code ? ` ${h.error.code}` : ''}`).join('; ');
    case 'rateLimits':
      return `${(value as unknown[]).length} rule${(value as unknown[]).length === 1 ? '' : 's'}`;
    case 'unsupported':
    case 'inactiveMember':
    case 'unknownMemberFilter': {
      const v = value as { status: number; code?: string };
      return `${v.status}${v.code ? ` ${v.code}` : ''}`;
    }
    case 'documentationUri':
      return 'vendor docs';
    default:
      return typeof value === 'boolean' ? yesNo(value) : String(value);
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The persona x constraint table of the README, with a link to the source of every setting. */
export function personaTable(): string {
  const header = `| constraint | ${PERSONAS.map((p) => `\`${p.name}\` ${p.title}`).join(' | ')} |`;
  const rule = `| --- | ${PERSONAS.map(() => '---').join(' | ')} |`;
  const rows = ROWS.map(([name, label]) => {
    const cells = PERSONAS.map((p) => {
      const setting = p.settings[name];
      return setting ? cell(`${describe(name, setting.value)} ([source](${setting.source}))`) : 'not documented';
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  });
  const notes = PERSONAS.map((p) => {
    const read = Object.entries(p.settings)
      .filter(([, s]) => s.note)
      .map(([name, s]) => `${name}: ${s.note}`);
    const silent = Object.entries(p.notDocumented).map(([name, what]) => `${name}: ${what}`);
    return `- \`${p.name}\` ([${p.title}](${p.documentation})). ${read.length ? `Read as: ${read.join('; ')}.` : ''}${silent.length ? ` Not documented (RFC behaviour kept): ${silent.join('; ')}.` : ''}`;
  });
  return [header, rule, ...rows, '', ...notes].join('\n');
}
