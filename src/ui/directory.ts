/// <reference lib="dom" />
/**
 * The directory view, through the tenant's SCIM API: resources of a type with a SCIM filter and paging, a
 * resource's JSON, a group's members (and a user's groups) linking to them.
 */
import { Latest, scim } from './api.js';
import { byId, fill, h, options, pretty, say } from './dom.js';

interface ResourceType {
  name: string;
  endpoint: string;
}
interface ListResponse {
  totalResults: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: Resource[];
}
type Resource = Record<string, unknown> & { id: string };
type Ref = { value?: string; display?: string; type?: string; $ref?: string };

let types: ResourceType[] = [];
let startIndex = 1;
let total = 0;
let loaded = false;

const errorBox = () => byId('d-error');
const typeSelect = () => byId<HTMLSelectElement>('d-type');
const current = () => types.find((t) => t.name === typeSelect().value) ?? { name: 'User', endpoint: '/Users' };
const pageSize = () => Number(byId<HTMLSelectElement>('d-count').value);

/** Columns per resource type: header and how to read the cell. */
function columns(type: string): Array<[string, (r: Resource) => string]> {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  if (type === 'User') {
    return [
      ['userName', (r) => text(r.userName)],
      ['name', (r) => text((r.name as { formatted?: string } | undefined)?.formatted ?? r.displayName)],
      ['email', (r) => {
        const emails = (r.emails as Array<{ value?: string; primary?: boolean }> | undefined) ?? [];
        return text((emails.find((e) => e.primary) ?? emails[0])?.value);
      }],
      ['active', (r) => text(r.active)],
    ];
  }
  if (type === 'Group') return [['displayName', (r) => text(r.displayName)], ['members', (r) => text(((r.members as unknown[]) ?? []).length)]];
  return [['id', (r) => r.id], ['name', (r) => text(r.displayName ?? r.name ?? r.externalId)]];
}

async function loadTypes(wanted: () => boolean): Promise<void> {
  const list = await scim<ListResponse>('GET', '/ResourceTypes');
  // Another tenant's types, asked for before this one was picked: not these.
  if (!wanted()) return;
  types = ((list.Resources ?? []) as unknown as ResourceType[]).map((t) => ({ name: t.name, endpoint: t.endpoint }));
  options(typeSelect(), types.map((t) => [t.name, `${t.name} (${t.endpoint})`]));
  if (!typeSelect().value) typeSelect().value = 'User';
}

/**
 * The search last started: an answer that arrives after a newer search started (another tenant picked, another
 * page asked for while the first was in flight) is dropped, or it would fill the list with what is no longer asked
 * for.
 */
const searches = new Latest();
/** The resource last opened: another tenant's, or one opened before, is not shown. */
const opened = new Latest();

export async function search(from = 1): Promise<void> {
  const wanted = searches.ask();
  say(errorBox(), '');
  try {
    if (!types.length) await loadTypes(wanted);
    if (!wanted()) return;
    const type = current();
    const params = new URLSearchParams({ startIndex: String(from), count: String(pageSize()) });
    const filter = byId<HTMLInputElement>('d-filter').value.trim();
    if (filter) params.set('filter', filter);
    const list = await scim<ListResponse>('GET', `${type.endpoint}?${params}`);
    if (!wanted()) return;
    startIndex = list.startIndex ?? from;
    total = list.totalResults;
    const resources = list.Resources ?? [];
    const cols = columns(type.name);
    fill(byId('d-head'), h('tr', {}, cols.map(([name]) => h('th', {}, name))));
    fill(
      byId('d-body'),
      resources.length === 0
        ? h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'No resources match.'))
        : resources.map((r) =>
            h(
              'tr',
              { 'data-id': r.id },
              cols.map(([, read], i) =>
                h('td', {}, i === 0 ? h('a', { href: '#directory', onclick: (ev: Event) => (ev.preventDefault(), void open(type.endpoint, r.id)) }, read(r) || r.id) : read(r)),
              ),
            ),
          ),
    );
    const last = startIndex + resources.length - 1;
    byId('d-range').textContent = resources.length ? `${startIndex}-${last} of ${total}` : `0 of ${total}`;
    byId<HTMLButtonElement>('d-prev').disabled = startIndex <= 1;
    byId<HTMLButtonElement>('d-next').disabled = last >= total;
  } catch (err) {
    if (wanted()) say(errorBox(), (err as Error).message, 'error');
  }
}

function refLinks(title: string, refs: Ref[], fallbackEndpoint: string): Array<HTMLElement> {
  if (refs.length === 0) return [];
  return [
    h('h3', {}, `${title} (${refs.length})`),
    h(
      'ul',
      { class: 'refs' },
      refs.map((m) => {
        const endpoint = m.type === 'Group' ? '/Groups' : m.type === 'User' ? '/Users' : fallbackEndpoint;
        return h(
          'li',
          {},
          m.value
            ? h('a', { href: '#directory', 'data-ref': m.value, onclick: (ev: Event) => (ev.preventDefault(), void open(endpoint, m.value!)) }, m.display ?? m.value)
            : (m.display ?? ''),
          m.type ? h('span', { class: 'muted' }, ` ${m.type}`) : null,
        );
      }),
    ),
  ];
}

/** Shows one resource: its JSON, and links to its members or groups. */
async function open(endpoint: string, id: string): Promise<void> {
  const panel = byId('resource');
  const wanted = opened.ask();
  try {
    const r = await scim<Resource>('GET', `${endpoint}/${encodeURIComponent(id)}`);
    if (!wanted()) return;
    const name = String(r.userName ?? r.displayName ?? r.id);
    fill(
      panel,
      h(
        'header',
        { class: 'detail-head' },
        h('h2', {}, name, ' ', h('span', { class: 'muted' }, `${endpoint}/${r.id}`)),
        h('button', { type: 'button', class: 'close', 'aria-label': 'Close resource', onclick: () => (panel.hidden = true) }, '×'),
      ),
      refLinks('Members', (r.members as Ref[] | undefined) ?? [], '/Users'),
      refLinks('Groups', (r.groups as Ref[] | undefined) ?? [], '/Groups'),
      h('h3', {}, 'JSON'),
      h('pre', { class: 'json', id: 'resource-json', tabindex: 0 }, pretty(r)),
    );
    panel.hidden = false;
    panel.focus();
  } catch (err) {
    if (wanted()) say(errorBox(), (err as Error).message, 'error');
  }
}

export function show(): void {
  if (!loaded) {
    loaded = true;
    void search(1);
  }
}

export function hide(): void {}

/** Another tenant: its types and resources. */
export function reset(): void {
  searches.drop();
  opened.drop();
  types = [];
  loaded = false;
  byId('resource').hidden = true;
  fill(byId('d-body'));
  fill(byId('d-head'));
  byId('d-range').textContent = '';
}

export function init(): void {
  byId('directory-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void search(1);
  });
  typeSelect().addEventListener('change', () => void search(1));
  byId('d-count').addEventListener('change', () => void search(1));
  byId('d-prev').addEventListener('click', () => void search(Math.max(1, startIndex - pageSize())));
  byId('d-next').addEventListener('click', () => void search(startIndex + pageSize()));
  byId('resource').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') byId('resource').hidden = true;
  });
}
