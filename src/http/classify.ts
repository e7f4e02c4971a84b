import type { ScimOperation } from '../request-context.js';

/** The discovery endpoints of RFC 7644 section 4 (plus "ServiceProviderConfigs", the SCIM 1.1 spelling). */
const DISCOVERY_ENDPOINTS = new Set(['serviceproviderconfig', 'serviceproviderconfigs', 'schemas', 'resourcetypes']);

export interface ScimRequestClass {
  operation: ScimOperation;
  /** The resource type name (e.g. "User") when the path names that type's endpoint. */
  resourceType?: string;
}

/** Splits a path relative to the SCIM base path into its non-empty segments (query string ignored). */
export function pathSegments(relativePath: string): string[] {
  let end = relativePath.length;
  for (let i = 0; i < end; i++) {
    const c = relativePath.charCodeAt(i);
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) end = i;
  }
  // Counted first, so that the list is made at its size.
  let count = 0;
  for (let i = 0; i < end; i++) if (relativePath.charCodeAt(i) !== 0x2f && (i === 0 || relativePath.charCodeAt(i - 1) === 0x2f)) count++;
  const segments = new Array<string>(count);
  let n = 0;
  for (let start = 0; start < end; ) {
    let slash = relativePath.indexOf('/', start);
    if (slash < 0 || slash > end) slash = end;
    if (slash > start) segments[n++] = relativePath.slice(start, slash);
    start = slash + 1;
  }
  return segments;
}

/**
 * Names the SCIM operation a request asks for, from its method and its path relative to the SCIM base path.
 *
 * - `/{endpoint}`: GET (or HEAD) = list, POST = create; other methods = unknown.
 * - `/{endpoint}/.search`: POST = search (RFC 7644 3.4.3); other methods = unknown.
 * - `/{endpoint}/{id}`: GET/HEAD = get, PUT = replace, PATCH = patch, DELETE = delete; POST = unknown.
 * - `/.search`: POST = search across types (no resource type).
 * - `/Bulk` = bulk, `/ServiceProviderConfig`, `/Schemas[/...]`, `/ResourceTypes[/...]` = discovery,
 *   `/Me[/...]` = me (whatever the method: the handler decides whether the method is allowed).
 * - `/` with GET: a root query across all resource types (RFC 7644 3.4.2.1) = list, with no resource type.
 * - anything else = unknown.
 *
 * Endpoint names are compared case-insensitively; `resourceType` is the name from `resourceTypes` (a list, or the
 * tenant's registry, which looks endpoints up in O(1)).
 */
/** Finds a resource type by its endpoint ("/Users", case-insensitive), as the tenant's SchemaRegistry does. */
export interface EndpointLookup {
  byEndpoint(endpoint: string): { name: string } | undefined;
}

export function classifyScimRequest(
  method: string,
  relativePath: string,
  resourceTypes: ReadonlyArray<{ name: string; endpoint: string }> | EndpointLookup,
): ScimRequestClass {
  const m = method.toUpperCase();
  const segs = pathSegments(relativePath);
  if (segs.length === 0) return { operation: m === 'GET' || m === 'HEAD' ? 'list' : 'unknown' };
  const first = segs[0]!.toLowerCase();

  if (segs.length === 1 && first === '.search') return { operation: m === 'POST' ? 'search' : 'unknown' };
  if (first === 'bulk') return { operation: segs.length === 1 ? 'bulk' : 'unknown' };
  if (first === 'me') return { operation: 'me' };
  if (DISCOVERY_ENDPOINTS.has(first)) return { operation: 'discovery' };

  const type = 'byEndpoint' in resourceTypes ? resourceTypes.byEndpoint(`/${first}`) : resourceTypes.find((rt) => endpointName(rt.endpoint) === first);
  if (!type) return { operation: 'unknown' };
  const resourceType = type.name;
  const isGet = m === 'GET' || m === 'HEAD';

  if (segs.length === 1) {
    if (isGet) return { operation: 'list', resourceType };
    if (m === 'POST') return { operation: 'create', resourceType };
    return { operation: 'unknown', resourceType };
  }
  if (segs.length === 2) {
    if (segs[1]!.toLowerCase() === '.search') return { operation: m === 'POST' ? 'search' : 'unknown', resourceType };
    if (isGet) return { operation: 'get', resourceType };
    if (m === 'PUT') return { operation: 'replace', resourceType };
    if (m === 'PATCH') return { operation: 'patch', resourceType };
    if (m === 'DELETE') return { operation: 'delete', resourceType };
    return { operation: 'unknown', resourceType };
  }
  return { operation: 'unknown', resourceType };
}

/** "/Users" -> "users" (the endpoint of a ResourceType is a URI relative to the base path). */
function endpointName(endpoint: string): string {
  return endpoint.replace(/^\/+/, '').replace(/\/+$/, '').toLowerCase();
}
