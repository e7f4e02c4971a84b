/// <reference lib="dom" />
/** The tenant view: reset, snapshot download and upload, the clock, profile and config, tenants. */
import type { TenantConfig } from '../tenant.js';
import { ApiError, control, currentTenant, download, forgetScimAccess, Latest } from './api.js';
import { byId, confirmAction, failureText, fill, h, say, showFailure, succeeded } from './dom.js';
import { journalCleared } from './requests.js';

type Clock = { now: string; frozen: boolean };

/** Set by main: the tenant list changed, or the user picked another tenant here. */
let tenantsChanged: (select?: string) => Promise<void> = async () => undefined;
export function onTenantsChanged(handler: (select?: string) => Promise<void>): void {
  tenantsChanged = handler;
}

const failure = (el: HTMLElement) => (err: unknown) => {
  const e = err as ApiError;
  say(el, e.field ? `${e.field}: ${e.message}` : e.message, 'error');
};

function showClock(clock: Clock): void {
  byId('clock-now').textContent = clock.now;
  byId('clock-mode').textContent = clock.frozen ? 'frozen' : 'real time';
  const freezeAt = byId<HTMLInputElement>('freeze-at');
  if (document.activeElement !== freezeAt) freezeAt.value = clock.now;
}

async function setClock(body: Record<string, unknown>): Promise<void> {
  const message = byId('clock-message');
  const tenant = currentTenant();
  try {
    const clock = await control<Clock>('POST', '/clock', body);
    if (tenant !== currentTenant()) return; // the previous tenant's clock
    showClock(clock);
    say(message, '');
  } catch (err) {
    failure(message)(err);
  }
}

/**
 * The config editor holds the user's text, not the server's, from their first change until they apply it or revert:
 * an answer that arrives meanwhile (the view shown again, a profile picked, a config applied while they typed on)
 * does not overwrite it. When the server's config is then another than the one the editor was filled with, a notice
 * says so and offers to load it (their edits are lost only when they ask).
 */
const editor = {
  /** The text last written into the editor from the server. */
  filled: '',
  /** The user changed the editor since it was last filled. */
  dirty: false,
};

function configText(config: TenantConfig & { tenant?: string }): string {
  const { tenant: _tenant, ...rest } = config;
  return JSON.stringify(rest, null, 2);
}

/** Shows the server's config; the editor only when the user has not changed it since it was filled (or `force`). */
function showConfig(config: TenantConfig & { tenant?: string }, force = false): void {
  byId<HTMLSelectElement>('profile').value = config.profile;
  const text = configText(config);
  if (editor.dirty && !force) {
    if (text !== editor.filled) byId('config-changed').hidden = false;
    return;
  }
  byId<HTMLTextAreaElement>('config-editor').value = text;
  editor.filled = text;
  editor.dirty = false;
  byId('config-changed').hidden = true;
}

/** Empties the editor (another tenant), forgetting the user's edits of the previous tenant's config. */
function clearEditor(): void {
  byId<HTMLTextAreaElement>('config-editor').value = '';
  editor.filled = '';
  editor.dirty = false;
  byId('config-changed').hidden = true;
}

/** `sent`: the editor's text that was applied; the answer replaces it unless the user typed on meanwhile. */
async function patchConfig(patch: unknown, sent?: string): Promise<void> {
  const message = byId('config-message');
  const tenant = currentTenant();
  try {
    const config = await control<TenantConfig>('PATCH', '/config', patch);
    if (tenant !== currentTenant()) return; // the previous tenant's config
    showConfig(config, sent !== undefined && byId<HTMLTextAreaElement>('config-editor').value === sent);
    forgetScimAccess();
    say(message, 'Config applied.');
  } catch (err) {
    failure(message)(err);
  }
}

/** The config asked for by Revert or the notice's button (the user's edits are dropped). */
const reloads = new Latest();

/** Revert: the server's config as it is now, in place of the user's edits. */
async function reloadConfig(): Promise<void> {
  const current = reloads.ask();
  const message = byId('config-message');
  try {
    const config = await control<TenantConfig>('GET', '/config');
    if (!current()) return;
    showConfig(config, true);
    say(message, '');
  } catch (err) {
    if (current()) failure(message)(err);
  }
}

export async function showTenants(tenants: Array<{ id: string; baseUrl: string }>): Promise<void> {
  const list = byId('tenant-list');
  const focused = list.contains(document.activeElement) ? document.activeElement?.getAttribute('aria-label') : null;
  fill(
    list,
    tenants.map((t) =>
      h(
        'li',
        {},
        h('strong', {}, t.id),
        ' ',
        h('code', {}, t.baseUrl),
        t.id === currentTenant() ? h('span', { class: 'badge' }, 'shown') : h('button', { type: 'button', onclick: () => void tenantsChanged(t.id) }, 'Show'),
        t.id === 'default'
          ? null
          : h(
              'button',
              {
                type: 'button',
                'aria-label': `Delete tenant ${t.id}`,
                onclick: async () => {
                  if (!(await confirmAction(`Delete tenant "${t.id}"?`, 'Its directory, fault rules, journal and config are gone; its SCIM base URL answers 404.', 'Delete tenant'))) return;
                  const at = tenants.indexOf(t);
                  try {
                    await control('DELETE', `/tenants/${encodeURIComponent(t.id)}`, undefined, false);
                    await tenantsChanged(t.id === currentTenant() ? 'default' : undefined);
                    say(byId('tenant-message'), `Deleted tenant ${t.id}.`);
                    succeeded('tenant', 'action');
                    // The list was drawn again without its button: the focus goes to the next tenant's, not to the top.
                    if (document.activeElement === document.body || !document.activeElement?.isConnected) {
                      const items = [...byId('tenant-list').children];
                      const near = [items[at], items[at - 1]].map((li) => li?.querySelector<HTMLElement>('button[aria-label^="Delete tenant"]')).find(Boolean);
                      (near ?? byId('new-tenant-id')).focus();
                    }
                  } catch (err) {
                    say(byId('tenant-message'), '');
                    showFailure(failureText(`The tenant "${t.id}" was not deleted`, err, 'Try again; the list shows the tenants as they are.'), 'tenant', 'action');
                  }
                },
              },
              'Delete',
            ),
      ),
    ),
  );
  // Drawn again (a tenant was added or deleted) under a focused button: the same button keeps the focus.
  if (focused) list.querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
}

/** The clock and config last asked for: another tenant's, asked for before it was picked, are not shown. */
const answers = new Latest();

export async function show(): Promise<void> {
  const wanted = answers.ask();
  const tenant = currentTenant();
  try {
    const [clock, config] = await Promise.all([control<Clock>('GET', '/clock'), control<TenantConfig>('GET', '/config')]);
    if (!wanted()) return;
    showClock(clock);
    showConfig(config);
    succeeded('tenant');
  } catch (err) {
    if (wanted()) showFailure(failureText(`The clock and config of tenant "${tenant}" could not be loaded`, err, 'Open the Tenant view again to retry.'), 'tenant');
  }
}

export function hide(): void {}

/**
 * Another tenant: the clock and config shown (and any on their way) were the previous one's; an edit of the
 * previous tenant's config must not be applied to this one.
 */
export function reset(): void {
  answers.drop();
  reloads.drop();
  byId('clock-now').textContent = '';
  byId('clock-mode').textContent = '';
  clearEditor();
  for (const id of ['state-message', 'clock-message', 'config-message']) say(byId(id), '');
}

export function init(): void {
  byId('reset').addEventListener('click', async () => {
    const message = byId('state-message');
    const keep = [byId<HTMLInputElement>('keep-faults').checked ? 'faults' : '', byId<HTMLInputElement>('keep-journal').checked ? 'journal' : ''].filter(Boolean);
    const lost = ['every change to the directory since the seed', keep.includes('faults') ? '' : 'the fault rules', keep.includes('journal') ? '' : 'the journal'].filter(Boolean);
    const listed = lost.length > 1 ? `${lost.slice(0, -1).join(', ')} and ${lost[lost.length - 1]}` : lost[0];
    if (!(await confirmAction(`Reset tenant "${currentTenant()}" to its seed?`, `This loses ${listed}.`, 'Reset'))) return;
    try {
      const result = await control<{ ms: number }>('POST', `/reset${keep.length ? `?keep=${keep.join(',')}` : ''}`);
      say(message, `Reset to the seed state in ${result.ms} ms${keep.length ? ` (kept ${keep.join(' and ')})` : ''}.`);
      succeeded('tenant', 'action');
      if (!keep.includes('journal')) journalCleared();
    } catch (err) {
      say(message, '');
      showFailure(failureText(`The tenant "${currentTenant()}" was not reset`, err, 'Try again; nothing was changed if the server refused it.'), 'tenant', 'action');
    }
  });
  byId('snapshot-download').addEventListener('click', async () => {
    const message = byId('state-message');
    try {
      const snapshot = await control<unknown>('GET', '/snapshot');
      download(`scimulator-${currentTenant()}-snapshot.json`, JSON.stringify(snapshot, null, 2));
      say(message, 'Snapshot downloaded.');
      succeeded('tenant', 'action');
    } catch (err) {
      say(message, '');
      showFailure(failureText('The snapshot was not downloaded', err, 'Try again.'), 'tenant', 'action');
    }
  });
  byId<HTMLInputElement>('snapshot-upload').addEventListener('change', async (ev) => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    const message = byId('state-message');
    if (!file) return;
    try {
      const text = await file.text();
      try {
        JSON.parse(text);
      } catch (err) {
        throw new ApiError(400, `${file.name} is not JSON: ${(err as Error).message}`);
      }
      if (!(await confirmAction(`Load ${file.name} into tenant "${currentTenant()}"?`, 'The snapshot replaces the directory as it is now: every user and group not in the file is lost.', 'Load snapshot'))) return;
      await control('PUT', '/snapshot', text);
      say(message, `Loaded ${file.name}.`);
      succeeded('tenant', 'action');
    } catch (err) {
      say(message, '');
      showFailure(failureText(`${file.name} was not loaded`, err, 'Choose a snapshot file downloaded from Scimulator (JSON) and try again.'), 'tenant', 'action');
    } finally {
      input.value = '';
    }
  });
  byId('freeze-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void setClock({ freeze: byId<HTMLInputElement>('freeze-at').value.trim() });
  });
  byId('advance-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void setClock({ advance: Number(byId<HTMLInputElement>('advance-ms').value) });
  });
  byId('clock-real').addEventListener('click', () => void setClock({ real: true }));
  byId('profile').addEventListener('change', () => void patchConfig({ profile: byId<HTMLSelectElement>('profile').value }));
  byId('config-editor').addEventListener('input', () => {
    editor.dirty = byId<HTMLTextAreaElement>('config-editor').value !== editor.filled;
    if (!editor.dirty) byId('config-changed').hidden = true;
  });
  byId('config-apply').addEventListener('click', () => {
    const text = byId<HTMLTextAreaElement>('config-editor').value;
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch (err) {
      return say(byId('config-message'), `Not valid JSON: ${(err as Error).message}`, 'error');
    }
    void patchConfig(patch, text);
  });
  byId('config-revert').addEventListener('click', () => void reloadConfig());
  byId('config-reload').addEventListener('click', () => void reloadConfig());
  byId('tenant-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const message = byId('tenant-message');
    const spec: Record<string, unknown> = {};
    const id = byId<HTMLInputElement>('new-tenant-id').value.trim();
    if (id) spec.id = id;
    for (const key of ['users', 'groups'] as const) {
      const value = byId<HTMLInputElement>(`new-tenant-${key}`).value.trim();
      if (value !== '') spec[key] = Number(value);
    }
    try {
      const created = await control<{ id: string }>('POST', '/tenants', spec, false);
      say(message, `Created tenant ${created.id}.`);
      byId<HTMLInputElement>('new-tenant-id').value = '';
      await tenantsChanged(created.id);
    } catch (err) {
      failure(message)(err);
    }
  });
}
