/**
 * The behaviour analyser of one tenant: follows each client (tenant + credentials + User-Agent, kept as a digest)
 * across its requests and raises findings about what it does over several of them: retries before Retry-After,
 * retries without backoff, retry storms, creates retried into 409, page walks with gaps or overlaps, counts above
 * the advertised maximum, PUTs that clear what the client never read, updates without If-Match, lookups by
 * walking a list.
 *
 * Two entry points, both synchronous and free of HTTP:
 * - arrive(): called by the pipeline when a request arrives (before faults and the SCIM routes). It returns the
 *   findings known at that moment (a retry before Retry-After, a count above the maximum, a page walk's next
 *   startIndex, a PUT that drops attributes), so they can go into the response's Scimulator-Warning header.
 * - complete(): a subscriber of the tenant's journal. With the recorded entry (status, headers) and the request's
 *   context (the page a list returned) it updates the client's state, raises what the response decides
 *   (post-retry-duplicate) and puts the findings and the client digest on the entry.
 *
 * Time is the tenant clock. State is bounded (BEHAVIOUR_BOUNDS): clients per tenant, operations, walks and
 * resources per client, findings kept; the least recently used goes first.
 */
import { createHash } from 'node:crypto';
import type { JournalEntry, RecordedEntry } from '../journal/journal.js';
import type { BehaviourFinding, RequestScimContext } from '../request-context.js';
import type { Clock } from '../scim/clock.js';
import { etagMatches } from '../scim/service.js';
import { decodeSegment } from '../scim/strings.js';
import { BEHAVIOUR_CODE_INFO, BEHAVIOUR_CODES, type BehaviourCode, type BehaviourConfig } from './codes.js';
import type { ResourceView } from './view.js';

export const BEHAVIOUR_BOUNDS = Object.freeze({
  /** Clients followed per tenant; the one seen least recently is forgotten first. */
  clients: 64,
  /**
   * Failing operations (method + path + query or body digest) followed per client, for retries: from a first failed
   * attempt until one succeeds, each remembering its last max(4, retryStorm.limit + 1) attempts.
   */
  operations: 128,
  /** Index walks (one per endpoint, filter, sort and projection) followed per client. */
  walks: 16,
  /** Resources per client whose attribute names the client was sent (for put-drops-attributes). */
  resources: 10_000,
  /** The same, over all clients of the tenant (the least recently active client forgets first). */
  resourcesPerTenant: 50_000,
  /** Resource ids of the last page of an unfiltered walk kept for lookup-by-listing. */
  pageResources: 1_000,
  /** Recent findings kept per client (counts are kept in full). */
  findingsPerClient: 100,
});

/** A retry delay this long or longer counts as backed off, whatever the delays before it. */
export const BACKED_OFF_MS = 60_000;
/** A later delay must exceed the one before by this factor (plus 10 ms) to count as growing. */
const GROWTH = 1.25;
/** A full unfiltered walk, one create and a new walk within this time: an existence check by listing. */
const LOOKUP_RESTART_MS = 300_000;

/** What arrive() needs from a request; the HTTP layer builds it. */
export interface ArrivingRequest {
  context: RequestScimContext;
  method: string;
  /** The query as the client sent it (parameter names in any case). */
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /**
   * Who the credential stands for when the Authorization header changes under one client (OAuth 2.0: the client
   * id, whose access tokens rotate); absent: the Authorization header is the credential.
   */
  principal?: string;
}

export interface AnalyserOptions {
  tenantId: string;
  clock: Clock;
  /** The tenant's current settings (read on every request: changes apply at once). */
  settings: () => { behaviour: BehaviourConfig; maxPageSize: number };
  /** Whether ServiceProviderConfig advertises ETags (a persona may not); default yes. */
  etagAdvertised?: () => boolean;
  view: ResourceView;
}

export interface RecordedFinding extends BehaviourFinding {
  /** RFC 3339 on the tenant clock, when the request that completed it was recorded. */
  time: string;
  client: string;
}

export interface ClientReport {
  client: string;
  userAgent: string;
  /** The authorization scheme ("Bearer", "Basic") or "none"; the credential itself is never kept. */
  credentials: string;
  firstSeen: string;
  lastSeen: string;
  requests: number;
  findingCounts: Partial<Record<BehaviourCode, number>>;
  /** The most recent findings, oldest first. */
  findings: RecordedFinding[];
}

export interface BehaviourCodeSummary {
  code: BehaviourCode;
  rfc: string;
  informational: boolean;
  count: number;
  /** Clients followed now that drew it. */
  clients: number;
  firstRequestId: string;
  /** The detail of the first occurrence. */
  example: string;
  /** What to change, in one line. */
  fix: string;
}

export interface BehaviourReport {
  tenant: string;
  enabled: boolean;
  disabled: BehaviourCode[];
  retryStorm: BehaviourConfig['retryStorm'];
  totalFindings: number;
  /** Per code, since the analyser was last cleared (reset, DELETE /behaviour). */
  summary: BehaviourCodeSummary[];
  /** Most recently seen first. */
  clients: ClientReport[];
  bounds: typeof BEHAVIOUR_BOUNDS;
  /** What the analyser holds now, summed over clients (each part stays within its bound). */
  state: { clients: number; operations: number; walks: number; resources: number; findings: number };
}

interface Attempt {
  arrived: number;
  id?: string;
  completed?: number;
  status?: number;
  failed?: boolean;
  /** The answer lost (reset, timeout, 5xx): the operation may have happened. */
  lost?: boolean;
  retryAfter?: { until: number; ms: number; raw: string; status: number };
}

/** Kept in a bounded map (see BehaviourAnalyser.touch). */
interface Recent {
  used: number;
}

interface OperationState extends Recent {
  attempts: Attempt[];
  reported: Set<BehaviourCode>;
}

interface PageSeen {
  id: string;
  start: number;
  items: number;
  total: number;
}

interface WalkState extends Recent {
  /** The page reaching furthest into the list of those answered so far. */
  last?: PageSeen;
  /** Recent page requests of this walk (at most IN_FLIGHT_KEPT): those not answered yet are in flight. */
  requests?: Attempt[];
}

/** Page requests of one walk remembered to tell pages fetched in parallel. */
const IN_FLIGHT_KEPT = 16;
/** A page request unanswered for this long no longer counts as in flight. */
const IN_FLIGHT_MS = 60_000;

/** The latest unfiltered index walk of a client, watched for lookup-by-listing. */
interface LookupWatch {
  walkKey: string;
  type: string;
  endpoint: string;
  pages: number;
  pageAttempts: Attempt[];
  lastPage: Set<string>;
  reachedEnd: boolean;
  endedAt: number;
  actions: Attempt[];
  hit?: { id: string };
  created?: boolean;
}

interface Seen extends Recent {
  names: ReadonlySet<string>;
  /** The request that sent it last. */
  by: string;
  /** The last read (GET, list, search) that sent it, with the ETag it had then; a write's answer is no read. */
  read?: { by: string; etag: string | undefined };
}

class ClientState implements Recent {
  used = 0;
  /** The analyser's request count when this client last sent one (orders the report). */
  lastArrival = 0;
  requests = 0;
  readonly ops = new Map<string, OperationState>();
  readonly walks = new Map<string, WalkState>();
  readonly seen = new Map<string, Seen>();
  /** Some resource was dropped from `seen`: a resource not in it may have been sent after all. */
  forgotResources = false;
  sentIfMatch = false;
  ifMatchReported = false;
  lookup: LookupWatch | undefined;
  readonly findings: RecordedFinding[] = [];
  readonly counts = new Map<BehaviourCode, number>();

  constructor(
    readonly key: string,
    readonly userAgent: string,
    readonly credentials: string,
    readonly firstSeen: number,
    public lastSeen: number,
  ) {}
}

/** Raises a finding on the arriving request (unless its code is switched off); `ids` are the earlier requests. */
type Raise = (code: BehaviourCode, detail: string, ids: Array<string | undefined>) => void;

/** What arrive() leaves for complete(), keyed by the request's context object. */
interface Pending {
  client: ClientState;
  attempt: Attempt;
  findings: BehaviourFinding[];
  /** List/search: the walk this page belongs to. */
  walk?: { key: string; state: WalkState; filtered: boolean; endpoint: string; type: string | undefined };
  /** create: the attempts whose answer was lost before this one. */
  lostBefore?: Attempt[];
  createKey?: { attribute: string; value: string | undefined };
  projection?: Projection;
  /** The resource id in the path, if any. */
  id?: string;
  /** The operation's identity (method, path, query or body digest), and its state when this is a retry. */
  opKey: string;
  op?: OperationState;
}

interface Projection {
  attributes?: string[];
  excluded?: string[];
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Query parameters with lower-case names; a repeated parameter keeps its first value. */
const NO_VALUES: ReadonlyMap<string, string> = new Map();

function lowerParams(query: Record<string, unknown>): ReadonlyMap<string, string> {
  const keys = Object.keys(query);
  if (keys.length === 0) return NO_VALUES;
  const out = new Map<string, string>();
  for (const key of keys) {
    const lower = key.toLowerCase();
    if (out.has(lower)) continue;
    const v = query[key];
    const s = Array.isArray(v) ? v[0] : v;
    out.set(lower, typeof s === 'string' ? s : JSON.stringify(s ?? null));
  }
  return out;
}

/** Search-request fields with lower-case names (RFC 7644 3.4.3). */
function lowerFields(body: unknown): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return out;
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas' || out.has(lower)) continue;
    const v = (body as Record<string, unknown>)[key];
    out.set(lower, typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join(',') : JSON.stringify(v ?? null));
  }
  return out;
}

/** Two 32-bit FNV-1a variants side by side: a 64-bit digest, cheap, not cryptographic. */
class Fnv64 {
  private h1 = 0x811c9dc5;
  private h2 = 0x9e3779b9;

  feed(s: string): void {
    let { h1, h2 } = this;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  toString(): string {
    return `${(this.h1 >>> 0).toString(36)}.${(this.h2 >>> 0).toString(36)}`;
  }

  /** 53 of the 64 bits as a number (a Map key that costs no string). */
  toNumber(): number {
    return (this.h1 >>> 0) * 0x200000 + (this.h2 >>> 11);
  }

  /** Starts again from the empty input. */
  reset(): this {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9e3779b9;
    return this;
  }
}

/** The digest clientOf() computes a client's identity with (synchronously, one request at a time). */
const CLIENT_DIGEST = new Fnv64();
/** Where arrive() leaves a request's Pending on its context object, for complete(). */
const PENDING = Symbol('scimulator.behaviour.pending');
type PendingHolder = RequestScimContext & { [PENDING]?: Pending | undefined };

/** A stable 64-bit digest of a JSON value, object keys sorted: operation identities. */
export function digest(value: unknown): string {
  const h = new Fnv64();
  const feed = (s: string) => h.feed(s);
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64) return feed('…');
    if (v === null || typeof v !== 'object') return feed(`${typeof v}:${String(v)};`);
    if (Array.isArray(v)) {
      feed('[');
      for (const x of v) walk(x, depth + 1);
      return feed(']');
    }
    feed('{');
    for (const k of Object.keys(v).sort()) {
      feed(`${k}=`);
      walk((v as Record<string, unknown>)[k], depth + 1);
    }
    feed('}');
  };
  walk(value, 0);
  return h.toString();
}

function canonicalParams(params: ReadonlyMap<string, string>, skip: ReadonlySet<string>): string {
  if (params.size === 0) return '';
  const parts: string[] = [];
  for (const [k, v] of params) if (!skip.has(k)) parts.push(`${k}=${v}`);
  return parts.sort().join('&');
}

const PAGE_PARAMS: ReadonlySet<string> = new Set(['startindex', 'count']);
const NO_PARAMS: ReadonlySet<string> = new Set();

function positiveInt(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*[+-]?\d{1,15}\s*$/.test(raw)) return undefined;
  return Number(raw);
}

function retryAfterMs(raw: string, now: number): number | undefined {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined || v === null) return undefined;
  return String(Array.isArray(v) ? v[0] : v);
}

/** A recorded request as complete() takes it: a JournalEntry, or the journal's cheaper RecordedEntry. */
export type CompletedEntry = JournalEntry | RecordedEntry;

function responseHeader(entry: CompletedEntry, name: string): string | undefined {
  return 'responseHeader' in entry ? entry.responseHeader(name) : header(entry.responseHeaders, name);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;

/** A percent-decoded path segment, as sent when its percent-encoding is malformed. */
function decodedOrAsSent(segment: string): string {
  return decodeSegment(segment) ?? segment;
}

/** The resource id of "/Users/abc" ("abc"), or undefined for any other shape of path. */
function resourceIdOf(relativePath: string): string | undefined {
  const slash = relativePath.indexOf('/', 1);
  if (slash < 0 || relativePath.indexOf('/', slash + 1) >= 0 || slash === relativePath.length - 1) return undefined;
  return decodedOrAsSent(relativePath.slice(slash + 1));
}

/** attributes / excludedAttributes of a read, or undefined when it has neither. */
function projectionOf(params: ReadonlyMap<string, string>): Projection | undefined {
  if (params.size === 0) return undefined;
  const attributes = parseList(params.get('attributes'));
  const excluded = parseList(params.get('excludedattributes'));
  return attributes || excluded ? { attributes, excluded } : undefined;
}

function endpointOf(relativePath: string): string {
  const parts = relativePath.split('/').filter(Boolean);
  return parts.length > 0 && parts[0] !== '.search' ? `/${parts[0]}` : '/';
}

const CORE_URN_PREFIX = 'urn:ietf:params:scim:schemas:core:';

/** An attributes / excludedAttributes list, lower-cased, core-URN-qualified paths unqualified. */
function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => {
      const path = s.trim().toLowerCase();
      return path.startsWith(CORE_URN_PREFIX) ? path.slice(path.lastIndexOf(':') + 1) : path;
    })
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** Whether a projection (attributes / excludedAttributes) lets a canonical attribute name through. */
function projected(name: string, p: Projection | undefined): boolean {
  if (!p) return true;
  const lower = name.toLowerCase();
  const names = (path: string) => lower === path || path.startsWith(`${lower}.`) || lower.startsWith(`${path}:`);
  if (p.attributes) return p.attributes.some(names);
  if (p.excluded) return !p.excluded.some((path) => lower === path || lower.startsWith(`${path}:`));
  return true;
}

export class BehaviourAnalyser {
  /** By a 53-bit digest of tenant, credentials and User-Agent. */
  private readonly clients = new Map<number, ClientState>();
  /** Insertions and moves so far (see touch). */
  private tick = 0;
  /** Requests followed so far. */
  private arrivals = 0;
  /** Resources remembered over all clients (BEHAVIOUR_BOUNDS.resourcesPerTenant). */
  private resourcesHeld = 0;
  /** For a context that cannot take a property (PENDING), else unused. */
  private readonly pending = new WeakMap<RequestScimContext, Pending>();
  private readonly totals = new Map<BehaviourCode, { count: number; firstRequestId: string; example: string }>();
  private total = 0;

  constructor(private readonly options: AnalyserOptions) {}

  /**
   * A request arrives: follows its client and returns the findings already known (also set on
   * `context.findings`). Their `requestIds` name the earlier requests; complete() adds this one's id.
   */
  arrive(req: ArrivingRequest): BehaviourFinding[] {
    const { behaviour, maxPageSize } = this.options.settings();
    if (!behaviour.enabled) return [];
    const now = this.options.clock.now();
    const { context } = req;
    const client = this.clientOf(req, now);
    const method = req.method.toUpperCase();
    const findings: BehaviourFinding[] = [];
    const raise: Raise = (code, detail, ids) => {
      if (behaviour.disabled.includes(code)) return;
      findings.push({ code, rfc: BEHAVIOUR_CODE_INFO[code].rfc, detail, requestIds: ids.filter((id): id is string => id !== undefined) });
    };

    const operation = context.operation;
    const isList = operation === 'list' || operation === 'search';
    const queryParams = lowerParams(req.query);
    const params = isList && method === 'POST' ? lowerFields(req.body) : queryParams;
    const label = `${method} ${context.relativePath}`;

    // ---- Retries: the same operation again after a failure.
    let key = label;
    let createKey: Pending['createKey'];
    if (operation === 'create' && context.resourceType) {
      createKey = this.options.view.lookupKey(context.resourceType, req.body);
      key += createKey.value !== undefined ? ` ${createKey.attribute}=${createKey.value}` : ` #${digest(req.body)}`;
    } else {
      if (method === 'GET' || method === 'HEAD' || method === 'DELETE') key += `?${canonicalParams(queryParams, NO_PARAMS)}`;
      if (req.body !== undefined) key += ` #${digest(req.body)}`;
    }
    // Only operations whose last attempt failed are kept: a retry finds its operation, a first attempt finds none.
    const op = client.ops.size > 0 ? client.ops.get(key) : undefined;
    const last = op?.attempts[op.attempts.length - 1];
    const attempt: Attempt = { arrived: now };
    const pending: Pending = { client, attempt, findings, opKey: key };
    if (op && last?.completed !== undefined && last.failed) {
      this.touch(client.ops, key, BEHAVIOUR_BOUNDS.operations, () => op);
      pending.op = op;
      const ra = last.retryAfter;
      if (ra && now < ra.until) {
        raise(
          'retry-before-retry-after',
          `${label} was sent again ${seconds(now - last.completed)} after ${last.id} answered ${ra.status} with Retry-After: ${ra.raw}, ` +
            `${seconds(ra.until - now)} too early; wait at least what Retry-After says before repeating a request`,
          [last.id],
        );
      }
      op.attempts.push(attempt);
      const keep = Math.max(4, behaviour.retryStorm.limit + 1);
      if (op.attempts.length > keep) op.attempts.splice(0, op.attempts.length - keep);
      this.checkBackoff(op, label, raise);
      this.checkStorm(op, now, label, behaviour, raise);
      if (operation === 'create') pending.lostBefore = op.attempts.filter((a) => a !== attempt && a.lost);
    }
    if (createKey) pending.createKey = createKey;

    // ---- Lists: count above the maximum, page walks, lookups by listing.
    if (isList) {
      const count = positiveInt(params.get('count'));
      if (count !== undefined && count > maxPageSize) {
        raise(
          'count-above-max',
          `count=${count} is above the ${maxPageSize} this service advertises (ServiceProviderConfig filter.maxResults), so pages hold at most ${maxPageSize}; ` +
            `ask for at most ${maxPageSize} and advance startIndex by the itemsPerPage returned`,
          [],
        );
      }
      if (!params.has('cursor')) this.walkArrives(pending, context, method, params, now, label, raise);
      pending.projection = projectionOf(params);
    } else if (operation === 'get') {
      pending.projection = projectionOf(params);
    }

    // ---- Single resources: lookups by listing, If-Match, PUT data loss.
    const type = context.resourceType;
    const id = isList || operation === 'create' ? undefined : resourceIdOf(context.relativePath);
    pending.id = id;
    const isUpdate = operation === 'replace' || operation === 'patch' || operation === 'delete';
    if (type && (operation === 'get' || isUpdate || operation === 'create')) this.lookupAction(client, type, operation === 'create' ? undefined : id, attempt);
    if (type && id !== undefined && isUpdate) {
      const ifMatch = first(req.headers['if-match']);
      const seen = client.seen.get(`${type}/${id}`);
      // An empty If-Match is sent too: an empty list of tags, which matches no version (412, RFC 9110 13.1.1).
      if (ifMatch !== undefined) client.sentIfMatch = true;
      else if (!client.sentIfMatch && !client.ifMatchReported && seen?.read?.etag !== undefined && (this.options.etagAdvertised?.() ?? true)) {
        client.ifMatchReported = true;
        raise(
          'if-match-unused',
          `${label} has no If-Match although ${seen.read.by} gave this client the resource with ETag ${seen.read.etag} and ServiceProviderConfig advertises etag support; ` +
            `send If-Match: <the ETag you read> on PUT, PATCH and DELETE so that a concurrent change is a 412 instead of being overwritten (informational; raised once per client)`,
          [seen.read.by],
        );
      }
      if (operation === 'replace' && typeof req.body === 'object' && req.body !== null) this.checkPutDrops(client, type, id, req.body, seen, ifMatch, label, raise);
    }

    if (findings.length > 0) context.findings = findings;
    this.setPending(context, pending);
    return findings;
  }

  /**
   * A journal entry was recorded: completes its request's state and findings. It reads only what a RecordedEntry
   * has, so it can listen with Journal.subscribeRecorded (no JournalEntry made per request).
   */
  complete(entry: CompletedEntry, context: RequestScimContext | undefined): void {
    const p = context && this.takePending(context);
    if (!p) return;
    const now = this.options.clock.now();
    const { client, attempt } = p;
    const entryId = entry.id;
    entry.client = client.key;
    attempt.id = entryId;
    attempt.completed = now;
    attempt.status = entry.status;
    const status = entry.status;
    const noAnswer = entry.outcome !== 'completed' || status === 0;
    attempt.failed = noAnswer || status === 408 || status === 429 || status >= 500;
    attempt.lost = noAnswer || status === 408 || status >= 500;
    if (status === 429 || status === 503) {
      const raw = responseHeader(entry, 'retry-after');
      const ms = raw === undefined ? undefined : retryAfterMs(raw, now);
      if (raw !== undefined && ms !== undefined) attempt.retryAfter = { until: now + ms, ms, raw, status };
    }
    if (attempt.failed) {
      const op = p.op ?? this.touch(client.ops, p.opKey, BEHAVIOUR_BOUNDS.operations, (): OperationState => ({ attempts: [attempt], reported: new Set(), used: 0 }));
      if (!op.attempts.includes(attempt)) op.attempts.push(attempt); // a concurrent twin failed first
    } else if (client.ops.size > 0 && client.ops.has(p.opKey)) client.ops.delete(p.opKey); // it succeeded: no longer a failing operation
    const settings = this.options.settings().behaviour;
    const findings = p.findings;
    for (const f of findings) f.requestIds.push(entryId);

    // post-retry-duplicate: a create whose answer was lost, retried into 409.
    if (status === 409 && p.lostBefore && p.lostBefore.length > 0 && !settings.disabled.includes('post-retry-duplicate')) {
      const lost = p.lostBefore;
      const what = (a: Attempt) => `${a.id} (${a.status === 0 || a.status === undefined ? 'no answer: connection reset or timed out' : a.status})`;
      const key = p.createKey?.value !== undefined ? `${p.createKey.attribute} "${p.createKey.value}"` : 'the same body';
      const filter = p.createKey ? `GET ${endpointOf(entry.relativePath)}?filter=${p.createKey.attribute} eq "..."` : 'a GET';
      findings.push({
        code: 'post-retry-duplicate',
        rfc: BEHAVIOUR_CODE_INFO['post-retry-duplicate'].rfc,
        detail:
          `POST ${entry.relativePath} for ${key} was retried after ${lost.map(what).join(', ')} and met 409: the earlier attempt had created it. ` +
          `When a create gets no answer or a 5xx, look the resource up (${filter}) before sending it again, and treat 409 uniqueness after such a retry as "already created"`,
        requestIds: [...lost.map((a) => a.id!), entryId],
      });
    }

    if (status >= 200 && status < 300 && context) this.learn(p, entry, entryId, context, now);
    if (findings.length > 0) {
      entry.findings = findings;
      for (const f of findings) this.keep(client, f, entry.time);
    }
  }

  /** Everything the analyser knows, for GET /_mock/behaviour. */
  report(): BehaviourReport {
    const { behaviour } = this.options.settings();
    const iso = (ms: number) => new Date(ms).toISOString();
    const sum = (of: (c: ClientState) => number) => [...this.clients.values()].reduce((n, c) => n + of(c), 0);
    const clients = [...this.clients.values()].sort((a, b) => b.lastArrival - a.lastArrival).map(
      (c): ClientReport => ({
        client: c.key,
        userAgent: c.userAgent,
        credentials: c.credentials,
        firstSeen: iso(c.firstSeen),
        lastSeen: iso(c.lastSeen),
        requests: c.requests,
        findingCounts: Object.fromEntries(c.counts),
        findings: c.findings.map((f) => ({ ...f, requestIds: [...f.requestIds] })),
      }),
    );
    const summary: BehaviourCodeSummary[] = [];
    for (const code of BEHAVIOUR_CODES) {
      const t = this.totals.get(code);
      if (!t) continue;
      const info = BEHAVIOUR_CODE_INFO[code];
      const clients = sum((c) => (c.counts.has(code) ? 1 : 0));
      summary.push({ code, rfc: info.rfc, informational: info.informational, count: t.count, clients, firstRequestId: t.firstRequestId, example: t.example, fix: info.fix });
    }
    return {
      tenant: this.options.tenantId,
      enabled: behaviour.enabled,
      disabled: [...behaviour.disabled],
      retryStorm: { ...behaviour.retryStorm },
      totalFindings: this.total,
      summary,
      clients,
      bounds: BEHAVIOUR_BOUNDS,
      state: {
        clients: this.clients.size,
        operations: sum((c) => c.ops.size),
        walks: sum((c) => c.walks.size),
        resources: sum((c) => c.seen.size),
        findings: sum((c) => c.findings.length),
      },
    };
  }

  /** The codes this tenant does not raise now (all of them while the analyser is off). */
  codesOff(): ReadonlySet<BehaviourCode> {
    const { behaviour } = this.options.settings();
    return new Set(behaviour.enabled ? behaviour.disabled : BEHAVIOUR_CODES);
  }

  /** Forgets every client and finding (the journal entries keep theirs). */
  clear(): void {
    this.clients.clear();
    this.resourcesHeld = 0;
    this.totals.clear();
    this.total = 0;
  }

  // ---- internals

  private setPending(context: RequestScimContext, pending: Pending): void {
    if (Object.isExtensible(context)) (context as PendingHolder)[PENDING] = pending;
    else this.pending.set(context, pending);
  }

  /** The Pending arrive() left for this context, once. */
  private takePending(context: RequestScimContext): Pending | undefined {
    const holder = context as PendingHolder;
    const p = holder[PENDING];
    if (p !== undefined) {
      holder[PENDING] = undefined;
      return p;
    }
    const kept = this.pending.get(context);
    if (kept !== undefined) this.pending.delete(context);
    return kept;
  }

  /**
   * The client of a request. Clients are found by a 64-bit digest of credential and User-Agent (kept in memory
   * only); the id shown is a SHA-256 prefix, computed once per client. Neither is the credential.
   */
  private clientOf(req: ArrivingRequest, now: number): ClientState {
    const authorization = first(req.headers.authorization) ?? '';
    const userAgent = (first(req.headers['user-agent']) ?? '').slice(0, 200);
    // The digest of `${tenantId}\0${credential}\0${userAgent}`, fed in parts (the string is made for a new client only).
    const credential = req.principal ?? authorization;
    const digest64 = CLIENT_DIGEST.reset();
    digest64.feed(this.options.tenantId);
    digest64.feed('\u0000');
    digest64.feed(credential);
    digest64.feed('\u0000');
    digest64.feed(userAgent);
    const client = this.touch(this.clients, digest64.toNumber(), BEHAVIOUR_BOUNDS.clients, () => {
      const identity = `${this.options.tenantId}\u0000${credential}\u0000${userAgent}`;
      const key = `c-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
      const scheme = authorization.trim().split(/\s+/)[0] ?? '';
      return new ClientState(key, userAgent, scheme === '' ? 'none' : scheme.slice(0, 20), now, now);
    }, (evicted) => (this.resourcesHeld -= evicted.seen.size));
    client.lastSeen = now;
    client.lastArrival = ++this.arrivals;
    client.requests++;
    return client;
  }

  /**
   * The value under `key`, created if missing; beyond `bound` entries the least recently used goes (`onEvict`).
   * Approximately: a map keeps insertion order and a used entry moves to the end only once it is half a bound of
   * insertions old, so a hot key costs a lookup and nothing else (moving on every use churns the map's table).
   */
  private touch<K, V extends Recent>(map: Map<K, V>, key: K, bound: number, create: () => V, onEvict?: (evicted: V) => void): V {
    let value = map.get(key);
    if (value === undefined) {
      value = create();
      if (map.size >= bound) {
        const [oldest, evicted] = map.entries().next().value as [K, V];
        map.delete(oldest);
        onEvict?.(evicted);
      }
    } else if (this.tick - value.used > bound >> 1) map.delete(key);
    else return value;
    value.used = ++this.tick;
    map.set(key, value);
    return value;
  }

  private checkBackoff(op: OperationState, label: string, raise: Raise): void {
    const a = op.attempts;
    if (a.length < 4 || op.reported.has('retry-without-backoff')) return;
    const last4 = a.slice(-4);
    const gaps: number[] = [];
    let honoured = true;
    for (let i = 1; i < 4; i++) {
      const before = last4[i - 1]!;
      if (before.completed === undefined) return;
      const gap = last4[i]!.arrived - before.completed;
      gaps.push(gap);
      if (!before.retryAfter || gap < before.retryAfter.ms) honoured = false;
    }
    const grows = (x: number, y: number) => y > x * GROWTH + 10;
    if (honoured || grows(gaps[0]!, gaps[1]!) || grows(gaps[1]!, gaps[2]!) || gaps[2]! >= BACKED_OFF_MS) return;
    op.reported.add('retry-without-backoff');
    raise(
      'retry-without-backoff',
      `${label} was retried ${a.length - 1} times after failures with delays of ${gaps.map((g) => `${g} ms`).join(', ')} (on the tenant clock) that do not grow; ` +
        `back off between retries (exponential backoff with jitter, honouring Retry-After where given)`,
      last4.slice(0, 3).map((x) => x.id),
    );
  }

  private checkStorm(op: OperationState, now: number, label: string, behaviour: BehaviourConfig, raise: Raise): void {
    if (op.reported.has('retry-storm')) return;
    const { limit, windowSeconds } = behaviour.retryStorm;
    const inWindow = op.attempts.filter((x) => x.arrived > now - windowSeconds * 1000);
    if (inWindow.length <= limit) return;
    op.reported.add('retry-storm');
    raise(
      'retry-storm',
      `${label} was sent ${inWindow.length} times within ${windowSeconds} s while it kept failing (the storm limit is ${limit}); ` +
        `cap the retries of one request and give up, or queue it for later, after a few failures`,
      inWindow.slice(0, -1).map((x) => x.id),
    );
  }

  private walkArrives(
    pending: Pending,
    context: RequestScimContext,
    method: string,
    params: ReadonlyMap<string, string>,
    now: number,
    label: string,
    raise: Raise,
  ): void {
    const client = pending.client;
    const walkKey = `${method} ${context.relativePath.toLowerCase()}?${canonicalParams(params, PAGE_PARAMS)}`;
    const filter = params.get('filter');
    const filtered = filter !== undefined && filter.trim() !== '';
    // A filtered list of the watched type: this client looks resources up by filter, so what it does after an
    // unfiltered walk is no lookup by listing.
    if (filtered && client.lookup && client.lookup.type === context.resourceType) client.lookup = undefined;
    const start = Math.max(1, positiveInt(params.get('startindex')) ?? 1);
    let state = client.walks.get(walkKey);
    if (start === 1 || !state) {
      if (start === 1) this.lookupRestart(client, walkKey, now, raise);
      state = { used: 0 };
      client.walks.delete(walkKey);
    } else if (state.last && !state.requests?.some((a) => a.completed === undefined && now - a.arrived < IN_FLIGHT_MS)) {
      // Judged only when no earlier page of this walk is still in flight: pages fetched in parallel arrive in any
      // order, and none of them is a gap or an overlap.
      const prev = state.last;
      const expected = prev.start + prev.items;
      const pageText = `${prev.id} returned ${prev.items === 0 ? 'no resources' : `resources ${prev.start}-${expected - 1}`} of ${prev.total} (startIndex ${prev.start}, itemsPerPage ${prev.items})`;
      if (start > expected && expected <= prev.total) {
        raise(
          'pagination-gap',
          `${label} asks for startIndex=${start} after ${pageText}: resources ${expected}-${Math.min(start - 1, prev.total)} are never fetched; ` +
            `the next startIndex is the previous startIndex plus the itemsPerPage returned (${expected}), not plus the count asked for`,
          [prev.id],
        );
      } else if (start < expected) {
        raise(
          'pagination-overlap',
          `${label} asks for startIndex=${start} after ${pageText}: resources ${start}-${expected - 1} are fetched again; ` +
            `startIndex is 1-based and counts resources, not pages: the next one is ${expected}`,
          [prev.id],
        );
      }
    }
    const walk = state;
    const requests = (walk.requests ??= []);
    requests.push(pending.attempt);
    if (requests.length > IN_FLIGHT_KEPT) requests.splice(0, requests.length - IN_FLIGHT_KEPT);
    this.touch(client.walks, walkKey, BEHAVIOUR_BOUNDS.walks, () => walk);
    pending.walk = { key: walkKey, state, filtered, endpoint: endpointOf(context.relativePath), type: context.resourceType };
  }

  /** A new walk starts: was the previous one of the same list a lookup? */
  private lookupRestart(client: ClientState, walkKey: string, now: number, raise: Raise): void {
    const w = client.lookup;
    if (!w || w.walkKey !== walkKey) return;
    client.lookup = undefined;
    if (w.pages < 2 || w.actions.length === 0) return;
    const abandoned = w.hit !== undefined && !w.reachedEnd;
    const checkedThenCreated = w.created === true && w.reachedEnd && now - w.endedAt <= LOOKUP_RESTART_MS;
    if (!abandoned && !checkedThenCreated) return;
    const attribute = this.options.view.lookupKey(w.type, undefined).attribute;
    const value = abandoned ? this.options.view.lookupValue(w.type, w.hit!.id) : undefined;
    const what = abandoned
      ? `stopped at the page holding ${w.hit!.id}${value !== undefined ? ` (${attribute} "${value}")` : ''}, acted on it`
      : 'read to the end, created a resource';
    raise(
      'lookup-by-listing',
      `the client walked ${w.pages} pages of ${w.endpoint} without a filter, ${what}, and is walking the list again; ` +
        `find one resource with GET ${w.endpoint}?filter=${attribute} eq "${value ?? '...'}" (one request, answered from an index) instead (informational)`,
      [...w.pageAttempts.map((a) => a.id), ...w.actions.map((a) => a.id)],
    );
  }

  /** A single-resource request of `type` after an unfiltered walk: part of a lookup, or a sync doing its work. */
  private lookupAction(client: ClientState, type: string, id: string | undefined, attempt: Attempt): void {
    const w = client.lookup;
    if (!w || w.type !== type) return;
    if (w.actions.length >= 3) {
      client.lookup = undefined; // many operations after one walk: a sync, not a lookup
      return;
    }
    w.actions.push(attempt);
    if (id === undefined) w.created = true;
    else if (w.lastPage.has(id)) w.hit = { id };
  }

  private checkPutDrops(
    client: ClientState,
    type: string,
    id: string,
    body: unknown,
    seen: Seen | undefined,
    ifMatch: string | undefined,
    label: string,
    raise: Raise,
  ): void {
    const facts = this.options.view.facts(type, id);
    if (!facts || (!seen && client.forgotResources)) return;
    // An If-Match the stored version does not match: the PUT is refused with 412 and clears nothing.
    // (An empty If-Match is an empty list of tags: it matches nothing, so that PUT is refused too.)
    if (ifMatch !== undefined && facts.version !== undefined && (this.options.etagAdvertised?.() ?? true) && !etagMatches(ifMatch, facts.version)) return;
    const sent = this.options.view.bodyNames(type, body);
    const dropped = [...facts.names].filter((n) => !sent.has(n) && !seen?.names.has(n));
    if (dropped.length === 0) return;
    const read = seen ? `of this resource it was sent only ${[...seen.names].join(', ') || 'attributes a PUT cannot clear'}, last by ${seen.by}` : 'this client was never sent this resource';
    raise(
      'put-drops-attributes',
      `${label} omits ${dropped.join(', ')}, which the stored resource has and which this client was never sent (${read}): the PUT clears them; ` +
        `GET the resource and send it back whole with your changes, or change only what you mean to with PATCH`,
      [seen?.by],
    );
  }

  /** A 2xx response: what the client now knows (resources and their attribute names, a page of a walk). */
  private learn(p: Pending, entry: CompletedEntry, entryId: string, context: RequestScimContext, now: number): void {
    const { client } = p;
    const type = context.resourceType;
    const page = context.page;
    if (p.walk && page && page.startIndex !== undefined) {
      const seenPage: PageSeen = { id: entryId, start: page.startIndex, items: page.itemsPerPage, total: page.totalResults };
      const last = p.walk.state.last;
      // Pages answered out of order (fetched in parallel): the walk has reached the furthest of them.
      if (!last || seenPage.start + seenPage.items >= last.start + last.items) p.walk.state.last = seenPage;
      if (!p.walk.filtered && p.walk.type) {
        let w = client.lookup;
        if (!w || w.walkKey !== p.walk.key || seenPage.start === 1) {
          w = { walkKey: p.walk.key, type: p.walk.type, endpoint: p.walk.endpoint, pages: 0, pageAttempts: [], lastPage: new Set(), reachedEnd: false, endedAt: now, actions: [] };
          client.lookup = w;
        }
        w.pages++;
        if (w.pageAttempts.length < 20) w.pageAttempts.push(p.attempt);
        w.lastPage = new Set(page.resources.slice(0, BEHAVIOUR_BOUNDS.pageResources).map((r) => r.id));
        w.reachedEnd = seenPage.start + seenPage.items - 1 >= seenPage.total;
        w.endedAt = now;
        w.actions = [];
        w.hit = undefined;
        w.created = undefined;
      }
    }
    if (context.operation === 'delete' && type && p.id !== undefined) {
      this.forgetResource(type, p.id);
      return;
    }
    if (entry.method === 'HEAD' || entry.status === 204) return;
    if (page) {
      for (const r of page.resources) this.sawResource(client, r.type, r.id, entryId, p.projection, true);
      return;
    }
    if (!type) return;
    const op = context.operation;
    let id: string | undefined;
    if (op === 'create' && entry.status === 201) {
      const location = responseHeader(entry, 'location');
      id = location === undefined ? undefined : decodedOrAsSent(location.slice(location.lastIndexOf('/') + 1));
    } else if (op === 'get' || op === 'replace' || op === 'patch') id = p.id;
    if (id !== undefined) this.sawResource(client, type, id, entryId, op === 'get' ? p.projection : undefined, op === 'get');
  }

  private sawResource(client: ClientState, type: string, id: string, by: string, projection: Projection | undefined, read: boolean): void {
    const facts = this.options.view.facts(type, id);
    if (!facts) return;
    let names = facts.names;
    if (projection) names = new Set([...names].filter((n) => projected(n, projection)));
    const held = client.seen.size;
    const seen = this.touch(
      client.seen,
      `${type}/${id}`,
      BEHAVIOUR_BOUNDS.resources,
      (): Seen => ({ names, by, used: 0 }),
      () => (client.forgotResources = true),
    );
    if (client.seen.size > held && ++this.resourcesHeld > BEHAVIOUR_BOUNDS.resourcesPerTenant) this.forgetOneResource();
    if (seen.names !== names) {
      // What the client was ever sent: the union of what it read.
      let grows = false;
      for (const n of names) if (!seen.names.has(n)) grows = true;
      if (grows) seen.names = new Set([...seen.names, ...names]);
    }
    seen.by = by;
    if (!read) return;
    if (seen.read) {
      seen.read.by = by;
      seen.read.etag = facts.version;
    } else seen.read = { by, etag: facts.version };
  }

  /**
   * A resource was deleted: what any client was sent of it no longer matters (a PUT to it is a 404). Without this,
   * a client that creates and deletes keeps up to its bound of dead resources (~3 MB for 10,000).
   */
  private forgetResource(type: string, id: string): void {
    const key = `${type}/${id}`;
    for (const c of this.clients.values()) if (c.seen.delete(key)) this.resourcesHeld--;
  }

  /** Over the tenant's budget: the least recently active client holding resources forgets its oldest one. */
  private forgetOneResource(): void {
    let idlest: ClientState | undefined;
    for (const c of this.clients.values()) if (c.seen.size > 0 && (!idlest || c.lastArrival < idlest.lastArrival)) idlest = c;
    if (!idlest) return;
    idlest.seen.delete(idlest.seen.keys().next().value as string);
    idlest.forgotResources = true;
    this.resourcesHeld--;
  }

  private keep(client: ClientState, finding: BehaviourFinding, time: string): void {
    const code = finding.code as BehaviourCode;
    const recorded: RecordedFinding = { ...finding, requestIds: [...finding.requestIds], time, client: client.key };
    client.findings.push(recorded);
    if (client.findings.length > BEHAVIOUR_BOUNDS.findingsPerClient) client.findings.shift();
    client.counts.set(code, (client.counts.get(code) ?? 0) + 1);
    this.total++;
    let t = this.totals.get(code);
    if (!t) this.totals.set(code, (t = { count: 0, firstRequestId: finding.requestIds[finding.requestIds.length - 1] ?? '', example: finding.detail }));
    t.count++;
  }
}
