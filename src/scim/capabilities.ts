/**
 * Target capabilities: what a particular SCIM service supports and how it answers what it does not (a persona,
 * src/personas, describes a documented target with them). The core receives them as data and checks them here, each
 * where the generic capability belongs: the filter after parsing and before evaluation, sortBy and startIndex before
 * a query runs, PATCH paths before the operations apply, membership limits before a write is stored. An empty
 * object is plain RFC 7643/7644 behaviour. Pure: no I/O, no knowledge of any particular vendor.
 */
import { isPlainObject, valueAt, type ResourceSchema } from './attributes.js';
import { ScimError, type ScimType } from './errors.js';
import type { ComparisonOperator, FilterNode } from './filter/index.js';
import { GROUP_SCHEMA_ID } from './schemas/core.js';

/** How a target answers something it does not support. */
export interface VendorError {
  status: number;
  scimType?: ScimType;
  /** The target's own name for the error, put before the detail: "ValidationException". */
  code?: string;
}

/** The filters a target evaluates (RFC 7644 3.4.2.2 allows many more). */
export interface FilterCapability {
  /** Attribute operators (`pr` included); absent: all of them. */
  operators?: readonly (ComparisonOperator | 'pr')[];
  /** Logical operators; absent: all; []: one comparison only. */
  logical?: readonly ('and' | 'or' | 'not')[];
  /** Value paths such as `emails[type eq "work"]` (default true). */
  valuePaths?: boolean;
  /**
   * Per resource type name, the attribute combinations a filter may test: each one a list of attribute paths that the
   * filter's comparisons (joined by "and") name, in any order. A type not listed may be filtered on any attribute.
   */
  attributes?: Readonly<Record<string, readonly (readonly string[])[]>>;
  /** The answer to another filter (default: the target's `unsupported` error, else 400 invalidFilter). */
  error?: VendorError;
}

/** Limits on Group membership changes. */
export interface MemberLimits {
  /** Most members one POST or PUT of a Group may carry. */
  maxPerWrite?: number;
  /** Most membership changes (members added plus removed) one PATCH may make. */
  maxChangesPerPatch?: number;
  /** Whether one PATCH may replace or remove all members (replace or remove of "members" without a filter). */
  replaceAll?: boolean;
}

/** The longest value a target takes for a string attribute. */
export interface LengthLimit {
  /** The attribute's path ("userName"). */
  path: string;
  /** Most characters (Unicode code points). */
  max: number;
  /** An email address is taken whatever its length (Slack converts one given as userName to a username of its own). */
  unlessEmail?: boolean;
  /** The answer to a longer value (default: the target's `unsupported` answer). */
  error?: VendorError;
}

/** A SCIM operation (src/request-context.ts) on an optional resource type name. */
export interface OperationRef {
  operation: string;
  resourceType?: string;
}

/** A request header the target refuses requests without (GitHub: User-Agent), and its answer. */
export interface RequiredHeader {
  /** The header's name, in any letter case ("User-Agent"). */
  name: string;
  /** The answer to a request without it, or with an empty value. */
  error: VendorError;
  /** The target's own words for the refusal, put before Scimulator's hint on what to send. */
  message?: string;
}

/** A budget of members added to each group per window (GitHub: 1,000 users per group per hour). */
export interface MemberAdditionRate {
  /** Most members one group may gain per window. */
  limit: number;
  windowMs: number;
  /**
   * The answer beyond it (default 429 with Retry-After; a request adding more than `limit` members to one group,
   * which no wait lets through, gets it without Retry-After).
   */
  error?: VendorError;
}

export interface TargetCapabilities {
  filter?: FilterCapability;
  /**
   * Request headers every SCIM request must carry (GitHub: User-Agent). Checked by the HTTP layer before
   * authentication (src/http/target-headers.ts), on SCIM endpoints only; the core never sees headers.
   */
  requiredHeaders?: readonly RequiredHeader[];
  /**
   * Members each group may gain per window, counted per group on the tenant clock as writes commit (a token bucket
   * per group: `limit` members, refilled at limit/windowMs). A write that adds more than the group has left is
   * refused whole (429 with Retry-After), before anything is stored; one that adds more than `limit` can never pass,
   * and is refused without Retry-After. The state lives in a MemberAdditionBudget the
   * tenant gives the service.
   */
  memberAdditionRate?: MemberAdditionRate;
  /** `sortBy` (default true; ServiceProviderConfig sort.supported). */
  sort?: boolean;
  /** `startIndex` (default true; false: only the first page, or cursors). */
  startIndex?: boolean;
  /**
   * The `count` values the target accepts (AWS: 1 to 100); one outside them is 400 invalidCount with the target's
   * error code, with or without cursor. Absent: RFC 7644 3.4.2.4 (a negative count is 0, a count above the largest
   * page is capped; RFC 9865 refuses one above it for cursor pagination).
   */
  countRange?: { min: number; max: number };
  /**
   * Whether a page of a cursor-paged list carries totalResults (default true). AWS answers cursor pages with
   * itemsPerPage and nextCursor only: a client that reads totalResults there meets undefined on the real service.
   */
  cursorTotalResults?: boolean;
  /** `attributes` / `excludedAttributes` on list requests (default true). */
  listProjection?: boolean;
  /** Versions: ETag headers, meta.version, If-Match, If-None-Match (default true). */
  etag?: boolean;
  /** ServiceProviderConfig changePassword.supported (default true). */
  changePassword?: boolean;
  /** PATCH paths with a value filter, `emails[type eq "work"]` (default true). */
  patchPathFilters?: boolean;
  members?: MemberLimits;
  /**
   * Attributes a PATCH "remove" may not name, per resource type name (AWS: userName and active), however the path
   * spells them (any case, URN-qualified); the target's `unsupported` answer, before any operation applies.
   */
  unremovableAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes at most one operation of a PatchOp may name, per resource type name (AWS: "Multiple PATCH operations on
   * userName or active attribute" are not supported), by path in any spelling or as a key of a path-less value; a
   * second one is the target's `unsupported` answer, before any operation applies.
   */
  singleOperationAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes a POST or PUT must carry, per resource type name, as paths ("name.givenName"), beyond the schema's
   * `required` (AWS: name.givenName, name.familyName, displayName); one missing is the target's `unsupported` answer.
   */
  requiredAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Multi-valued attributes the target keeps to one value, per resource type name (AWS: emails, addresses,
   * phoneNumbers, roles); a POST or PUT with more, or a PATCH that leaves more, is the target's `unsupported` answer.
   * A PATCH is checked only on the attributes it changes.
   */
  singleValued?: Readonly<Record<string, readonly string[]>>;
  /** String attributes the target limits in length, per resource type name (Slack: userName); checked as singleValued. */
  lengthLimits?: Readonly<Record<string, readonly LengthLimit[]>>;
  /** Multi-valued attributes whose values must be marked `primary`, per resource type name (AWS: emails); checked as singleValued. */
  primaryRequired?: Readonly<Record<string, readonly string[]>>;
  /**
   * Resource type names whose DELETE deactivates (`active` false) instead of removing (Slack's Users): the resource
   * stays readable and listed, and keeps its unique values, as the target keeps the deactivated account.
   */
  deactivateOnDelete?: readonly string[];
  /**
   * The only attributes a PATCH may name, per resource type name (AWS PatchUser / PatchGroup): top-level attribute
   * names, or an extension's URN for all of its attributes. An operation on another is the target's `unsupported`
   * answer, before any operation applies.
   */
  patchableAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes a POST or PUT may not carry, per resource type name (AWS: a User's groups), where RFC 7643 would
   * ignore them (readOnly); one present is the target's `unsupported` answer.
   */
  refusedAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes the target does not let a PUT or PATCH change once set, per resource type name (Atlassian: a Group's
   * displayName): a change is the target's `unsupported` answer, else RFC 7644's 400 mutability.
   */
  immutableAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * The answer to a Group write that adds a member whose `active` is false (Slack: deactivated users cannot be added
   * to a group); absent: such members are added (RFC 7643). Members the group already has are not checked.
   */
  inactiveMember?: VendorError;
  /** Attributes the target never returns, per resource type name; multi-valued ones read as an empty list. */
  hiddenAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes the target keeps unique beyond the schema's `uniqueness`, per resource type name (GitHub's externalId):
   * another resource with the same value is 409 uniqueness. Each must be one the store indexes (externalId,
   * userName, a Group's displayName): the check is a lookup, never a scan.
   */
  uniqueAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * The answer to a Group filter whose `members.value eq "<id>"` names no existing User or Group (AWS: 404
   * ResourceNotFoundException); absent: such a filter matches nothing (an empty list, RFC 7644).
   */
  unknownMemberFilter?: VendorError;
  /** Operations the target does not offer (ServiceProviderConfig bulk.supported follows `bulk`). */
  unsupportedOperations?: readonly OperationRef[];
  /** The answer to a parameter or operation the target does not support (default: 400 invalidValue / 501). */
  unsupported?: VendorError;
  /** ServiceProviderConfig documentationUri. */
  documentationUri?: string;
}

/** The error a target answers for something it does not support; `what` says what and how to do without it. */
export function unsupported(caps: TargetCapabilities, what: string, fallback: VendorError = { status: 400, scimType: 'invalidValue' }): ScimError {
  return vendorError(caps.unsupported ?? fallback, what);
}

/** The target's answer: its status and scimType, its own error code (when it has one) ahead of the detail. */
export function vendorError(answer: VendorError, what: string): ScimError {
  return new ScimError(answer.status, answer.scimType, `${answer.code ? `${answer.code}: ` : ''}${what}`);
}

/** True when the target offers this operation (on this resource type). */
export function offers(caps: TargetCapabilities, operation: string, resourceType?: string): boolean {
  return !caps.unsupportedOperations?.some((o) => o.operation === operation && (o.resourceType === undefined || o.resourceType === resourceType));
}

/** Throws the target's answer when it does not offer the operation (RFC 7644 3.12: 501 where it says nothing). */
export function checkOperation(caps: TargetCapabilities, operation: string, resourceType: string | undefined, label: string): void {
  if (offers(caps, operation, resourceType)) return;
  throw unsupported(caps, `${label} is not supported by this service (see ServiceProviderConfig and the service's documentation).`, { status: 501 });
}

/**
 * sortBy and startIndex, before a query runs. A target that documents its answer to unsupported requests
 * (`unsupported`) gives it; one that does not ignores the parameter, as a server that lacks the feature does.
 */
export function checkQuery<R extends { sortBy?: string; sortOrder?: string; startIndex?: number; count?: number }>(caps: TargetCapabilities, request: R): R {
  let out = request;
  const range = caps.countRange;
  if (range && request.count !== undefined && !(request.count >= range.min && request.count <= range.max)) {
    const code = caps.unsupported?.code;
    throw new ScimError(400, 'invalidCount', `${code ? `${code}: ` : ''}count ${request.count} is outside the valid range ${range.min} to ${range.max}; send a count from ${range.min} to ${range.max}, or none for the default page.`);
  }
  if (request.sortBy !== undefined && caps.sort === false) {
    if (caps.unsupported) throw unsupported(caps, 'sortBy is not supported (ServiceProviderConfig sort.supported is false); sort the results on the client side.');
    out = { ...out };
    delete out.sortBy;
    delete out.sortOrder;
  }
  if (request.startIndex !== undefined && caps.startIndex === false) {
    if (caps.unsupported) throw unsupported(caps, 'startIndex is not supported; page with "cursor" (send an empty cursor for the first page, then each nextCursor).');
    out = { ...out };
    delete out.startIndex;
  }
  return out;
}

/** attributes / excludedAttributes on a list request: the target's answer, or (none documented) the parameters ignored. */
export function checkListProjection<P extends { attributes?: readonly string[]; excludedAttributes?: readonly string[] }>(caps: TargetCapabilities, projection: P): P {
  if (caps.listProjection !== false) return projection;
  const name = projection.attributes?.length ? 'attributes' : projection.excludedAttributes?.length ? 'excludedAttributes' : undefined;
  if (!name) return projection;
  if (caps.unsupported) throw unsupported(caps, `"${name}" is not supported on list requests; every listed resource is returned whole.`);
  return { ...projection, attributes: undefined, excludedAttributes: undefined };
}

/** A filter, after parsing and before evaluation, against the filters the target evaluates. */
export function checkFilter(caps: TargetCapabilities, ast: FilterNode, types: readonly ResourceSchema[]): void {
  const filter = caps.filter;
  if (!filter) return;
  const reject = (why: string) => vendorError(filter.error ?? caps.unsupported ?? { status: 400, scimType: 'invalidFilter' }, why);
  const leaves: Array<{ path: string; operator: string }> = [];
  const walk = (node: FilterNode): void => {
    switch (node.type) {
      case 'and':
      case 'or':
        if (filter.logical && !filter.logical.includes(node.type)) {
          throw reject(`the logical operator "${node.type}" is not supported in filters${filter.logical.length ? ` (supported: ${filter.logical.join(', ')})` : '; send one comparison'}.`);
        }
        walk(node.left);
        walk(node.right);
        return;
      case 'not':
        if (filter.logical && !filter.logical.includes('not')) throw reject('"not (...)" is not supported in filters.');
        walk(node.filter);
        return;
      case 'valuePath':
        if (filter.valuePaths === false) throw reject(`value paths such as "${textOf(node.path)}[...]" are not supported in filters; compare one attribute, e.g. "${textOf(node.path)}.value eq ..."`);
        leaves.push({ path: textOf(node.path), operator: 'valuePath' });
        return;
      case 'comparison':
      case 'present': {
        const operator = node.type === 'present' ? 'pr' : node.operator;
        if (filter.operators && !filter.operators.includes(operator as ComparisonOperator)) {
          throw reject(`the operator "${operator}" is not supported in filters (supported: ${filter.operators.join(', ')}).`);
        }
        if (node.path.valueFilter) throw reject('value paths are not supported in filters.');
        leaves.push({ path: textOf(node.path), operator });
      }
    }
  };
  walk(ast);
  for (const type of types) {
    const allowed = filter.attributes?.[type.name];
    if (!allowed) continue;
    const canonical = (path: string) => canonicalPathOf(type, path);
    const used = [...new Set(leaves.map((l) => canonical(l.path)))].sort();
    const fits = allowed.some((combination) => {
      const wanted = [...new Set(combination.map(canonical))].sort();
      return wanted.length === used.length && wanted.every((p, i) => p === used[i]);
    });
    if (!fits) {
      const options = allowed.map((c) => c.join(' and ')).join('; ');
      throw reject(`filtering ${type.name} resources on ${leaves.map((l) => l.path).join(' and ') || 'this expression'} is not supported; supported filters: ${options}.`);
    }
  }
}

/**
 * A filter's `members.value eq "<id>"` comparisons on Groups, after parsing: the target's answer when an id names no
 * resource (`exists` looks it up: one store read per comparison, never a scan).
 */
export function checkMemberFilter(caps: TargetCapabilities, ast: FilterNode, types: readonly ResourceSchema[], exists: (id: string) => boolean): void {
  const answer = caps.unknownMemberFilter;
  if (!answer) return;
  for (const type of types) {
    if (type.core.id !== GROUP_SCHEMA_ID) continue;
    const walk = (node: FilterNode): void => {
      switch (node.type) {
        case 'and':
        case 'or':
          walk(node.left);
          walk(node.right);
          return;
        case 'not':
          walk(node.filter);
          return;
        case 'comparison': {
          if (node.operator !== 'eq' || typeof node.value !== 'string') return;
          if (canonicalPathOf(type, textOf(node.path)) !== 'members.value' || exists(node.value)) return;
          throw vendorError(answer, `the filter's members.value "${node.value}" names no existing User or Group.`);
        }
      }
    };
    walk(ast);
  }
}

/** A path as the type canonically names it, in lower case, for comparisons (the path itself when it names nothing). */
const canonicalPathOf = (type: ResourceSchema, path: string) => type.resolve(path)?.canonicalPath.toLowerCase() ?? path.toLowerCase();

const textOf = (path: { urn?: string; attribute: string; subAttribute?: string }) =>
  `${path.urn ? `${path.urn}:` : ''}${path.attribute}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;

/** The paths of a PatchOp's operations, before they apply. */
export function checkPatchPaths(caps: TargetCapabilities, paths: readonly (string | undefined)[]): void {
  if (caps.patchPathFilters !== false) return;
  const filtered = paths.find((p) => p?.includes('['));
  if (filtered !== undefined) {
    throw unsupported(caps, `PATCH paths with a value filter ("${filtered}") are not supported; send the whole multi-valued attribute with "replace", or an operation without a filter.`);
  }
}

/** The remove operations of a PatchOp against the attributes the target does not let a PATCH remove. */
export function checkPatchRemoves(caps: TargetCapabilities, type: ResourceSchema, operations: readonly { op: string; path?: string }[]): void {
  const names = caps.unremovableAttributes?.[type.name];
  if (!names?.length) return;
  const canonical = (path: string) => canonicalPathOf(type, path);
  const forbidden = new Set(names.map(canonical));
  for (const operation of operations) {
    if (operation.op !== 'remove' || operation.path === undefined || !forbidden.has(canonical(operation.path))) continue;
    const name = type.resolve(operation.path)?.canonicalPath ?? operation.path;
    throw unsupported(caps, `the "remove" operation is not supported for ${name} ("${operation.path}"); set it with "replace" instead${name === 'active' ? ', e.g. {"op":"replace","path":"active","value":false}' : ''}.`);
  }
}

/** The operations of a PatchOp against the attributes the target lets one PATCH name only once (singleOperationAttributes). */
export function checkPatchOperationCounts(caps: TargetCapabilities, type: ResourceSchema, operations: readonly { path?: string; value?: unknown }[]): void {
  const names = caps.singleOperationAttributes?.[type.name];
  if (!names?.length) return;
  const canonical = (path: string) => canonicalPathOf(type, path);
  const wanted = new Map(names.map((name) => [canonical(name), type.resolve(name)?.canonicalPath ?? name]));
  const seen = new Map<string, number>();
  for (const operation of operations) {
    const named: string[] = [];
    if (operation.path !== undefined) named.push(canonical(operation.path.replace(/\[[^\]]*\]/g, '')));
    else if (isPlainObject(operation.value)) for (const key of Object.keys(operation.value)) named.push(canonical(key));
    for (const path of new Set(named)) {
      const name = wanted.get(path);
      if (name === undefined) continue;
      const count = (seen.get(path) ?? 0) + 1;
      seen.set(path, count);
      if (count > 1) {
        throw unsupported(caps, `more than one operation of this PATCH names ${name}; this service takes one operation on ${[...wanted.values()].join(' or ')} per request. Send a single operation with the final value of ${name}.`);
      }
    }
  }
}

/** The members of a Group POST or PUT. */
export function checkMembersOfWrite(caps: TargetCapabilities, count: number): void {
  const max = caps.members?.maxPerWrite;
  if (max !== undefined && count > max) {
    throw unsupported(caps, `the request has ${count} members; at most ${max} members can be given in one request. Create the group with the first ${max} and add the rest with PATCH.`);
  }
}

/** The membership changes of a Group PATCH: `changes` added plus removed, `whole` when the members were replaced or removed whole. */
export function checkMembershipPatch(caps: TargetCapabilities, changes: number, whole: boolean): void {
  const limits = caps.members;
  if (!limits) return;
  if (whole && limits.replaceAll === false) {
    throw unsupported(caps, 'replacing or removing all members in one request is not supported; add and remove members one by one, e.g. {"op":"remove","path":"members[value eq \\"<id>\\"]"}.');
  }
  if (limits.maxChangesPerPatch !== undefined && changes > limits.maxChangesPerPatch) {
    throw unsupported(caps, `the PATCH makes ${changes} membership changes; at most ${limits.maxChangesPerPatch} are allowed in one request. Split it into several PATCH requests.`);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A resource about to be stored against the target's required, single-valued, primary-marked and length-limited
 * attributes. `before` is the stored resource when a PATCH produced `resource`: then only the attributes the PATCH
 * changed are checked, and required ones not at all (a POST or PUT carries the whole resource).
 */
export function checkAttributeValues(caps: TargetCapabilities, type: ResourceSchema, resource: Record<string, unknown>, before?: Record<string, unknown>): void {
  const required = before === undefined ? caps.requiredAttributes?.[type.name] : undefined;
  for (const path of required ?? []) {
    const resolved = type.resolve(path);
    const value = resolved && valueAt(resource, resolved);
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
      throw unsupported(caps, `${resolved?.canonicalPath ?? path} is required by this service; send it in every ${type.name} POST and PUT.`);
    }
  }
  const changed = (path: string) => {
    const resolved = type.resolve(path);
    if (!resolved) return undefined;
    const value = valueAt(resource, resolved);
    if (!Array.isArray(value)) return undefined;
    if (before !== undefined) {
      const old = valueAt(before, resolved);
      if (old === value || JSON.stringify(old) === JSON.stringify(value)) return undefined;
    }
    return { name: resolved.canonicalPath, value };
  };
  for (const path of caps.singleValued?.[type.name] ?? []) {
    const found = changed(path);
    if (found && found.value.length > 1) {
      throw unsupported(caps, `${found.name} holds ${found.value.length} values, but this service keeps one value only; send a single ${found.name} value.`);
    }
  }
  for (const path of caps.primaryRequired?.[type.name] ?? []) {
    const found = changed(path);
    if (found?.value.some((v) => !isPlainObject(v) || v.primary !== true)) {
      throw unsupported(caps, `each ${found.name} value must be marked primary on this service; send "primary": true.`);
    }
  }
  for (const limit of caps.lengthLimits?.[type.name] ?? []) {
    const resolved = type.resolve(limit.path);
    if (!resolved) continue;
    const value = valueAt(resource, resolved);
    if (typeof value !== 'string' || (limit.unlessEmail && EMAIL.test(value))) continue;
    const length = [...value].length;
    if (length <= limit.max || (before !== undefined && valueAt(before, resolved) === value)) continue;
    const name = resolved.canonicalPath;
    const what = `${name} ${JSON.stringify(value)} is ${length} characters long; this service takes at most ${limit.max}${limit.unlessEmail ? ' (an email address is taken as it is)' : ''}. Send a ${name} of ${limit.max} characters or fewer.`;
    throw limit.error ? vendorError(limit.error, what) : unsupported(caps, what);
  }
}

/** The operations of a PatchOp against the attributes the target lets a PATCH name (patchableAttributes). */
export function checkPatchAttributes(caps: TargetCapabilities, type: ResourceSchema, operations: readonly { path?: string; value?: unknown }[]): void {
  const allowed = caps.patchableAttributes?.[type.name];
  if (!allowed) return;
  const names = new Set(allowed.map((a) => a.toLowerCase()));
  const permitted = (path: string): string | undefined => {
    // The attribute a path names, without its value filter: emails[type eq "work"].value -> emails.value.
    const resolved = type.resolve(path.replace(/\[[^\]]*\]/g, ''));
    if (!resolved) return undefined; // an unknown path is the PATCH engine's to answer
    // readOnly attributes (Okta's path-less group replace carries "id") are the PATCH engine's to answer, as RFC 7644 asks.
    if (resolved.attribute.mutability === 'readOnly') return undefined;
    const name = resolved.inExtension ? `${resolved.schemaId}:${resolved.attribute.name}` : resolved.attribute.name;
    if (names.has(name.toLowerCase()) || (resolved.inExtension && names.has(resolved.schemaId.toLowerCase()))) return undefined;
    return name;
  };
  for (const operation of operations) {
    let refused: string | undefined;
    if (operation.path !== undefined) refused = permitted(operation.path);
    else if (isPlainObject(operation.value)) {
      for (const key of Object.keys(operation.value)) {
        const extension = key.toLowerCase().startsWith('urn:') && isPlainObject(operation.value[key]) && names.has(key.toLowerCase());
        if (!extension && key.toLowerCase() !== 'schemas') refused = permitted(key);
        if (refused) break;
      }
    }
    if (refused !== undefined) {
      throw unsupported(caps, `a PATCH may not change ${refused} on this service; the attributes a ${type.name} PATCH may name are ${allowed.join(', ')}.`);
    }
  }
}

/** The body of a POST or PUT, as sent, against the attributes the target refuses in one (refusedAttributes). */
export function checkRefusedAttributes(caps: TargetCapabilities, type: ResourceSchema, body: unknown): void {
  const refused = caps.refusedAttributes?.[type.name];
  if (!refused?.length || !isPlainObject(body)) return;
  const names = new Set(refused.map((n) => n.toLowerCase()));
  for (const key of Object.keys(body)) {
    const resolved = type.resolve(key);
    if (!resolved || resolved.inExtension || !names.has(resolved.attribute.name.toLowerCase())) continue;
    // An empty value asks for nothing (Okta sends "groups": [] with every create).
    const value = body[key];
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    const hint = resolved.attribute.name === 'groups' ? ' and set memberships through the Groups endpoint' : resolved.attribute.name === 'password' && caps.changePassword === false ? ' (ServiceProviderConfig changePassword.supported is false)' : '';
    throw unsupported(caps, `"${key}" cannot be given in a ${type.name} POST or PUT on this service; leave it out${hint}.`);
  }
}

/** A PUT or PATCH result against the stored resource: the attributes the target does not let change (immutableAttributes). */
export function checkImmutableAttributes(caps: TargetCapabilities, type: ResourceSchema, next: Record<string, unknown>, existing: Record<string, unknown>): void {
  for (const path of caps.immutableAttributes?.[type.name] ?? []) {
    const resolved = type.resolve(path);
    if (!resolved) continue;
    const before = valueAt(existing, resolved);
    const after = valueAt(next, resolved);
    if (before === undefined || before === after || JSON.stringify(before) === JSON.stringify(after)) continue;
    const what = `${resolved.canonicalPath} cannot be changed on this service (from ${JSON.stringify(before)} to ${JSON.stringify(after)}); create a new ${type.name} with the new value instead.`;
    throw unsupported(caps, what, { status: 400, scimType: 'mutability' });
  }
}

/** The target's answer to a member being added that is deactivated (inactiveMember). */
export function inactiveMemberError(answer: VendorError, id: string, type: string): ScimError {
  return vendorError(answer, `members value "${id}" is a deactivated ${type} ("active": false), which this service does not add to a group; reactivate it first or leave it out.`);
}

/**
 * A request's headers (names in lower case, as node gives them) against the headers the target requires. Throws the
 * target's answer for the first one missing or empty.
 */
export function checkRequiredHeaders(caps: TargetCapabilities, headers: Readonly<Record<string, string | string[] | undefined>>): void {
  for (const required of caps.requiredHeaders ?? []) {
    const value = headers[required.name.toLowerCase()];
    const text = Array.isArray(value) ? value.join('') : value;
    if (text !== undefined && text.trim() !== '') continue;
    const hint = `the ${required.name} header is required by this service on every request${text === undefined ? '' : ' (it was sent empty)'}; send one that names your connector, e.g. "${required.name}: acme-scim-connector/1.0".`;
    throw vendorError(required.error, required.message ? `${required.message} (${hint})` : hint);
  }
}

/** Whole seconds (at least 1, rounded up) of a wait in milliseconds: a Retry-After value. */
export const wholeSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000 - 1e-9));

/** A window in words: "hour", "2 hours", "90 seconds". */
function windowText(ms: number): string {
  const units: Array<[number, string]> = [[3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']];
  for (const [size, name] of units) {
    if (ms % size === 0) return ms === size ? name : `${ms / size} ${name}s`;
  }
  return `${ms} ms`;
}

/**
 * The members each group has gained lately, against the target's memberAdditionRate: one token bucket per group
 * (`limit` tokens, refilled continuously at limit/windowMs per ms, as the fault layer's rate limits), kept only while
 * it is not full again. A group without a bucket has its whole budget. Memory: one entry per group that gained members
 * within the last window; entries are kept in the order of their last change and swept from the front. Pure: the
 * time is passed in (the tenant clock).
 */
export class MemberAdditionBudget {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();

  constructor(readonly rate: MemberAdditionRate) {}

  /** Groups with a bucket that is not full (what the budget holds in memory). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets every group's additions (POST /_mock/reset, as the fault layer's rate limits). */
  clear(): void {
    this.buckets.clear();
  }

  /**
   * Throws the target's answer (429 with Retry-After; without it when `count` exceeds the whole budget) when the
   * group (undefined: a group being created, with its whole budget) cannot gain `count` members at `now`. Takes nothing: `record` does, once the write cannot fail.
   */
  check(groupId: string | undefined, count: number, now: number): void {
    if (count <= 0) return;
    const { limit, windowMs } = this.rate;
    // A clock set back before the group's last change (PATCH /_mock/clock freeze) refills from now, as the fault
    // layer's buckets do: else the Retry-After below would name a wait the budget does not keep.
    const bucket = groupId === undefined ? undefined : this.buckets.get(groupId);
    if (bucket && bucket.last > now) bucket.last = now;
    const left = groupId === undefined ? limit : this.tokensOf(groupId, now);
    if (count <= left + 1e-9) return;
    const group = groupId === undefined ? 'a new Group' : `Group "${groupId}"`;
    const adds = `this request adds ${count} member${count === 1 ? '' : 's'} to ${group}, but a group may gain at most ${limit} members per ${windowText(windowMs)} on this service`;
    const answer = this.rate.error ?? { status: 429 };
    if (count > limit) {
      // More than the whole budget: refused after any wait, so no Retry-After (a connector that honours one would
      // retry the same request forever). It passes only split.
      throw vendorError(answer, `${adds}; split the members into requests of at most ${limit}. This request can never pass as it is, however long it waits (so no Retry-After); a request within the budget that comes too early is answered with the wait in Retry-After.`);
    }
    const seconds = wholeSeconds(((count - left) * windowMs) / limit);
    const error = vendorError(answer, `${adds} and ${Math.floor(left + 1e-9)} more can be added now. Retry after ${seconds} second(s), or add fewer members in this request.`);
    throw answer.status === 429 || answer.status === 503 ? new ScimError(error.status, error.scimType, error.detail, { 'Retry-After': String(seconds) }) : error;
  }

  /** Takes `count` of the group's budget at `now` (after `check` passed for it). */
  record(groupId: string, count: number, now: number): void {
    if (count <= 0) return;
    const tokens = Math.max(0, this.tokensOf(groupId, now) - count);
    this.buckets.delete(groupId);
    this.buckets.set(groupId, { tokens, last: now });
    this.sweep(now);
  }

  /** What the group has left at `now`. */
  private tokensOf(groupId: string, now: number): number {
    const bucket = this.buckets.get(groupId);
    if (!bucket) return this.rate.limit;
    return Math.min(this.rate.limit, bucket.tokens + (Math.max(0, now - bucket.last) * this.rate.limit) / this.rate.windowMs);
  }

  /**
   * Drops the buckets that are full again, from the oldest change on, up to the first that is not: each is dropped at
   * most one window after its last change (the ones before it are older, so full by then as well).
   */
  private sweep(now: number): void {
    for (const [groupId, bucket] of this.buckets) {
      if (bucket.tokens + (Math.max(0, now - bucket.last) * this.rate.limit) / this.rate.windowMs < this.rate.limit - 1e-9) return;
      this.buckets.delete(groupId);
    }
  }
}
