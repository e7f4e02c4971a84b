/// <reference lib="dom" />
/**
 * The dashboard page: asks for the control token when the server has one, then shows one view at a time
 * (the location hash names it) for the tenant picked in the header.
 */
import { ApiError, boot, control, currentTenant, getToken, selectTenant, setToken, whenUnauthorized } from './api.js';
import * as conformance from './conformance.js';
import * as controls from './controls.js';
import * as directory from './directory.js';
import { byId, clearFailure, failureText, initBanner, options, say, showFailure } from './dom.js';
import * as faults from './faults.js';
import * as requests from './requests.js';

interface View {
  init(): void;
  show(): void | Promise<void>;
  hide(): void;
}
const requestsView: View = { init: requests.init, show: () => undefined, hide: () => undefined };
const views: Record<string, View> = { requests: requestsView, conformance, faults, directory, tenant: controls };
const TENANT_KEY = 'scimulator.tenant';
let current = '';
let entered = false;

function route(): void {
  if (!entered) return;
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'requests';
  // Another view: a failure shown is about the one left (or about the page), not about this one.
  if (name !== current) clearFailure();
  for (const [key, view] of Object.entries(views)) {
    const section = byId(`view-${key}`);
    const active = key === name;
    if (!active && !section.hidden) view.hide();
    section.hidden = !active;
  }
  for (const a of byId('tabs').querySelectorAll<HTMLAnchorElement>('a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current = name;
  void views[name].show();
}

/** The tenants (and the one shown) the picker and the list show now: a poll that finds the same leaves them alone. */
let tenantsShown = '';
/** How often the tenant picker looks for tenants created or deleted elsewhere (a test, the CLI, another tab). */
const TENANTS_POLL_MS = 5000;

/** Fills the tenant picker and the tenant list; returns the tenant ids. */
async function loadTenants(): Promise<string[]> {
  const { tenants } = await control<{ tenants: Array<{ id: string; baseUrl: string }> }>('GET', '/tenants', undefined, false);
  const ids = tenants.map((t) => t.id);
  const key = JSON.stringify([currentTenant(), tenants]);
  if (key === tenantsShown) return ids;
  tenantsShown = key;
  const picker = byId<HTMLSelectElement>('tenant-select');
  options(picker, ids, false);
  picker.value = ids.includes(currentTenant()) ? currentTenant() : 'default';
  await controls.showTenants(tenants);
  return ids;
}

/** Shows another tenant: its journal stream, directory and controls. */
function switchTenant(id: string): void {
  sessionStorage.setItem(TENANT_KEY, id);
  // What failed was another tenant's.
  clearFailure();
  selectTenant(id);
  byId<HTMLSelectElement>('tenant-select').value = id;
  // What the views show (and what is on its way to them) is the previous tenant's.
  directory.reset();
  conformance.reset();
  faults.reset();
  controls.reset();
  requests.restart();
  if (current) void views[current].show();
  void loadTenants();
}

function askToken(message = ''): void {
  entered = false;
  requests.stop();
  clearFailure();
  for (const key of Object.keys(views)) byId(`view-${key}`).hidden = true;
  byId('tabs').hidden = true;
  byId('sign-out').hidden = true;
  byId('login').hidden = false;
  say(byId('login-message'), message, 'error');
  byId<HTMLInputElement>('login-token').focus();
}

async function enter(): Promise<void> {
  const health = await control<{ version: string }>('GET', '/health', undefined, false);
  byId('version').textContent = `v${health.version}`;
  byId('login').hidden = true;
  byId('tabs').hidden = false;
  byId('sign-out').hidden = getToken() === null;
  const ids = await loadTenants();
  const wanted = sessionStorage.getItem(TENANT_KEY) ?? 'default';
  entered = true;
  switchTenant(ids.includes(wanted) ? wanted : 'default');
  route();
}

function fatal(err: unknown): void {
  // A refused token: the prompt already says so.
  if (err instanceof ApiError && err.status === 401) return;
  showFailure(failureText('The dashboard could not reach the control API', err, 'Check that the server is running, then reload the page.'));
}

async function start(): Promise<void> {
  initBanner();
  for (const view of Object.values(views)) view.init();
  whenUnauthorized(() => {
    setToken(null);
    askToken('The server refused this token.');
  });
  controls.onTenantsChanged(async (select) => {
    const ids = await loadTenants();
    if (select && ids.includes(select)) switchTenant(select);
    else if (!ids.includes(currentTenant())) switchTenant('default');
  });
  requests.whenTenantGone(() => {
    const gone = currentTenant();
    if (gone === 'default') return; // never deleted (the server refuses to)
    switchTenant('default');
    showFailure(`The tenant "${gone}" was deleted, so the dashboard shows "default". Create it again on the Tenant view to use it.`);
  });
  byId('tenant-select').addEventListener('change', () => switchTenant(byId<HTMLSelectElement>('tenant-select').value));
  byId('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(byId<HTMLInputElement>('login-token').value);
    byId<HTMLInputElement>('login-token').value = '';
    enter().catch((err) => {
      if (!entered && !byId('login').hidden) return; // refused: the prompt says so
      fatal(err);
    });
  });
  byId('sign-out').addEventListener('click', () => {
    setToken(null);
    askToken();
  });
  addEventListener('hashchange', route);
  // Tenants made or deleted through the control API (a test harness makes one per test) show up without a reload.
  window.setInterval(() => {
    if (entered && !document.hidden) loadTenants().catch(() => undefined);
  }, TENANTS_POLL_MS);
  const { tokenRequired, journal } = await boot();
  if (journal === false) requests.journalOff();
  if (tokenRequired && getToken() === null) return askToken();
  await enter();
}

start().catch(fatal);
