/**
 * Tenant runtime options: the checks of a partial TenantConfig (PATCH /_mock/config, a scenario's `options`)
 * and the error they throw. Shared by the control API and the seed-file loader. What a tenant config is lives here
 * too, below both the tenant and the profiles that read it.
 */
import {
  BEHAVIOUR_CODES,
  DEFAULT_BEHAVIOUR_CONFIG,
  isBehaviourCode,
  MAX_RETRY_STORM_LIMIT,
  MAX_RETRY_STORM_WINDOW_SECONDS,
  type BehaviourConfig,
} from './behaviour/codes.js';
import { AUTH_MODES, MAX_TOKEN_LIFETIME, type AuthMode, type ScimulatorOptions } from './config.js';
import { PERSONA_NAMES } from './personas/index.js';
import { isPlainObject } from './scim/attributes.js';
import { MEMBER_POLICIES, type MemberPolicy } from './scim/member-policy.js';

export interface TenantAuth {
  mode: AuthMode;
  token: string;
  basicUser: string;
  basicPassword: string;
  /** OAuth 2.0 client credentials (mode "oauth"): tokens from the token endpoint live tokenLifetime seconds. */
  clientId: string;
  clientSecret: string;
  tokenLifetime: number;
  /** The userName /Me stands for (RFC 7644 section 3.11); none: /Me answers 501. */
  me?: string;
}

export type ProfileName = 'lenient' | 'rfc' | 'entra' | 'okta';
export const PROFILE_NAMES: readonly ProfileName[] = ['lenient', 'rfc', 'entra', 'okta'];

/** The runtime options of a tenant (GET / PATCH /_mock/config). */
export interface TenantConfig {
  profile: ProfileName;
  auth: TenantAuth;
  /** Page size when a list request has no `count`. */
  defaultPageSize: number;
  /** Largest page a list request gets (ServiceProviderConfig filter.maxResults). */
  maxPageSize: number;
  /** Status of a successful PATCH per resource type name: 200 with the resource (default) or 204. */
  patchStatus: Record<string, 200 | 204>;
  groupDisplayNameUnique: boolean;
  /** Send conformance warnings in a Scimulator-Warning response header. */
  warningsHeader: boolean;
  /** Idle time in seconds after which a pagination cursor expires (RFC 9865 cursorTimeout). */
  cursorTimeout: number;
  /** Most operations one POST /Bulk may carry (ServiceProviderConfig bulk.maxOperations). */
  bulkMaxOperations: number;
  /** Largest POST /Bulk body in bytes (ServiceProviderConfig bulk.maxPayloadSize). */
  bulkMaxPayload: number;
  /** The behaviour analyser: on or off, codes switched off, the retry-storm threshold (src/behaviour/). */
  behaviour: BehaviourConfig;
  /**
   * Advertise RFC 9865's `pagination` object in ServiceProviderConfig. Off by default: the discovery documents then
   * hold only the attributes of RFC 7643 sections 5-7, which strict clients require. Cursor requests work either way.
   */
  advertisePagination: boolean;
  /** Group members naming no resource: accept (store), reject (400), notFound (404), drop (discard). */
  memberPolicy: MemberPolicy;
  /** The documented SCIM target this tenant behaves like (src/personas), or null for plain RFC behaviour. */
  persona: string | null;
}

/** An error of the control surface: HTTP status, message and the offending field (rendered as { error, field }). */
export class ControlError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

export function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], where = ''): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ControlError(400, `Unknown field "${where}${key}"; allowed: ${allowed.join(', ')}.`, where + key);
  }
}

/**
 * PATCH /config: a partial TenantConfig, checked field by field. The checks that span fields are checkConfig's, on
 * the config the tenant would run with (Tenant.configAfter). patchStatus may name the tenant's `resourceTypes` in
 * any letter case; they are stored with their own names.
 */
export function mergeConfig(current: TenantConfig, patch: Record<string, unknown>, resourceTypes: readonly string[] = ['User', 'Group']): TenantConfig {
  onlyKeys(patch, ['profile', 'auth', 'defaultPageSize', 'maxPageSize', 'patchStatus', 'groupDisplayNameUnique', 'warningsHeader', 'cursorTimeout', 'bulkMaxOperations', 'bulkMaxPayload', 'advertisePagination', 'memberPolicy', 'persona', 'behaviour']);
  const next: TenantConfig = structuredClone(current);
  const positive = (field: keyof TenantConfig) => {
    const v = patch[field];
    if (v === undefined) return;
    if (!Number.isInteger(v) || (v as number) < 1) throw new ControlError(400, `${field} must be a positive integer.`, field);
    (next as unknown as Record<string, unknown>)[field] = v;
  };
  const bool = (field: keyof TenantConfig) => {
    const v = patch[field];
    if (v === undefined) return;
    if (typeof v !== 'boolean') throw new ControlError(400, `${field} must be true or false.`, field);
    (next as unknown as Record<string, unknown>)[field] = v;
  };
  if (patch.profile !== undefined) {
    if (!PROFILE_NAMES.includes(patch.profile as never)) throw new ControlError(400, `profile must be one of ${PROFILE_NAMES.join(', ')}.`, 'profile');
    next.profile = patch.profile as TenantConfig['profile'];
  }
  positive('defaultPageSize');
  positive('maxPageSize');
  positive('cursorTimeout');
  positive('bulkMaxOperations');
  positive('bulkMaxPayload');
  bool('groupDisplayNameUnique');
  bool('warningsHeader');
  bool('advertisePagination');
  if (patch.persona !== undefined) {
    if (patch.persona !== null && !PERSONA_NAMES.includes(patch.persona as string)) {
      throw new ControlError(400, `persona must be one of ${PERSONA_NAMES.join(', ')}, or null for none.`, 'persona');
    }
    next.persona = patch.persona as string | null;
  }
  if (patch.memberPolicy !== undefined) {
    if (!MEMBER_POLICIES.includes(patch.memberPolicy as never)) throw new ControlError(400, `memberPolicy must be one of ${MEMBER_POLICIES.join(', ')}.`, 'memberPolicy');
    next.memberPolicy = patch.memberPolicy as TenantConfig['memberPolicy'];
  }
  if (patch.patchStatus !== undefined) {
    if (!isPlainObject(patch.patchStatus)) throw new ControlError(400, 'patchStatus must be an object of resource type name -> 200 or 204.', 'patchStatus');
    for (const [type, status] of Object.entries(patch.patchStatus)) {
      const name = resourceTypes.find((known) => known.toLowerCase() === type.toLowerCase());
      if (name === undefined) throw new ControlError(400, `patchStatus.${type}: there is no resource type "${type}"; the resource types are ${resourceTypes.join(', ')}.`, `patchStatus.${type}`);
      if (status !== 200 && status !== 204) throw new ControlError(400, `patchStatus.${type} must be 200 or 204.`, `patchStatus.${type}`);
      next.patchStatus[name] = status;
    }
  }
  if (patch.auth !== undefined) {
    if (!isPlainObject(patch.auth)) throw new ControlError(400, 'auth must be an object.', 'auth');
    onlyKeys(patch.auth, ['mode', 'token', 'basicUser', 'basicPassword', 'clientId', 'clientSecret', 'tokenLifetime', 'me'], 'auth.');
    const auth = { ...next.auth, ...patch.auth };
    if (!AUTH_MODES.includes(auth.mode)) throw new ControlError(400, `auth.mode must be ${AUTH_MODES.join(', ')}.`, 'auth.mode');
    for (const key of ['token', 'basicUser', 'basicPassword', 'clientId', 'clientSecret'] as const) {
      if (typeof auth[key] !== 'string' || auth[key] === '') throw new ControlError(400, `auth.${key} must be a non-empty string.`, `auth.${key}`);
    }
    // No built-in Basic credentials, as on the command line (--auth basic needs both): a switch to Basic names them.
    const given = patch.auth as Record<string, unknown>;
    if (auth.mode === 'basic' && next.auth.mode !== 'basic' && (given.basicUser === undefined || given.basicPassword === undefined)) {
      const missing = given.basicUser === undefined ? 'auth.basicUser' : 'auth.basicPassword';
      throw new ControlError(400, `auth.mode "basic" needs both auth.basicUser and auth.basicPassword when it is switched on (${missing} is missing): there are no built-in Basic credentials, as --auth basic needs --basic-user and --basic-password.`, missing);
    }
    if (auth.basicUser.includes(':')) {
      throw new ControlError(400, 'auth.basicUser must not contain ":" (RFC 7617 section 2: the user-id ends at the first colon).', 'auth.basicUser');
    }
    if (!Number.isInteger(auth.tokenLifetime) || auth.tokenLifetime < 1 || auth.tokenLifetime > MAX_TOKEN_LIFETIME) {
      throw new ControlError(400, `auth.tokenLifetime must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME}.`, 'auth.tokenLifetime');
    }
    if (auth.me !== undefined && auth.me !== null && (typeof auth.me !== 'string' || auth.me === '')) {
      throw new ControlError(400, 'auth.me must be the userName of the User /Me stands for, or null.', 'auth.me');
    }
    if (auth.me === null) delete auth.me;
    next.auth = auth;
  }
  if (patch.behaviour !== undefined) next.behaviour = mergeBehaviour(next.behaviour, patch.behaviour);
  return next;
}

/**
 * The checks that span fields, on a whole config: the one a tenant would run with, after its profile's and persona's
 * defaults (`requested`: the config before them, to say where a value came from). `maxBody` (--max-body) bounds
 * bulkMaxPayload, as on the command line: a larger Bulk body never reaches /Bulk.
 */
export function checkConfig(config: TenantConfig, limits: { maxBody?: number; requested?: TenantConfig } = {}): void {
  const from = (field: 'defaultPageSize' | 'maxPageSize') => {
    const requested = limits.requested;
    if (!requested || requested[field] === config[field]) return '';
    return config.persona ? ` (from persona ${config.persona})` : ` (from profile ${config.profile})`;
  };
  if (config.defaultPageSize > config.maxPageSize) {
    throw new ControlError(
      400,
      `defaultPageSize must not exceed maxPageSize: defaultPageSize would be ${config.defaultPageSize}${from('defaultPageSize')} and maxPageSize ${config.maxPageSize}${from('maxPageSize')}; set both so that defaultPageSize <= maxPageSize.`,
      'defaultPageSize',
    );
  }
  if (limits.maxBody !== undefined && config.bulkMaxPayload > limits.maxBody) {
    throw new ControlError(
      400,
      `bulkMaxPayload (${config.bulkMaxPayload}) must not exceed maxBody (--max-body, ${limits.maxBody}): larger bodies never reach /Bulk.`,
      'bulkMaxPayload',
    );
  }
}

// ---- The behaviour analyser's settings (src/behaviour/codes.ts)

/** `behaviour: {enabled, disabled, retryStorm: {limit, windowSeconds}}`, partial; `disabled` replaces the list. */
function mergeBehaviour(current: BehaviourConfig, patch: unknown): BehaviourConfig {
  if (!isPlainObject(patch)) throw new ControlError(400, 'behaviour must be an object such as {"disabled": ["if-match-unused"]}.', 'behaviour');
  onlyKeys(patch, ['enabled', 'disabled', 'retryStorm'], 'behaviour.');
  const next: BehaviourConfig = structuredClone(current);
  if (patch.enabled !== undefined) {
    if (typeof patch.enabled !== 'boolean') throw new ControlError(400, 'behaviour.enabled must be true or false.', 'behaviour.enabled');
    next.enabled = patch.enabled;
  }
  if (patch.disabled !== undefined) {
    if (!Array.isArray(patch.disabled)) throw new ControlError(400, `behaviour.disabled must be an array of finding codes (${BEHAVIOUR_CODES.join(', ')}).`, 'behaviour.disabled');
    patch.disabled.forEach((code, i) => {
      if (!isBehaviourCode(code)) throw new ControlError(400, `behaviour.disabled[${i}] ${JSON.stringify(code)} is not a finding code; use one of ${BEHAVIOUR_CODES.join(', ')}.`, `behaviour.disabled[${i}]`);
    });
    next.disabled = [...new Set(patch.disabled as BehaviourConfig['disabled'])];
  }
  if (patch.retryStorm !== undefined) {
    if (!isPlainObject(patch.retryStorm)) throw new ControlError(400, 'behaviour.retryStorm must be an object {limit, windowSeconds}.', 'behaviour.retryStorm');
    onlyKeys(patch.retryStorm, ['limit', 'windowSeconds'], 'behaviour.retryStorm.');
    const int = (field: 'limit' | 'windowSeconds', max: number) => {
      const v = (patch.retryStorm as Record<string, unknown>)[field];
      if (v === undefined) return;
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) {
        throw new ControlError(400, `behaviour.retryStorm.${field} must be an integer from 1 to ${max}.`, `behaviour.retryStorm.${field}`);
      }
      next.retryStorm[field] = v as number;
    };
    int('limit', MAX_RETRY_STORM_LIMIT);
    int('windowSeconds', MAX_RETRY_STORM_WINDOW_SECONDS);
  }
  return next;
}

/** The config a tenant starts from, given the server's options (the flags). */
export function tenantConfigFrom(o: ScimulatorOptions): TenantConfig {
  return {
    profile: o.profile,
    auth: {
      mode: o.auth,
      token: o.token,
      basicUser: o.basicUser,
      basicPassword: o.basicPassword,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      tokenLifetime: o.tokenLifetime,
    },
    defaultPageSize: o.defaultPageSize,
    maxPageSize: o.maxPageSize,
    patchStatus: {},
    groupDisplayNameUnique: o.groupDisplayNameUnique,
    warningsHeader: o.warningsHeader,
    cursorTimeout: o.cursorTimeout,
    bulkMaxOperations: o.bulkMaxOperations,
    bulkMaxPayload: o.bulkMaxPayload,
    advertisePagination: o.advertisePagination,
    memberPolicy: o.memberPolicy,
    persona: o.persona ?? null,
    behaviour: structuredClone(DEFAULT_BEHAVIOUR_CONFIG) as BehaviourConfig,
  };
}
