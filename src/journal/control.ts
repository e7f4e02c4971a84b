/**
 * The journal part of the control API (mounted under /_mock and /_mock/tenants/{id}):
 *   GET    /requests               ?method=GET&operation=patch&status=4xx&since=12&limit=5&hasWarnings=true&text=bjensen
 *                                   &response=none (entries without responseHeaders and responseBody; `text` still searches them)
 *   GET    /requests/:id
 *   DELETE /requests               204
 *   POST   /requests/count         body = query            -> { count }
 *   POST   /requests/find          body = query            -> { requests, count, lastSeq }
 *   GET    /requests/export        ?format=ndjson|har&...   (attachment)
 *   GET    /requests/wait          ?since=N&timeoutMs=5000&...  long-poll: 200 with the entry, 408 on timeout, 503 on shutdown, 404 when the tenant is deleted
 *   GET    /requests/stream        ?since=N|tail=N&limit=&timeoutMs=&response=none&...  Server-Sent Events (stream.ts)
 *   GET    /conformance            the conformance summary; ?format=json|junit|text: the conformance report
 * Errors: { "error": "...", "field"?: "..." } with 400 or 404. The body is parsed in front of it (controlLimits, src/http/limits.ts).
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import {
  journalEntryJson,
  JournalQueryError,
  JournalTimeoutError,
  validateJournalQuery,
  type Journal,
  type JournalQuery,
} from './journal.js';
import { conformanceReport, REPORT_CONTENT_TYPES, REPORT_FORMATS, renderReport, type ConformanceReportSource, type ReportFormat } from './report.js';
import { streamJournal } from './stream.js';

export const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
export const MAX_WAIT_TIMEOUT_MS = 60_000;

const LIST_FIELDS = new Set(['method', 'operation', 'status']);
const STRING_FIELDS = new Set(['path', 'resourceType', 'from', 'to', 'warningCode', 'findingCode', 'order', 'text']);
const INT_FIELDS = new Set(['since', 'limit']);

function single(field: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) {
    throw new JournalQueryError(field, `${field} may be given only once in the query string`);
  }
  throw new JournalQueryError(field, `${field} must be a plain query-string value`);
}

/** A non-negative integer query parameter (undefined when absent). */
function nonNegative(field: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const s = single(field, raw).trim();
  if (!/^\d+$/.test(s)) throw new JournalQueryError(field, `${field} must be a non-negative integer, got ${JSON.stringify(s)}`);
  return Number(s);
}

function bool(field: string, s: string): boolean {
  const v = s.toLowerCase();
  if (v === 'true' || v === '1' || v === '') return true;
  if (v === 'false' || v === '0') return false;
  throw new JournalQueryError(field, `${field} must be true or false, got ${JSON.stringify(s)}`);
}

/**
 * Turns query-string parameters into a journal query. Lists are comma-separated or repeated
 * (`status=4xx,500`, `operation=patch&operation=create`); `body` is a JSON-encoded body match;
 * `fault` is true, false or a rule id. Parameters named in `extra` are skipped (the caller reads them).
 * Throws JournalQueryError naming the field.
 */
export function journalQueryFromParams(params: Record<string, unknown>, extra: readonly string[] = []): JournalQuery {
  const q: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => Object.defineProperty(q, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(params)) {
    if (extra.includes(key)) continue;
    const raw = params[key];
    if (LIST_FIELDS.has(key)) {
      const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => {
        if (typeof v !== 'string') throw new JournalQueryError(key, `${key} must be a plain query-string value`);
        return v.split(',').map((s) => s.trim());
      });
      const values = key === 'status' ? parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : parts;
      set(key, values.length === 1 ? values[0] : values);
    } else if (STRING_FIELDS.has(key)) {
      set(key, single(key, raw));
    } else if (INT_FIELDS.has(key)) {
      set(key, nonNegative(key, raw));
    } else if (key === 'hasWarnings' || key === 'hasFindings') {
      set(key, bool(key, single(key, raw)));
    } else if (key === 'fault') {
      const s = single(key, raw);
      set(key, /^(true|false)$/i.test(s) ? s.toLowerCase() === 'true' : s);
    } else if (key === 'body') {
      const s = single(key, raw);
      try {
        set(key, JSON.parse(s) as unknown);
      } catch {
        throw new JournalQueryError('body', 'body must be a JSON-encoded match such as {"path":"Operations[*].op","equals":"add"}');
      }
    } else {
      // Unknown: let validation produce the message that lists the valid fields.
      set(key, raw);
    }
  }
  validateJournalQuery(q);
  return q;
}

/** What `response` asks: entries whole ("full", the default) or without responseHeaders and responseBody ("none"). */
function responseParam(params: Record<string, unknown>): 'full' | 'none' {
  const response = params.response === undefined ? 'full' : single('response', params.response);
  if (response !== 'full' && response !== 'none') throw new JournalQueryError('response', 'response must be "full" (the default) or "none" (entries without responseHeaders and responseBody)');
  return response;
}

/** What `response=none` leaves out of each entry. */
const RESPONSE_KEYS: ReadonlySet<string> = new Set(['responseHeaders', 'responseBody']);

function sendError(res: Response, status: number, error: string, field?: string): void {
  res.status(status).json(field === undefined ? { error } : { error, field });
}

function queryFromBody(req: Request): JournalQuery {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new JournalQueryError('query', 'the request body must be a JSON object holding a journal query (or be empty)');
  }
  validateJournalQuery(body);
  return body;
}

/**
 * GET /requests/stream: where the live feed starts (`since`, the SSE `Last-Event-ID` header, or the last `tail`
 * matching entries; default: only what comes next), which entries it carries (the journal filters) and when it
 * ends (`limit` entries, `timeoutMs`; default: when the client leaves).
 */
function streamRequests(journal: Journal, req: Request, res: Response, signal: AbortSignal | undefined): void {
  const params = req.query as Record<string, unknown>;
  const query = journalQueryFromParams(params, ['timeoutMs', 'tail', 'response']);
  const response = responseParam(params);
  if (query.order !== undefined) throw new JournalQueryError('order', 'order is not a stream parameter: a stream is always in seq order');
  const timeoutMs = nonNegative('timeoutMs', params.timeoutMs);
  const tail = nonNegative('tail', params.tail);
  const lastEventId = req.get('last-event-id');
  let since = query.since;
  if (since === undefined && lastEventId !== undefined && /^\d+$/.test(lastEventId.trim())) since = Number(lastEventId.trim());
  if (tail !== undefined) {
    if (since !== undefined) throw new JournalQueryError('tail', 'give since (or Last-Event-ID) or tail, not both');
    const { limit: _limit, ...conditions } = query;
    const newest = tail === 0 ? [] : journal.find({ ...conditions, order: 'desc', limit: Math.min(tail, journal.capacity) });
    since = newest.length ? newest[newest.length - 1].seq - 1 : journal.lastSeq;
  }
  streamJournal(journal, req, res, {
    since: since ?? journal.lastSeq,
    matches: journal.matcher({ ...query, since: undefined, limit: undefined }),
    response,
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Router for the journal endpoints; `resolve` gives the journal of the tenant the request addresses, `reportSources`
 * the tenants a conformance report covers (default: that journal alone, as tenant "default"); `stopping` ends open
 * streams (the server is shutting down).
 */
export function requestsControlRouter(
  resolve: (req: Request) => Journal,
  reportSources: (req: Request) => ConformanceReportSource[] = (req) => [{ tenant: 'default', journal: resolve(req), recording: true }],
  { stopping }: { stopping?: AbortSignal } = {},
): Router {
  const router = Router();

  router.get('/requests', (req, res) => {
    const journal = resolve(req);
    const params = req.query as Record<string, unknown>;
    const query = journalQueryFromParams(params, ['response']);
    const response = responseParam(params);
    const { entries, count } = journal.listWithCount(query);
    if (response === 'full') {
      res.json({ requests: entries, count, lastSeq: journal.lastSeq });
      return;
    }
    // Without responses (what the dashboard's text search asks for): made as the stream makes its entries, without
    // reading the response bodies at all.
    const texts = entries.map((e) => journalEntryJson(e, RESPONSE_KEYS));
    res.type('application/json').send(`{"requests":[${texts.join(',')}],"count":${count},"lastSeq":${journal.lastSeq}}`);
  });

  router.delete('/requests', (req, res) => {
    resolve(req).clear();
    res.status(204).end();
  });

  router.post('/requests/count', (req, res) => {
    const journal = resolve(req);
    res.json({ count: journal.count(queryFromBody(req)) });
  });

  router.post('/requests/find', (req, res) => {
    const journal = resolve(req);
    const query = queryFromBody(req);
    const { entries, count } = journal.listWithCount(query);
    res.json({ requests: entries, count, lastSeq: journal.lastSeq });
  });

  router.get('/requests/export', (req, res) => {
    const journal = resolve(req);
    const params = req.query as Record<string, unknown>;
    const format = params.format === undefined ? 'ndjson' : params.format;
    if (format !== 'ndjson' && format !== 'har') {
      sendError(res, 400, 'format must be "ndjson" or "har"', 'format');
      return;
    }
    const query = journalQueryFromParams(params, ['format']);
    if (format === 'ndjson') {
      res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="scimulator-requests.ndjson"');
      res.send(journal.toNdjson(query));
    } else {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="scimulator-requests.har"');
      res.send(JSON.stringify(journal.toHar(query)));
    }
  });

  router.get('/requests/wait', async (req, res) => {
    const journal = resolve(req);
    const params = req.query as Record<string, unknown>;
    let timeoutMs = DEFAULT_WAIT_TIMEOUT_MS;
    if (params.timeoutMs !== undefined) {
      const s = single('timeoutMs', params.timeoutMs).trim();
      if (!/^\d+$/.test(s)) {
        sendError(res, 400, `timeoutMs must be a non-negative integer (milliseconds, at most ${MAX_WAIT_TIMEOUT_MS}), got ${JSON.stringify(s)}`, 'timeoutMs');
        return;
      }
      timeoutMs = Math.min(Number(s), MAX_WAIT_TIMEOUT_MS);
    }
    const query = journalQueryFromParams(params, ['timeoutMs']);
    // Stop waiting when the client gives up, or at once when the server starts shutting down (a pending wait
    // would otherwise hold the shutdown for the whole grace period and then be cut off unanswered).
    const abort = new AbortController();
    const onClose = () => abort.abort();
    let serverStopping = false;
    const onStopping = () => {
      serverStopping = true;
      abort.abort();
    };
    res.once('close', onClose);
    if (stopping?.aborted) onStopping();
    else stopping?.addEventListener('abort', onStopping, { once: true });
    try {
      const entry = await journal.waitFor(query, { timeoutMs, signal: abort.signal });
      res.json(entry);
    } catch (err) {
      if (err instanceof JournalTimeoutError) {
        sendError(res, 408, `no request matching the query was recorded within ${timeoutMs} ms`);
      } else if (serverStopping) {
        res.set('Connection', 'close');
        sendError(res, 503, 'the server is stopping: no request matching the query was recorded before shutdown began; wait again once it is back');
      } else if (abort.signal.aborted) {
        /* the client went away: nobody to answer */
      } else if (journal.closedSignal.aborted) {
        // DELETE /tenants/{id} closed the journal under the wait: the tenant is gone, not an internal error.
        sendError(res, 404, 'the tenant was deleted while waiting: no request matching the query was recorded before');
      } else throw err;
    } finally {
      res.off('close', onClose);
      stopping?.removeEventListener('abort', onStopping);
    }
  });

  router.get('/requests/stream', (req, res) => {
    streamRequests(resolve(req), req, res, stopping);
  });

  router.get('/requests/:id', (req, res) => {
    const journal = resolve(req);
    const entry = journal.get(req.params.id);
    if (!entry) {
      sendError(
        res,
        404,
        `no request with id ${JSON.stringify(req.params.id)} in the journal (ids look like "req-12"; entries older than the last ${journal.capacity} are dropped)`,
      );
      return;
    }
    res.json(entry);
  });

  router.get('/conformance', (req, res) => {
    const format = req.query.format;
    if (format === undefined) {
      res.json(resolve(req).conformanceSummary());
      return;
    }
    if (typeof format !== 'string' || !(REPORT_FORMATS as readonly string[]).includes(format)) {
      sendError(res, 400, `format must be one of ${REPORT_FORMATS.map((f) => `"${f}"`).join(', ')} (or absent for the summary)`, 'format');
      return;
    }
    res.setHeader('Content-Type', REPORT_CONTENT_TYPES[format as ReportFormat]);
    res.send(renderReport(conformanceReport(reportSources(req)), format as ReportFormat));
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof JournalQueryError) {
      sendError(res, 400, err.message, err.field);
      return;
    }
    next(err);
  });

  return router;
}
