/**
 * What the middleware layers of one SCIM request share, kept on `res.locals.scim`.
 * Each layer (journal, auth, faults, profile, SCIM router) reads and fills its own part;
 * the SCIM core never sees this object. It sits below http/, faults/, journal/ and profiles/ so that none of
 * them imports another to learn what a request is.
 */
import type { ScimError } from './scim/errors.js';
import type { ScimService } from './scim/service.js';

/**
 * The header the dashboard sends on its own SCIM requests (its Directory view, its OAuth token requests), with the
 * value "dashboard" (src/ui/api.ts CLIENT_HEADER). The requests view hides them; fault rules leave them alone, the
 * conformance summary does not count them and the behaviour analyser does not follow them: all are about the
 * connector under test, and a viewer's request must not use up a rule's `times` or a rate limit's budget, nor put
 * its own warnings or findings in the connector's report.
 */
export const DASHBOARD_CLIENT_HEADER = 'x-scimulator-client';

/** Whether a request (its header object, names in lower case as node gives them) is the dashboard's own. */
export function fromDashboard(headers: Readonly<Record<string, unknown>>): boolean {
  return headers[DASHBOARD_CLIENT_HEADER] === 'dashboard';
}

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
  /** The OAuth 2.0 token endpoint (RFC 6749 section 4.4), outside the SCIM base path. */
  'token',
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
  /** "after": the real handler ran and committed; the client got the fault instead of its answer. */
  phase?: 'after';
  /** drift: ids of the resources it created and deleted before the page was answered. */
  inserted?: string[];
  deleted?: string[];
  /** A Bulk operation fault: the indexes ("Operations[i]") of the operations it failed. */
  operations?: number[];
}

/** What the real handler answered when a fault replaced that answer (phase "after"). */
export interface CommittedResponse {
  status: number;
  headers: Record<string, string | string[] | number>;
  /** The body as written, as text (empty when there was none). */
  body: string;
}

/** One operation of a POST /Bulk request, as a layer intercepting operations sees it. */
export interface BulkOperationRef {
  /** 0-based position in "Operations". */
  index: number;
  method: string;
  /** The operation's "path" as sent (bulkId references unresolved). */
  path: string;
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
  /** Set when a fault replaced the real handler's answer after it ran (phase "after"). */
  committed?: CommittedResponse;
  /**
   * A layer may fail single operations of a POST /Bulk request: the Bulk route calls this before each operation
   * runs; an error returned fails that operation (its result carries the error) and the others run.
   */
  bulkOperationHook?: (op: BulkOperationRef) => ScimError | undefined;
  /**
   * The SCIM service this request runs on, when a layer gives it its own view of the tenant's store (replication
   * lag: lagged writes, reads that do not see them yet); the tenant's service otherwise.
   */
  service?: ScimService;
  /** The request body as the client sent it (decoded text), set by the body layer once it parsed: the journal keeps it. */
  requestText?: string;
  /**
   * The request body's bytes, when the body layer read them but did not parse them (a media type it refuses, a body
   * that is not JSON): the journal keeps them as text, or as bytes when they are not text.
   */
  requestBytes?: Buffer;
  /** Behaviour findings known when the request arrived (the analyser adds the rest when it completes). */
  findings?: BehaviourFinding[];
  /** For list and search requests: the page that was sent. */
  page?: ListedPage;
}
