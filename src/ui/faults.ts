/// <reference lib="dom" />
/**
 * The faults view: the rules with their counters, presets that fill a JSON editor (to be changed before adding),
 * the control API's validation error shown beside the editor, remove one or all.
 */
import type { FaultAction, FaultRule, FaultRuleInput } from '../faults/types.js';
import { ApiError, control, currentTenant, Latest } from './api.js';
import { byId, confirmAction, failureText, fill, h, say, showFailure, succeeded } from './dom.js';
import { FAULT_PRESETS } from './presets.js';
import { onEntries } from './requests.js';

let visible = false;
let poll: number | undefined;
/** The rule the editor holds a copy of ("Replace" adds the edited rule, then removes this one). */
let editing: string | undefined;

const editor = () => byId<HTMLTextAreaElement>('rule-editor');
const message = () => byId('faults-message');
const ruleError = () => byId('rule-error');

function describeAction(a: FaultAction): string {
  const what = describeActionType(a);
  return 'phase' in a && a.phase === 'after' ? `${what}, after the real handler committed` : what;
}

function describeActionType(a: FaultAction): string {
  switch (a.type) {
    case 'latency':
      return a.ms !== undefined ? `latency ${a.ms} ms` : `latency ${a.minMs}-${a.maxMs} ms`;
    case 'error':
      return `error ${a.status}${a.scimType ? ` ${a.scimType}` : ''}${a.retryAfter !== undefined ? ` · Retry-After ${a.retryAfter}` : ''}`;
    case 'conflict':
      return a.kind === 'uniqueness' ? '409 uniqueness' : '412 precondition';
    case 'hang':
      return `hang${a.maxMs !== undefined ? ` (${a.maxMs} ms)` : ''}`;
    case 'malformed':
      return `malformed body (${a.variant ?? 'truncated'})`;
    case 'rateLimit':
      return `rate limit ${a.limit} per ${a.windowMs} ms`;
    case 'reset':
      return 'dropped connection';
    case 'throttle':
      return `body at ${a.bytesPerSecond} B/s`;
    case 'drift':
      return `drift: ${[a.insert ? `${a.insert} inserted` : '', a.delete ? `${a.delete} deleted` : ''].filter(Boolean).join(', ')} before the page`;
    case 'lag':
      return `writes visible after ${a.ms} ms${a.reads ? ' (GET by id too)' : ''}`;
    default:
      // An action type this page does not know yet: show it as it is.
      return JSON.stringify(a);
  }
}

/** The rule as POST /faults takes it: without the counters (and, for a copy, without its id). */
function editable(rule: FaultRule): FaultRuleInput {
  const { matched: _m, fired: _f, lastFiredAt: _l, retired: _r, state: _s, id: _id, ...input } = rule;
  return input;
}

/** The list last shown: a poll that finds it unchanged leaves the table (and the keyboard focus in it) alone. */
let shown = '';
/** The list last asked for: an older answer (another tenant's, a poll overtaken by a later one) is not shown. */
const answers = new Latest();

export async function refresh(): Promise<void> {
  const wanted = answers.ask();
  const tenant = currentTenant();
  let faults: FaultRule[];
  try {
    ({ faults } = await control<{ faults: FaultRule[] }>('GET', '/faults'));
  } catch (err) {
    if (!wanted()) return;
    return showFailure(failureText(`The fault rules of tenant "${tenant}" could not be loaded`, err, 'Press Refresh to try again.'), 'faults');
  }
  if (!wanted()) return;
  succeeded('faults');
  const json = JSON.stringify(faults);
  if (json === shown) return;
  shown = json;
  const body = byId('faults-body');
  const focused = body.contains(document.activeElement) ? document.activeElement?.getAttribute('aria-label') : null;
  fill(
    body,
    faults.length === 0
      ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No fault rules: every request is answered normally.'))
      : faults.map((rule) =>
          h(
            'tr',
            { 'data-fault': rule.id, class: rule.state !== 'active' ? 'retired' : undefined },
            h(
              'td',
              {},
              h('strong', {}, rule.name ?? rule.id),
              h('br'),
              h('span', { class: 'muted' }, `${rule.id} · p ${rule.probability}${rule.times !== undefined ? ` · times ${rule.times}` : ''}${rule.after ? ` · after ${rule.after}` : ''}`),
            ),
            h('td', {}, h('code', {}, Object.keys(rule.match).length ? JSON.stringify(rule.match) : 'every request')),
            h('td', {}, describeAction(rule.action)),
            h('td', { class: 'num' }, rule.matched),
            h('td', { class: 'num' }, rule.fired),
            h(
              'td',
              {},
              rule.retired ? 'retired' : rule.state,
              rule.from || rule.until ? h('span', { class: 'muted' }, ` · ${rule.from ?? '…'} → ${rule.until ?? '…'}`) : null,
              rule.lastFiredAt ? h('span', { class: 'muted' }, ` · last ${rule.lastFiredAt}`) : null,
            ),
            h(
              'td',
              { class: 'nowrap' },
              h('button', { type: 'button', onclick: () => edit(rule), 'aria-label': `Edit ${rule.id}` }, 'Edit'),
              ' ',
              h('button', { type: 'button', onclick: () => void remove(rule), 'aria-label': `Remove ${rule.id}` }, 'Remove'),
            ),
          ),
        ),
  );
  // The counters changed under a focused button: the same button, redrawn, keeps the focus.
  if (focused) [...body.querySelectorAll<HTMLElement>('[aria-label]')].find((el) => el.getAttribute('aria-label') === focused)?.focus();
}

function edit(rule: FaultRule): void {
  editing = rule.id;
  editor().value = JSON.stringify(editable(rule), null, 2);
  const replace = byId('rule-replace');
  replace.textContent = `Replace ${rule.id}`;
  replace.hidden = false;
  say(ruleError(), '');
  byId('preset-hint').textContent = `A copy of ${rule.id}: "Add rule" adds it beside the original, "Replace" adds it and removes the original (the copy goes last, with a new id and fresh counters).`;
  editor().focus();
}

async function remove(rule: FaultRule): Promise<void> {
  const id = rule.id;
  const name = rule.name ? `"${rule.name}" (${id})` : id;
  if (!(await confirmAction(`Remove the fault rule ${name}?`, `Requests it matches are answered normally again; its counters (matched ${rule.matched}, fired ${rule.fired}) are lost.`, 'Remove rule'))) return;
  const rows = [...byId('faults-body').querySelectorAll<HTMLElement>('tr[data-fault]')];
  const at = rows.findIndex((r) => r.dataset.fault === id);
  try {
    await control('DELETE', `/faults/${encodeURIComponent(id)}`);
    say(message(), `Removed ${id}.`);
    succeeded('faults', 'action');
  } catch (err) {
    say(message(), '');
    showFailure(failureText(`The fault rule ${id} was not removed`, err, 'Press Refresh to see the rules as they are, then try again.'), 'faults', 'action');
  }
  await refresh();
  // The focused button went with its row: the focus goes to the rule now in its place (or the one before), else
  // to Refresh, not back to the top of the page.
  if (document.activeElement === document.body || !document.activeElement?.isConnected) {
    const left = [...byId('faults-body').querySelectorAll<HTMLElement>('tr[data-fault]')];
    const next = left[Math.min(Math.max(at, 0), left.length - 1)];
    (next?.querySelector<HTMLElement>('button[aria-label^="Remove "]') ?? byId('faults-refresh')).focus();
  }
}

/** Adds the editor's rule; shows a JSON syntax error or the control API's { error, field } beside the editor. */
async function add(replacing?: string): Promise<void> {
  let rule: unknown;
  try {
    rule = JSON.parse(editor().value);
  } catch (err) {
    return say(ruleError(), `Not valid JSON: ${(err as Error).message}`, 'error');
  }
  try {
    const added = await control<FaultRule>('POST', '/faults', rule);
    if (replacing) await control('DELETE', `/faults/${encodeURIComponent(replacing)}`);
    say(ruleError(), '');
    say(message(), replacing ? `Added ${added.id} in place of ${replacing}.` : `Added ${added.id}.`);
    succeeded('faults', 'action');
    editing = undefined;
    byId('rule-replace').hidden = true;
  } catch (err) {
    const e = err as ApiError;
    say(ruleError(), e.field ? `${e.field}: ${e.message}` : e.message, 'error');
  }
  await refresh();
}

export function show(): void {
  visible = true;
  shown = '';
  void refresh();
  window.clearInterval(poll);
  poll = window.setInterval(() => void refresh(), 2000);
}

export function hide(): void {
  visible = false;
  window.clearInterval(poll);
}

/** Another tenant: the rules shown (and any list on its way) were the previous one's. */
export function reset(): void {
  answers.drop();
  shown = '';
  say(message(), '');
  // A copy of the previous tenant's rule: "Replace" would remove the rule of this tenant that has its id.
  if (editing !== undefined) {
    editing = undefined;
    byId('rule-replace').hidden = true;
    byId('preset-hint').textContent = '';
  }
  fill(byId('faults-body'), h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'loading…')));
}

export function init(): void {
  fill(
    byId('presets'),
    FAULT_PRESETS.map((preset) =>
      h(
        'button',
        {
          type: 'button',
          title: preset.hint,
          onclick: () => {
            editing = undefined;
            byId('rule-replace').hidden = true;
            editor().value = JSON.stringify(preset.rule, null, 2);
            byId('preset-hint').textContent = `${preset.label}: ${preset.hint}. Change it as you like, then add it.`;
            say(ruleError(), '');
            editor().focus();
          },
        },
        preset.label,
      ),
    ),
  );
  byId('rule-add').addEventListener('click', () => void add());
  byId('rule-replace').addEventListener('click', () => void add(editing));
  byId('faults-refresh').addEventListener('click', () => void refresh());
  byId('faults-clear').addEventListener('click', async () => {
    const count = (JSON.parse(shown || '[]') as FaultRule[]).length;
    const rules = count > 0 ? `all ${count} fault rule${count === 1 ? '' : 's'}` : 'every fault rule';
    if (!(await confirmAction(`Remove ${rules}?`, 'Every request is answered normally again; the rules and their counters are lost.', 'Remove all'))) return;
    try {
      await control('DELETE', '/faults');
      say(message(), 'Removed every rule.');
      succeeded('faults', 'action');
    } catch (err) {
      say(message(), '');
      showFailure(failureText('The fault rules were not removed', err, 'Press Refresh to see the rules as they are, then try again.'), 'faults', 'action');
    }
    await refresh();
  });
  // A fault fired: show the new counters now rather than at the next poll.
  onEntries((batch) => {
    if (visible && batch.some((e) => e.fault)) void refresh();
  });
}
