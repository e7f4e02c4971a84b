/// <reference lib="dom" />
/**
 * The live requests view: the tenant's journal stream, newest first, filtered in the page; a selected entry shows
 * whole (headers as the journal redacted them, pretty bodies, warnings with their RFC sections, the behaviour
 * findings the request completed with links to the requests involved, copy as curl).
 */
import type { JournalEntry } from '../journal/journal.js';
import type { JournalStats, JournalStreamEvent, StreamedJournalEntry } from '../journal/stream.js';
import { ApiError, CLIENT_HEADER, control, currentTenant, Latest, openStream } from './api.js';
import { curlCommand } from './curl.js';
import { byId, clockTime, confirmAction, failureText, fill, h, options, pretty, say, showFailure, statusClass, succeeded, type Child } from './dom.js';

/** Entries the page keeps (the journal keeps more; older ones are a GET away). */
const HELD = 2000;
/** Rows shown at most. */
const ROWS = 500;
/** How many recent entries the view starts with. */
const TAIL = 500;
const FLUSH_MS = 80;

const ownHeader = CLIENT_HEADER.toLowerCase();

/** What the list holds: entries as streamed, without their response (fetched when one is selected). */
type Row = StreamedJournalEntry;

let entries: Row[] = [];
const bySeq = new Map<number, Row>();
let pending: Row[] = [];
let selected: Row | undefined;
let paused = false;
let flushTimer: number | undefined;
let stream: AbortController | undefined;
let lastSeq = 0;
/** The id of the journal the view shows (from the stream's hello). */
let journalId: string | undefined;
/** Called when the tenant shown is gone (deleted): main shows another. */
let tenantGone: () => void = () => undefined;
export function whenTenantGone(handler: () => void): void {
  tenantGone = handler;
}
let started = false;
let missed = 0;
let stats: JournalStats | undefined;
/** The last `cleared` the stream told (entries up to it were dropped from the view). */
let clearedThrough = 0;
let retryTimer: number | undefined;
const searchText = new WeakMap<Row, string>();
const listeners: Array<(batch: Row[]) => void> = [];

const el = {
  body: () => byId<HTMLTableSectionElement>('requests-body'),
  detail: () => byId('entry'),
  live: () => byId('live'),
};

/** Called with each batch of new entries (the conformance and faults views refresh from it). */
export function onEntries(listener: (batch: Row[]) => void): void {
  listeners.push(listener);
}

// ---- filters

interface Filters {
  method: string;
  status: string;
  operation: string;
  type: string;
  warning: string;
  text: string;
  hideOwn: boolean;
}

function filters(): Filters {
  const v = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value;
  return {
    method: v('f-method'),
    status: v('f-status'),
    operation: v('f-operation'),
    type: v('f-type'),
    warning: v('f-warning'),
    text: v('f-text').trim().toLowerCase(),
    hideOwn: byId<HTMLInputElement>('f-own').checked,
  };
}

/** The query string as the row shows it (URL-encoded). */
function queryText(e: Row): string {
  return new URLSearchParams(Object.entries(e.query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)]))).toString();
}

/** Every key and string of a JSON value as it reads (no JSON escapes), one a line. */
function plainText(value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) plainText(v, out);
  else
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      plainText(v, out);
    }
}

function haystack(e: Row): string {
  let text = searchText.get(e);
  if (text === undefined) {
    const parts = [e.id, e.method, e.path, String(e.status), e.operation, e.resourceType ?? '', e.outcome];
    // What the row and the detail show (path?query, "name: value", body text), and the JSON as sent, so that a
    // search for `userName eq "bjensen"` or `count=10` finds the request that carries it.
    const query = queryText(e);
    if (query) parts.push(`${e.path}?${query}`, `${e.relativePath}?${query}`);
    for (const [k, v] of Object.entries(e.query)) for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${String(x)}`);
    for (const [k, v] of Object.entries(e.requestHeaders)) for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}: ${String(x)}`);
    plainText(e.requestBody, parts);
    if (typeof e.requestBody === 'object' && e.requestBody !== null) parts.push(JSON.stringify(e.requestBody));
    if (e.fault) parts.push(e.fault.id, e.fault.name ?? '', e.fault.action);
    for (const w of e.warnings) parts.push(w.code, w.rfc, w.detail);
    for (const f of findingsOf(e)) parts.push(f.code, f.rfc, f.detail);
    text = parts.join('\n').toLowerCase();
    searchText.set(e, text);
  }
  return text;
}

const isOwn = (e: Row) => e.requestHeaders[ownHeader] === 'dashboard';

function matches(e: Row, f: Filters): boolean {
  if (f.hideOwn && isOwn(e)) return false;
  if (f.method && e.method !== f.method) return false;
  if (f.status && String(Math.floor(e.status / 100)) !== f.status) return false;
  if (f.operation && e.operation !== f.operation) return false;
  if (f.type && e.resourceType !== f.type) return false;
  if (f.warning && !e.warnings.some((w) => w.code === f.warning) && !findingsOf(e).some((x) => x.code === f.warning)) return false;
  if (f.text && !haystack(e).includes(f.text) && !foundByServer(e, f.text)) return false;
  return true;
}

/** The choices of the select filters: the values seen since the view started. */
const seen = { operation: new Set<string>(), type: new Set<string>(), warning: new Set<string>() };

function learnChoices(batch: Row[]): void {
  let changed = false;
  const add = (set: Set<string>, value: string) => {
    if (!set.has(value)) {
      set.add(value);
      changed = true;
    }
  };
  for (const e of batch) {
    add(seen.operation, String(e.operation));
    if (e.resourceType) add(seen.type, e.resourceType);
    for (const w of e.warnings) add(seen.warning, w.code);
    for (const x of findingsOf(e)) add(seen.warning, x.code);
  }
  if (changed) showChoices();
}

function showChoices(): void {
  for (const [key, set] of Object.entries(seen)) options(byId<HTMLSelectElement>(`f-${key}`), [['', 'all'], ...[...set].sort()]);
}

// ---- rows

function faultLabel(e: Row): string {
  return e.fault ? (e.fault.name ? `${e.fault.name} (${e.fault.action})` : `${e.fault.id} (${e.fault.action})`) : '';
}

/** What the fault did besides its action: answered after the handler committed, drift's resources, Bulk operations. */
function faultDetails(e: Row): Child[] {
  const f = e.fault;
  if (!f) return [];
  const parts: string[] = [];
  if (f.phase === 'after') parts.push('after the handler committed (see below)');
  if (f.inserted?.length) parts.push(`inserted ${f.inserted.join(', ')}`);
  if (f.deleted?.length) parts.push(`deleted ${f.deleted.join(', ')}`);
  if (f.operations?.length) parts.push(`failed ${f.operations.map((i) => `Operations[${i}]`).join(', ')}`);
  return parts.length ? [' ', h('span', { class: 'muted', id: 'fault-details' }, parts.join('; '))] : [];
}

/** The answer the handler committed when a fault (phase "after") replaced it: the change was made all the same. */
function committedBlock(e: Row): Child[] {
  const c = e.committed;
  if (!c) return [];
  const got = e.status === 0 ? `no answer (${e.outcome})` : `${e.status}`;
  return [
    h('h3', { id: 'committed-title' }, 'Committed by the handler'),
    h(
      'p',
      { class: 'message', id: 'committed-note' },
      `The handler ran and answered ${c.status}, so its change is in the directory; the fault replaced that answer and the client got ${got}. A client that retries must cope with the change being there already.`,
    ),
    h('p', {}, h('span', { class: `status ${statusClass(c.status)}` }, c.status)),
    headerTable(c.responseHeaders),
    bodyBlock('Committed body', c.responseBody, c.responseBodyTruncated, 'committed-body'),
  ];
}

/** One badge per warning code (with a count when it repeats), its RFC section as the tooltip. */
function warningBadges(e: Row): HTMLElement[] {
  const codes = new Map<string, { rfc: string; count: number }>();
  for (const w of e.warnings) {
    const seen = codes.get(w.code);
    if (seen) seen.count++;
    else codes.set(w.code, { rfc: w.rfc, count: 1 });
  }
  return [...codes].map(([code, { rfc, count }]) => h('span', { class: 'badge warn', title: rfc, 'data-code': code }, count > 1 ? `${code} ×${count}` : code));
}

/** One badge per behaviour finding the request completed (what the client did across requests). */
function findingBadges(e: Row): HTMLElement[] {
  return findingsOf(e).map((f) => h('span', { class: 'badge finding', title: `${f.rfc}: behaviour across ${f.requestIds.join(', ')}`, 'data-code': f.code }, f.code));
}

function row(e: Row): HTMLTableRowElement {
  const query = queryText(e);
  return h(
    'tr',
    { 'data-seq': e.seq, tabindex: -1, 'aria-selected': selected?.seq === e.seq ? 'true' : 'false', class: isOwn(e) ? 'own' : undefined },
    h('td', { class: 'nowrap' }, h('time', { datetime: e.time }, clockTime(e.time))),
    h('td', { class: 'col-tenant' }, e.tenant),
    h('td', {}, h('span', { class: 'method' }, e.method)),
    h('td', { class: 'path', title: `${e.path}${query ? `?${query}` : ''}` }, e.relativePath || e.path, query ? h('span', { class: 'muted' }, `?${query}`) : null),
    h('td', {}, h('span', { class: `status ${statusClass(e.status)}` }, e.status === 0 ? e.outcome : e.status)),
    h('td', { class: 'col-ms num' }, Math.round(e.durationMs)),
    h('td', {}, e.fault ? h('span', { class: 'badge fault', title: e.fault.id }, faultLabel(e)) : null, warningBadges(e), findingBadges(e)),
  );
}

/** The filters the list was last rendered with. */
let renderedWith = '';

function render(): void {
  const f = filters();
  renderedWith = JSON.stringify(f);
  const rows: HTMLTableRowElement[] = [];
  for (const e of entries) {
    if (rows.length >= ROWS) break;
    if (matches(e, f)) rows.push(row(e));
  }
  fill(el.body(), rows);
  rove();
  showCounts();
  searchSoon();
}

// ---- the text search on the server

/**
 * The live feed leaves responses out (response=none), so what only a response body holds is searched by the journal
 * (GET /requests?text=): for the entries the page holds once the typing pauses, and for those that arrive while the
 * text is set. The page searches what it has itself (path, query, headers, request body, id, status, fault, warnings)
 * at once; an entry matches when either finds the text. `through`: the last seq the journal had searched.
 */
let serverSearch: { text: string; matched: Set<number>; through: number } | undefined;
/** How long typing pauses before the journal is asked (not once per keystroke). */
const SEARCH_DEBOUNCE_MS = 250;
let searchTimer: number | undefined;
/** The searches asked: an answer for a text no longer typed, or another tenant, or an older one, is dropped. */
const searches = new Latest();
/** The search on its way, if any: another for the same text waits for it (it asks again for what came meanwhile). */
let searching: { text: string; current: () => boolean } | undefined;

function foundByServer(e: Row, text: string): boolean {
  return serverSearch?.text === text && serverSearch.matched.has(e.seq);
}

/** Asks the journal once the typing pauses (and again for entries that arrived), or forgets the search. */
function searchSoon(): void {
  window.clearTimeout(searchTimer);
  const text = filters().text;
  if (!text) {
    serverSearch = undefined;
    searching = undefined;
    searches.drop();
    return;
  }
  if (serverSearch?.text === text && (entries.length === 0 || entries[0]!.seq <= serverSearch.through)) return;
  searchTimer = window.setTimeout(() => void searchServer(text), SEARCH_DEBOUNCE_MS);
}

async function searchServer(text: string): Promise<void> {
  if (entries.length === 0) return; // nothing held: the next entries ask
  if (searching?.text === text && searching.current()) return;
  const known = serverSearch?.text === text ? serverSearch : { text, matched: new Set<number>(), through: 0 };
  // The entries held and newer ones the page may not have yet; only those after the last search of this text.
  const since = Math.max(known.through, entries[entries.length - 1]!.seq - 1);
  if (since >= entries[0]!.seq) return;
  const current = searches.ask();
  const flight = { text, current };
  searching = flight;
  const asked = generation;
  const params = new URLSearchParams({ text, since: String(since), order: 'desc', limit: String(HELD), response: 'none' });
  let answer: { requests: Row[]; lastSeq: number };
  try {
    answer = await control<{ requests: Row[]; lastSeq: number }>('GET', `/requests?${params}`);
  } catch {
    // Searched in the page only for now; asked again at the next change of the filter or the next entries.
    return;
  } finally {
    if (searching === flight) searching = undefined;
  }
  if (!current() || asked !== generation || filters().text !== text) return;
  for (const e of answer.requests) known.matched.add(e.seq);
  known.through = Math.max(known.through, answer.lastSeq);
  serverSearch = known;
  // Only when what matches changed: a redraw would take the focus from a row for nothing.
  const f = filters();
  const want: number[] = [];
  for (const e of entries) {
    if (want.length >= ROWS) break;
    if (matches(e, f)) want.push(e.seq);
  }
  const shown = [...el.body().children].map((tr) => Number((tr as HTMLElement).dataset.seq));
  if (want.length !== shown.length || want.some((seq, i) => seq !== shown[i])) render();
  // Entries that arrived while this search was on its way.
  else searchSoon();
}

/** Keeps one row in the tab order: the selected one, else the first. */
function rove(): void {
  const body = el.body();
  const current = (selected && body.querySelector<HTMLElement>(`tr[data-seq="${selected.seq}"]`)) || body.firstElementChild;
  for (const r of body.querySelectorAll<HTMLElement>('tr[tabindex="0"]')) if (r !== current) r.tabIndex = -1;
  if (current instanceof HTMLElement) current.tabIndex = 0;
}

/** The server records nothing (--no-journal): the list says so instead of waiting for requests. */
let recording = true;
export function journalOff(): void {
  recording = false;
  byId('requests-empty').textContent = 'The journal is off (the server runs with --no-journal): it records no requests, so none show here.';
}

function showCounts(): void {
  const shown = el.body().childElementCount;
  byId('requests-empty').hidden = shown > 0;
  const parts: string[] = [];
  if (!recording) parts.push('journal off (--no-journal)');
  else if (stats) {
    parts.push(`journal: ${stats.size.toLocaleString('en')} of ${stats.capacity.toLocaleString('en')} kept`);
    parts.push(`${stats.evicted.toLocaleString('en')} dropped by the journal`);
  }
  parts.push(`${missed.toLocaleString('en')} missed by this view`);
  parts.push(`showing ${shown}`);
  if (paused && pending.length) parts.push(`${pending.length} new while paused`);
  byId('journal-stats').textContent = parts.join(' · ');
}

function flush(): void {
  flushTimer = undefined;
  if (paused) return showCounts();
  if (pending.length === 0) return;
  const batch = pending.sort((a, b) => a.seq - b.seq);
  pending = [];
  for (const e of batch) bySeq.set(e.seq, e);
  entries = [...batch.reverse(), ...entries];
  for (const e of entries.splice(HELD)) bySeq.delete(e.seq);
  if (stats) {
    // Until the next stats event: what the journal recorded since the last one (replayed entries were counted).
    const recorded = batch.filter((e) => e.seq > stats!.lastSeq).length;
    stats = { ...stats, lastSeq: Math.max(stats.lastSeq, lastSeq), size: Math.min(stats.capacity, stats.size + recorded) };
  }
  learnChoices(batch);
  // Only the new rows (newest first, above the ones shown, which stay as they are and keep their focus).
  const f = filters();
  const body = el.body();
  const first = body.firstChild;
  let added = 0;
  for (const e of batch) {
    if (added >= ROWS) break;
    if (matches(e, f)) {
      body.insertBefore(row(e), first);
      added++;
    }
  }
  while (body.childElementCount > ROWS) body.lastElementChild?.remove();
  rove();
  showCounts();
  notify(batch);
  // The new rows were matched in the page only: the journal searches them next.
  searchSoon();
}

function notify(batch: Row[]): void {
  for (const listener of listeners) listener(batch);
}

function receive(event: JournalStreamEvent): void {
  switch (event.type) {
    case 'hello':
    case 'stats':
    case 'cleared':
      // Another journal (the server restarted, or the tenant was deleted and created again): its seqs start over
      // and name other requests, so the view starts over from it. (A server without journal ids: one behind.)
      if (event.type === 'hello') {
        if (journalId !== undefined && event.journal !== journalId) return restart();
        if (event.journal === undefined && event.lastSeq < lastSeq) return restart();
        journalId = event.journal;
      }
      stats = { lastSeq: event.lastSeq, size: event.size, capacity: event.capacity, evicted: event.evicted, cleared: event.cleared ?? 0 };
      // Cleared from anywhere (DELETE /requests or a reset from a test, another tab): the rows it removed go too.
      if (stats.cleared > clearedThrough) dropCleared(stats.cleared);
      showCounts();
      break;
    case 'dropped':
      missed += event.missed;
      showCounts();
      break;
    case 'entry':
      if (bySeq.has(event.entry.seq) || event.entry.seq <= lastSeq - HELD) break;
      lastSeq = Math.max(lastSeq, event.entry.seq);
      pending.push(event.entry);
      if (pending.length > HELD) pending.splice(0, pending.length - HELD);
      if (flushTimer === undefined) flushTimer = window.setTimeout(flush, FLUSH_MS);
      break;
  }
}

function live(text: string, state: 'on' | 'off' | 'paused'): void {
  const badge = el.live();
  badge.textContent = text;
  badge.dataset.state = state;
}

function connect(): void {
  stream?.abort();
  window.clearTimeout(retryTimer);
  // Without responses: the server then streams each entry for a fraction of what a whole one costs it.
  const query = started ? { since: lastSeq, response: 'none' as const } : { tail: TAIL, response: 'none' as const };
  started = true;
  live(paused ? 'paused' : 'live', paused ? 'paused' : 'on');
  stream = openStream(query, {
    onEvent: receive,
    onClose: (error) => {
      if (error instanceof ApiError && error.status === 401) return live('no token', 'off');
      if (error instanceof ApiError && error.status === 404) {
        live('tenant deleted', 'off');
        return tenantGone();
      }
      live('reconnecting…', 'off');
      retryTimer = window.setTimeout(connect, 2000);
    },
  });
}

/** (Re)starts the view for the current tenant: empty list, a new stream. */
export function restart(): void {
  stream?.abort();
  entries = [];
  bySeq.clear();
  pending = [];
  selected = undefined;
  whole = undefined;
  generation++;
  serverSearch = undefined;
  searching = undefined;
  searches.drop();
  lastSeq = 0;
  journalId = undefined;
  missed = 0;
  stats = undefined;
  clearedThrough = 0;
  started = false;
  for (const set of Object.values(seen)) set.clear();
  showChoices();
  el.detail().hidden = true;
  render();
  connect();
}

export function stop(): void {
  stream?.abort();
  window.clearTimeout(retryTimer);
}

// ---- the selected entry

function headerTable(headers: Record<string, unknown>): HTMLElement {
  const names = Object.keys(headers);
  if (names.length === 0) return h('p', { class: 'muted' }, 'none');
  return h(
    'table',
    { class: 'kv' },
    h('tbody', {}, names.map((n) => h('tr', {}, h('th', { scope: 'row' }, n), h('td', {}, Array.isArray(headers[n]) ? (headers[n] as unknown[]).join(', ') : String(headers[n]))))),
  );
}

/** Bytes shown of a body that is not text. */
const HEX_PREVIEW = 256;

/** "00000010  7b 22 61 22 3a 20 31 7d  0a                       |{"a": 1}.|", as xxd and hexdump -C show bytes. */
function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    let hex = '';
    let text = '';
    for (let i = 0; i < 16; i++) {
      hex += i < row.length ? `${row[i]!.toString(16).padStart(2, '0')} ` : '   ';
      if (i === 7) hex += ' ';
      if (i < row.length) text += row[i]! >= 0x20 && row[i]! < 0x7f ? String.fromCharCode(row[i]!) : '.';
    }
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex} |${text}|`);
  }
  return lines.join('\n');
}

/** A request body that is not text (an octet-stream upload the service refused): its size and its first bytes. */
function binaryBlock(label: string, base64: string, truncated: boolean, id: string): Child[] {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    bytes = new Uint8Array();
  }
  const size = `${bytes.length.toLocaleString('en')} byte${bytes.length === 1 ? '' : 's'}`;
  return [
    h('h3', {}, label, h('span', { class: 'muted' }, ` (binary, ${truncated ? `the first ${size}` : size})`)),
    h('p', { class: 'muted' }, `Not text (not UTF-8, or control characters), so shown as bytes${bytes.length > HEX_PREVIEW ? `: the first ${HEX_PREVIEW}` : ''}.`),
    h('pre', { class: 'json hex', id, tabindex: 0, 'aria-label': `${label}: hex dump` }, hexDump(bytes.subarray(0, HEX_PREVIEW))),
    h('details', {}, h('summary', {}, 'base64'), h('pre', { class: 'curl', id: `${id}-base64`, tabindex: 0 }, base64)),
  ];
}

function bodyBlock(label: string, body: unknown, truncated: boolean, id: string): Child[] {
  return [
    h('h3', {}, label, truncated ? h('span', { class: 'muted' }, ' (cut at 64 KiB)') : null),
    body === null || body === undefined ? h('p', { class: 'muted' }, 'no body') : h('pre', { class: 'json', id, tabindex: 0 }, pretty(body)),
  ];
}

function fact(name: string, value: Child): Child[] {
  return [h('dt', {}, name), h('dd', {}, value)];
}

/** Findings of the behaviour analyser the request completed: shown beside the warnings. */
const findingsOf = (e: Row): JournalEntry['findings'] => e.findings ?? [];

/** A request id that opens that request. */
const requestLink = (id: string): HTMLElement => h('a', { href: '#requests', 'data-request': id, onclick: () => void showEntry(id) }, id);

/** The selected entry whole (its response fetched), once known; of the journal shown (restart() forgets it). */
let whole: JournalEntry | undefined;
/**
 * Counts restarts (another tenant, another journal): seqs then name other requests, so what was fetched for the
 * journal shown before (an entry whole, a late answer) must not be shown for the same seq of this one.
 */
let generation = 0;

function detail(e: Row, responseNote = 'loading…'): void {
  const article = el.detail();
  const curl = curlCommand(e, location.origin);
  const copied = h('span', { class: 'muted', role: 'status' });
  const curlText = h('pre', { class: 'curl', id: 'curl-text', tabindex: 0 }, curl);
  const copy = () => {
    const done = () => say(copied, 'copied');
    const manual = () => {
      const range = document.createRange();
      range.selectNodeContents(curlText);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      say(copied, 'selected: press Ctrl+C');
    };
    if (navigator.clipboard) navigator.clipboard.writeText(curl).then(done, manual);
    else manual();
  };
  const query = queryText(e);
  const findings = findingsOf(e);
  fill(
    article,
    h(
      'header',
      { class: 'detail-head' },
      h('h2', {}, h('span', { class: 'method' }, e.method), ' ', h('code', { class: 'path' }, `${e.path}${query ? `?${query}` : ''}`)),
      h('span', { class: `status ${statusClass(e.status)}` }, e.status === 0 ? e.outcome : `${e.status}`),
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close details', onclick: () => closeDetail() }, '×'),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Id', e.id),
      fact('Time', e.time),
      fact('Tenant', e.tenant),
      fact('Operation', `${e.operation}${e.resourceType ? ` (${e.resourceType})` : ''}`),
      fact('Duration', `${e.durationMs} ms`),
      fact('Outcome', e.outcome),
      e.client ? fact('Client', h('code', { title: 'digest of tenant, credentials and User-Agent' }, e.client)) : null,
      e.fault ? fact('Fault', [h('span', { class: 'badge fault' }, `${faultLabel(e)} · ${e.fault.id}`), faultDetails(e)]) : null,
    ),
    e.warnings.length
      ? [
          h('h3', {}, 'Warnings'),
          h(
            'ul',
            { class: 'warnings' },
            e.warnings.map((w) => h('li', {}, h('span', { class: 'badge warn' }, w.code), ' ', h('span', { class: 'rfc' }, w.rfc), ' ', w.detail)),
          ),
        ]
      : null,
    findings.length
      ? [
          h('h3', {}, 'Behaviour findings'),
          h(
            'ul',
            { class: 'warnings findings' },
            findings.map((f) =>
              h(
                'li',
                {},
                h('span', { class: 'badge finding' }, f.code),
                ' ',
                h('span', { class: 'rfc' }, f.rfc),
                ' ',
                f.detail,
                ' ',
                h('span', { class: 'muted' }, 'requests: ', f.requestIds.flatMap((id, i) => (i === 0 ? [requestLink(id)] : [', ', requestLink(id)]))),
              ),
            ),
          ),
        ]
      : null,
    h('h3', {}, 'Request headers'),
    headerTable(e.requestHeaders),
    e.requestBodyBase64 !== undefined
      ? binaryBlock('Request body', e.requestBodyBase64, e.requestBodyTruncated, 'request-body')
      : bodyBlock('Request body', e.requestBody, e.requestBodyTruncated, 'request-body'),
    e.responseHeaders
      ? [h('h3', {}, 'Response headers'), headerTable(e.responseHeaders), bodyBlock('Response body', e.responseBody, e.responseBodyTruncated, 'response-body')]
      : [h('h3', {}, 'Response'), h('p', { class: 'muted', id: 'response-note' }, responseNote)],
    committedBlock(e),
    h('h3', {}, 'curl'),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', id: 'copy-curl', onclick: copy }, 'Copy as curl'), copied),
    e.requestBodyTruncated
      ? h('p', { class: 'message error', id: 'curl-note' }, 'The journal kept only the first 64 KiB of this body: the command sends that part, not the whole request.')
      : null,
    curlText,
  );
  article.hidden = false;
}

/** Closes the detail; `focusRow` (Escape, the close button) puts the focus back on the row it showed. */
function closeDetail(focusRow = true): void {
  const seq = selected?.seq;
  selected = undefined;
  el.detail().hidden = true;
  for (const r of el.body().querySelectorAll('tr[aria-selected="true"]')) r.setAttribute('aria-selected', 'false');
  if (focusRow && seq !== undefined) el.body().querySelector<HTMLElement>(`tr[data-seq="${seq}"]`)?.focus();
}

function select(e: Row, focusDetail = false): void {
  selected = e;
  for (const r of el.body().querySelectorAll<HTMLElement>('tr')) r.setAttribute('aria-selected', r.dataset.seq === String(e.seq) ? 'true' : 'false');
  rove();
  // The request at once; the response as soon as the journal gives it.
  detail(whole?.seq === e.seq ? whole : e);
  if (focusDetail || matchMedia('(max-width: 900px)').matches) el.detail().focus();
  if (e.responseHeaders || whole?.seq === e.seq) return;
  const asked = generation;
  control<JournalEntry>('GET', `/requests/${encodeURIComponent(e.id)}`).then(
    (full) => {
      if (asked !== generation) return;
      whole = full;
      if (selected?.seq === full.seq) detail(full);
    },
    (err: Error) => {
      if (asked === generation && selected?.seq === e.seq) detail(e, `not available: ${err.message}`);
    },
  );
}

/** Shows an entry by id (from the conformance view), fetching it when the page no longer holds it. */
export async function showEntry(id: string): Promise<void> {
  const seq = Number(/^req-(\d+)$/.exec(id)?.[1]);
  const held = bySeq.get(seq);
  const asked = generation;
  try {
    const fetched = held ? undefined : await control<JournalEntry>('GET', `/requests/${encodeURIComponent(id)}`);
    if (asked !== generation) return;
    if (fetched) whole = fetched;
    select(held ?? fetched!, true);
    succeeded('requests', 'action');
  } catch (err) {
    if (asked === generation) showFailure(failureText(`The request ${id} could not be shown`, err, 'The journal may no longer hold it (cleared, or evicted by newer requests); look for it in the Requests view.'), 'requests', 'action');
  }
}

function rowEntry(target: EventTarget | null): Row | undefined {
  const tr = (target as Element | null)?.closest?.('tr[data-seq]') as HTMLElement | null;
  return tr ? bySeq.get(Number(tr.dataset.seq)) : undefined;
}

export function init(): void {
  const body = el.body();
  body.addEventListener('click', (ev) => {
    const e = rowEntry(ev.target);
    if (e) select(e);
  });
  body.addEventListener('keydown', (ev) => {
    const tr = (ev.target as Element).closest('tr');
    if (!tr) return;
    let next: Element | null = null;
    if (ev.key === 'ArrowDown') next = tr.nextElementSibling;
    else if (ev.key === 'ArrowUp') next = tr.previousElementSibling;
    else if (ev.key === 'Home') next = body.firstElementChild;
    else if (ev.key === 'End') next = body.lastElementChild;
    else if (ev.key === 'Enter' || ev.key === ' ') {
      const e = rowEntry(tr);
      if (e) select(e, ev.key === 'Enter');
      ev.preventDefault();
      return;
    } else return;
    ev.preventDefault();
    if (next instanceof HTMLElement) {
      const e = rowEntry(next);
      if (e) select(e);
      next.focus();
    }
  });
  el.detail().addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeDetail();
  });
  const form = byId<HTMLFormElement>('request-filters');
  // Only when a filter changed: the search box fires "change" again as it loses focus, which a click on a row
  // makes happen between its mousedown and its click; rebuilding the rows there lost that click.
  const rerender = () => {
    if (JSON.stringify(filters()) !== renderedWith) render();
  };
  form.addEventListener('input', rerender);
  form.addEventListener('change', rerender);
  form.addEventListener('submit', (ev) => ev.preventDefault());
  byId('pause').addEventListener('click', () => {
    paused = !paused;
    const button = byId('pause');
    button.textContent = paused ? 'Resume' : 'Pause';
    button.setAttribute('aria-pressed', String(paused));
    live(paused ? 'paused' : 'live', paused ? 'paused' : 'on');
    if (!paused) flush();
    showCounts();
  });
  byId('clear-journal').addEventListener('click', () => void clearJournal());
}

/** DELETE /requests, and the list with it, once confirmed; resolves true when the journal was cleared. */
export async function clearJournal(): Promise<boolean> {
  const held = stats ? `its ${stats.size.toLocaleString('en')} requests` : 'every request it holds';
  const ok = await confirmAction(
    `Clear the journal of tenant "${currentTenant()}"?`,
    `This removes ${held} for every reader (the control API, the conformance report, other tabs), not just this view. New requests are recorded as before.`,
    'Clear journal',
  );
  if (!ok) return false;
  const view = location.hash.slice(1) || 'requests';
  try {
    await control('DELETE', '/requests');
  } catch (err) {
    showFailure(failureText('The journal was not cleared', err, 'Try again; if it keeps failing, check the server.'), view, 'action');
    return false;
  }
  succeeded(view, 'action');
  journalCleared();
  return true;
}

/** The journal was cleared (here, or by a reset): so is the list. */
export function journalCleared(): void {
  entries = [];
  bySeq.clear();
  pending = [];
  if (stats) stats = { ...stats, size: 0 };
  closeDetail(false);
  render();
  notify([]);
}

/** The journal says it was cleared through `through`: the entries up to it are dropped (newer ones stay). */
function dropCleared(through: number): void {
  clearedThrough = through;
  const kept = (e: Row) => e.seq > through;
  if (!entries.some((e) => !kept(e)) && !pending.some((e) => !kept(e))) return;
  for (const e of entries) if (!kept(e)) bySeq.delete(e.seq);
  entries = entries.filter(kept);
  pending = pending.filter(kept);
  if (selected && !kept(selected)) closeDetail(false);
  render();
  notify([]);
}
