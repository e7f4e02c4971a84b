/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * A few DOM helpers. Everything the page shows from the server (journal entries hold whatever a client sent) goes
 * in as text nodes or attribute values, never as markup.
 */
import { ApiError } from './api.js';

export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: Event) => void);

/** Creates an element: `on*` attributes become listeners, `true` a bare attribute, false/null/undefined nothing. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** JSON indented for reading; text stays text. */
export function pretty(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** "14:03:07.125" in the browser's time zone. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The CSS class of a status: s2, s3, s4, s5, or s0 (no response). */
export function statusClass(status: number): string {
  return `s${Math.floor(status / 100)}`;
}

/** Shows a message in a status/alert element; empty text hides it. */
export function say(el: HTMLElement, text: string, kind: 'ok' | 'error' = 'ok'): void {
  el.textContent = text;
  el.hidden = text === '';
  el.classList.toggle('error', kind === 'error');
}

/** A select of options (value = label unless given as [value, label]). */
export function options(select: HTMLSelectElement, values: Array<string | [string, string]>, keep = true): void {
  const current = select.value;
  fill(
    select,
    values.map((v) => {
      const [value, label] = Array.isArray(v) ? v : [v, v];
      return h('option', { value }, label);
    }),
  );
  if (keep && [...select.options].some((o) => o.value === current)) select.value = current;
}

/** Settles the confirmation the dialog shows, if any (false: not confirmed). */
let settleConfirm: ((confirmed: boolean) => void) | undefined;

/**
 * Asks before an action that loses data (clear the journal, reset, remove rules, delete a tenant, load a snapshot):
 * a modal dialog (the page behind it inert) that says what goes, with Cancel focused; Tab reaches the action's
 * button, Enter or Space presses it, Escape cancels. The focus goes back where it was. Resolves true when confirmed.
 */
export function confirmAction(title: string, detail: string, action: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm');
  // A question still open (asked by code, not by a click: the page behind is inert) is answered "no" first.
  settleConfirm?.(false);
  if (dialog.open) dialog.close('cancel');
  const from = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const label = from?.getAttribute('aria-label');
  byId('confirm-title').textContent = title;
  byId('confirm-detail').textContent = detail;
  byId('confirm-ok').textContent = action;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    const settle = (confirmed: boolean) => {
      dialog.removeEventListener('close', closed);
      if (settleConfirm === settle) settleConfirm = undefined;
      resolve(confirmed);
    };
    function closed(): void {
      // The close event of the question this one replaced arrives while this one is open: not this one's answer.
      if (dialog.open) return;
      // Back to the button that asked; a list redrawn meanwhile (the faults poll) has the same button anew.
      const back = from?.isConnected ? from : label ? document.querySelector<HTMLElement>(`[aria-label="${CSS.escape(label)}"]`) : null;
      back?.focus();
      settle(dialog.returnValue === 'ok');
    }
    settleConfirm = settle;
    dialog.addEventListener('close', closed);
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}

// ---- the error banner

/**
 * The page's one error banner (#banner, its text in #fatal, role="alert" so a screen reader announces it): the latest
 * failure that is not about a field of a form (those are said beside the field), and what to do about it.
 *
 * A failure concerns a view and is of a kind: loading the view (its list, summary or settings) or an action taken
 * in it (remove a rule, clear the journal). It goes away when it no longer holds: the view it concerns loads
 * successfully (a load failure) or the same kind of action succeeds there (an action failure), the user switches
 * view or tenant, or dismisses it (the close button, reachable with Tab; Enter or Space presses it). A newer failure
 * replaces it. A failure of the page itself (the control API unreachable at start, the tenant shown deleted)
 * concerns no view: only a switch or the close button clears it.
 */
export type FailureKind = 'load' | 'action';

/** What the banner shows a failure of: "<view>/<kind>", or "" for the page as a whole; undefined when hidden. */
let about: string | undefined;

const key = (view: string, kind: FailureKind) => `${view}/${kind}`;

/**
 * What went wrong, told as "<what failed>: <why>. <what to do>": a network error says the server did not answer
 * rather than the browser's "Failed to fetch".
 */
export function failureText(what: string, err: unknown, todo: string): string {
  const why =
    err instanceof ApiError
      ? err.field
        ? `${err.field}: ${err.message}`
        : err.message
      : err instanceof TypeError
        ? `the server did not answer (${err.message}); check that Scimulator is still running and reachable`
        : String((err as Error)?.message ?? err);
  return `${what}: ${why.replace(/[.\s]+$/, '')}. ${todo}`;
}

/** Shows a failure; `view` undefined: the page's own (cleared by a switch or the close button only). */
export function showFailure(text: string, view?: string, kind: FailureKind = 'load'): void {
  const line = byId('fatal');
  // Emptied first: the same text again (the same refresh failing twice) is announced again.
  line.textContent = '';
  line.textContent = text;
  about = view === undefined ? '' : key(view, kind);
  byId('banner').hidden = false;
}

/** The view loaded (kind "load") or an action in it succeeded (kind "action"): a failure of the same goes. */
export function succeeded(view: string, kind: FailureKind = 'load'): void {
  if (about === key(view, kind)) clearFailure();
}

/** Hides the banner (the user switched view or tenant, or dismissed it). */
export function clearFailure(): void {
  about = undefined;
  byId('fatal').textContent = '';
  byId('banner').hidden = true;
}

export function initBanner(): void {
  byId('banner-close').addEventListener('click', () => {
    const hadFocus = document.activeElement === byId('banner-close');
    clearFailure();
    // The focused button is gone: the focus goes to the view's tab rather than to the top of the page.
    if (hadFocus) byId('tabs').querySelector<HTMLElement>('a[aria-current="page"]')?.focus();
  });
}
