/** The results table: one row per measured quantity, printed as text and as Markdown, and kept as JSON. */

export const COLUMNS = [
  ['scimulator', 'Scimulator'],
  ['http', 'node:http'],
  ['express', 'express 5'],
  ['jsonServer', 'json-server'],
  ['scimmy', 'scimmy-routers'],
  ['loop', 'JS loop'],
];

export function fmtNumber(x, unit) {
  if (!Number.isFinite(x)) return '?';
  if (unit === 'ms') return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  if (unit === 'MB') return x.toFixed(0);
  if (unit === '%') return `${x.toFixed(1)}%`;
  if (x >= 10_000) return `${(x / 1000).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  return x.toFixed(1);
}

/** "median (min–max)", or the n/a reason. */
export function fmtCell(cell, unit, { full = false } = {}) {
  if (!cell) return '';
  if (cell.na) return full ? `n/a (${cell.na})` : 'n/a';
  const m = fmtNumber(cell.median, unit);
  if (!Array.isArray(cell.runs) || cell.runs.length < 2) return m;
  return `${m} (${fmtNumber(cell.min, unit)}–${fmtNumber(cell.max, unit)})`;
}

const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×` : '');

function cellsOf(row, opts) {
  return [
    `${row.id} ${row.what} [${row.unit}]`,
    ...COLUMNS.map(([key]) => fmtCell(row.cells[key], row.unit, opts)),
    fmtRatio(row.ratios?.express),
    fmtRatio(row.ratios?.http),
    fmtRatio(row.ratios?.peer),
    row.goal ?? '',
    row.verdict ?? '',
  ];
}

const HEAD = ['Workload', ...COLUMNS.map(([, name]) => name), 'vs express', 'vs node:http', 'vs SCIM peer', 'Goal', 'Result'];

export function textTable(rows) {
  const body = rows.map((r) => cellsOf(r));
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i >= cells.length - 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(rows) {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const out = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === 0 || i >= HEAD.length - 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) out.push(`| ${cellsOf(r).map(esc).join(' | ')} |`);
  return out.join('\n');
}

/** Lines explaining every n/a cell (the table only says n/a). */
export function naNotes(rows) {
  const notes = [];
  for (const r of rows) {
    for (const [key, name] of COLUMNS) {
      const c = r.cells[key];
      if (c?.na) notes.push(`${r.id} ${name}: ${c.na}`);
    }
  }
  return notes;
}
