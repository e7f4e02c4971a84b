/**
 * What the middleware layers of one SCIM request share, kept on `res.locals.scim`.
 * Each layer (journal, auth, faults, profile, SCIM router) reads and fills its own part;
 * the SCIM core never sees this object. It sits below http/, faults/, journal/ and profiles/ so that none of
 * them imports another to learn what a request is.
 */
export const SCIM_OPERATIONS = [
  'create',
  'get',
  'list',
  'replace',
  'patch',
  'delete',
  'search',
  'bulk',
  'discovery',
  'me',
  'unknown',
] as const;

export type ScimOperation = (typeof SCIM_OPERATIONS)[number];

/** An RFC deviation seen in a client's request (see the [patch] issue: IdP profiles and the linter). */
export interface ConformanceWarning {
  /** Stable machine-readable code, e.g. "op-case". */
  code: string;
  /** The RFC section the request strays from, e.g. "RFC 7644 3.5.2". */
  rfc: string;
  detail: string;
}

/**
 * What a client did across requests (retrying too early, a page walk with a gap, ...): the shape of a conformance
 * warning plus the journal ids of the requests involved, the one that completed it last (see src/behaviour/).
 */
export interface BehaviourFinding extends ConformanceWarning {
  requestIds: string[];
}

/** The page a list or search request was answered with (set by the SCIM routes). */
export interface ListedPage {
  /** Absent for cursor pages (RFC 9865). */
  startIndex?: number;
  itemsPerPage: number;
  totalResults: number;
  /** The resources on the page, in order. */
  resources: Array<{ type: string; id: string }>;
}

export interface FiredFaultInfo {
  id: string;
  name?: string;
  action: string;
}

export interface RequestScimContext {
  tenantId: string;
  /** The request path relative to the tenant's SCIM base path, e.g. "/Users/123". */
  relativePath: string;
  operation: ScimOperation;
  /** e.g. "User", when the path names a resource type endpoint. */
  resourceType?: string;
  warnings: ConformanceWarning[];
  fault?: FiredFaultInfo;
  /** Behaviour findings known when the request arrived (the analyser adds the rest when it completes). */
  findings?: BehaviourFinding[];
  /** For list and search requests: the page that was sent. */
  page?: ListedPage;
}
