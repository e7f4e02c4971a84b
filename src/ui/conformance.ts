/// <reference lib="dom" />
/**
 * The conformance view: GET /conformance (warning codes, counts, RFC sections, the first request of each) and, apart
 * from them, the behaviour findings (what clients did across requests) the same way.
 */
import type { ConformanceSummary, ConformanceSummaryItem } from '../journal/journal.js';
import { control, currentTenant, Latest } from './api.js';
import { byId, failureText, fill, h, say, showFailure, succeeded } from './dom.js';
import { clearJournal, onEntries, showEntry } from './requests.js';

let visible = false;
let timer: number | undefined;
/** The summary last asked for: an older answer (another tenant's, an earlier refresh) is not shown. */
const answers = new Latest();

export async function refresh(): Promise<void> {
  const message = byId('conformance-summary');
  const wanted = answers.ask();
  const tenant = currentTenant();
  let summary: ConformanceSummary;
  try {
    summary = await control<ConformanceSummary>('GET', '/conformance');
  } catch (err) {
    if (!wanted()) return;
    // Not the summary of another tenant (or of this one before) under the message: nothing is shown.
    say(message, '');
    fill(byId('conformance-body'));
    say(byId('behaviour-summary'), '');
    fill(byId('behaviour-body'));
    return showFailure(failureText(`The conformance summary of tenant "${tenant}" could not be loaded`, err, 'Press Refresh to try again.'), 'conformance');
  }
  if (!wanted()) return;
  succeeded('conformance');
  say(
    message,
    `${summary.requestsWithWarnings} of ${summary.totalRequests} requests in the journal carry warnings`,
  );
  fill(byId('conformance-body'), codeRows(summary.warnings, 'warn', 'No warnings: every request in the journal followed the RFC.'));
  const completed = summary.requestsWithFindings ?? 0;
  say(byId('behaviour-summary'), `${completed} request${completed === 1 ? '' : 's'} completed one`);
  fill(byId('behaviour-body'), codeRows(summary.behaviour ?? [], 'finding', 'No findings: no client retried, paged or replaced in a way that hurts.'));
}

/** One row per code: its badge, RFC section, counts, the first request (a link to it) and an example. */
function codeRows(items: ConformanceSummaryItem[], badge: 'warn' | 'finding', none: string): HTMLElement[] {
  if (items.length === 0) return [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, none))];
  return items.map((w) =>
    h(
      'tr',
      { 'data-code': w.code },
      h('td', {}, h('span', { class: `badge ${badge}` }, w.code)),
      h('td', { class: 'rfc' }, w.rfc),
      h('td', { class: 'num' }, w.count),
      h('td', { class: 'num' }, w.requests),
      h('td', {}, h('a', { href: `#requests`, 'data-request': w.firstRequestId, onclick: () => void showEntry(w.firstRequestId) }, w.firstRequestId)),
      h('td', {}, w.example),
    ),
  );
}

export function show(): void {
  visible = true;
  void refresh();
}

export function hide(): void {
  visible = false;
}

/** Another tenant: the summary shown (and any on its way) was the previous one's. */
export function reset(): void {
  answers.drop();
  say(byId('conformance-summary'), 'loading…');
  fill(byId('conformance-body'));
  say(byId('behaviour-summary'), '');
  fill(byId('behaviour-body'));
}

export function init(): void {
  byId('conformance-refresh').addEventListener('click', () => void refresh());
  byId('conformance-clear').addEventListener('click', () => void clearJournal().then((cleared) => (cleared ? refresh() : undefined)));
  // New warnings or findings while the view is open: refresh (at most twice a second).
  onEntries((batch) => {
    if (!visible || (batch.length > 0 && !batch.some((e) => e.warnings.length > 0 || (e.findings?.length ?? 0) > 0)) || timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      void refresh();
    }, 500);
  });
}
