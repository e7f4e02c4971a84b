/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * A few DOM helpers. Everything the page shows from the server (journal entries hold whatever a client sent) goes
 * in as text nodes or attribute values, never as markup.
 */

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
