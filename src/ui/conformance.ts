/// <reference lib="dom" />
/** The conformance view: GET /conformance (warning codes, counts, RFC sections, the first request of each). */
import type { ConformanceSummary } from '../journal/journal.js';
import { control } from './api.js';
import { byId, fill, h, say } from './dom.js';
import { clearJournal, onEntries, showEntry } from './requests.js';

let visible = false;
let timer: number | undefined;

export async function refresh(): Promise<void> {
  const message = byId('conformance-summary');
  let summary: ConformanceSummary;
  try {
    summary = await control<ConformanceSummary>('GET', '/conformance');
  } catch (err) {
    return say(message, (err as Error).message, 'error');
  }
  say(
    message,
    `${summary.requestsWithWarnings} of ${summary.totalRequests} requests in the journal carry warnings`,
  );
  fill(
    byId('conformance-body'),
    summary.warnings.length === 0
      ? h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No warnings: every request in the journal followed the RFC.'))
      : summary.warnings.map((w) =>
          h(
            'tr',
            { 'data-code': w.code },
            h('td', {}, h('span', { class: 'badge warn' }, w.code)),
            h('td', { class: 'rfc' }, w.rfc),
            h('td', { class: 'num' }, w.count),
            h('td', { class: 'num' }, w.requests),
            h('td', {}, h('a', { href: `#requests`, 'data-request': w.firstRequestId, onclick: () => void showEntry(w.firstRequestId) }, w.firstRequestId)),
            h('td', {}, w.example),
          ),
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

export function init(): void {
  byId('conformance-refresh').addEventListener('click', () => void refresh());
  byId('conformance-clear').addEventListener('click', () => void clearJournal().then(refresh));
  // New warnings while the view is open: refresh (at most twice a second).
  onEntries((batch) => {
    if (!visible || (batch.length > 0 && !batch.some((e) => e.warnings.length > 0)) || timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      void refresh();
    }, 500);
  });
}
