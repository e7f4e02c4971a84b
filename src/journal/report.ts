/**
 * The conformance report for CI: every known code (src/conformance-codes.ts) checked against the journal of each
 * tenant, as JSON, JUnit XML (one test suite per tenant, one test case per code) or plain text. The server renders
 * it at GET <control>/conformance?format=..., `scimulator report` renders the JSON it fetches the same way.
 *
 * Everything quoted from requests (paths, the details that quote bodies) is untrusted: characters XML 1.0 cannot
 * carry and terminal control characters become visible \uXXXX escapes, then XML special characters are escaped.
 */
import { CONFORMANCE_CODES, type ConformanceCode } from '../conformance-codes.js';
import type { Journal } from './journal.js';

export interface ConformanceReportSource {
  tenant: string;
  profile?: string;
  journal: Journal;
  /** False when the server records nothing (--no-journal): every check is skipped, not passed. */
  recording: boolean;
  /** Codes this tenant does not check (behaviour findings switched off): skipped, not passed. */
  unchecked?: ReadonlySet<string>;
}

export type ConformanceCheckStatus = 'passed' | 'failed' | 'skipped';

export interface ConformanceCheck {
  code: string;
  /** "unlisted": a code seen in the journal that CONFORMANCE_CODES does not list. */
  kind: ConformanceCode['kind'] | 'unlisted';
  rfc: string;
  /** What the check looks for. */
  checks: string;
  /** A behaviour finding (judged across requests) rather than a warning on one request. */
  finding?: true;
  status: ConformanceCheckStatus;
  /** Why a check was skipped. */
  reason?: string;
  /** Occurrences (a request may carry the same code more than once). */
  count: number;
  /** Distinct requests carrying the code. */
  requests: number;
  /** The first request that triggered the code (failed checks only). */
  first?: { id: string; method: string; path: string };
  /** The detail of the first occurrence (failed checks only). */
  example?: string;
}

export interface TenantConformanceReport {
  tenant: string;
  profile?: string;
  recording: boolean;
  /** Requests in the journal when the report was made. */
  totalRequests: number;
  requestsWithWarnings: number;
  /** Requests that completed a behaviour finding. */
  requestsWithFindings: number;
  /** Requests dropped from the journal's ring buffer before the report: their warnings are not counted. */
  evicted: number;
  checks: ConformanceCheck[];
}

export interface ConformanceReport {
  tenants: TenantConformanceReport[];
  tests: number;
  failures: number;
  skipped: number;
}

/** What fails a build: any code triggered, or only RFC deviations. */
export type FailOn = 'warning' | 'deviation';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['warning', 'deviation'];
export const REPORT_FORMATS = ['json', 'junit', 'text'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const MAX_QUOTED = 2000;

export function tenantConformanceReport(source: ConformanceReportSource, codes: readonly ConformanceCode[] = CONFORMANCE_CODES): TenantConformanceReport {
  const { journal } = source;
  const summary = journal.conformanceSummary();
  const seen = new Map([...summary.warnings, ...summary.behaviour].map((w) => [w.code, w]));
  const status = (triggered: boolean): ConformanceCheckStatus => (!source.recording ? 'skipped' : triggered ? 'failed' : 'passed');
  const checks: ConformanceCheck[] = [];
  const add = (code: string, kind: ConformanceCheck['kind'], rfc: string, text: string, finding?: true) => {
    const item = seen.get(code);
    const check: ConformanceCheck = { code, kind, rfc, checks: text, status: status(item !== undefined), count: item?.count ?? 0, requests: item?.requests ?? 0 };
    if (finding) check.finding = true;
    if (source.recording && !item && source.unchecked?.has(code)) {
      check.status = 'skipped';
      check.reason = 'switched off for this tenant (config behaviour.disabled or behaviour.enabled false)';
    }
    if (item) {
      const entry = journal.get(item.firstRequestId);
      check.first = { id: item.firstRequestId, method: entry?.method ?? '?', path: bounded(entry?.path ?? '?') };
      check.example = bounded(item.example);
    }
    checks.push(check);
  };
  const listed = new Set<string>();
  for (const c of codes) {
    listed.add(c.code);
    add(c.code, c.kind, c.rfc, c.checks, c.finding);
  }
  for (const w of summary.warnings) if (!listed.has(w.code)) add(w.code, 'unlisted', w.rfc, 'a code this version of the report does not list');
  for (const f of summary.behaviour) if (!listed.has(f.code)) add(f.code, 'unlisted', f.rfc, 'a code this version of the report does not list', true);
  const report: TenantConformanceReport = {
    tenant: source.tenant,
    recording: source.recording,
    totalRequests: summary.totalRequests,
    requestsWithWarnings: summary.requestsWithWarnings,
    requestsWithFindings: summary.requestsWithFindings,
    evicted: journal.evicted,
    checks,
  };
  if (source.profile !== undefined) report.profile = source.profile;
  return report;
}

export function conformanceReport(sources: readonly ConformanceReportSource[], codes: readonly ConformanceCode[] = CONFORMANCE_CODES): ConformanceReport {
  const tenants = sources.map((s) => tenantConformanceReport(s, codes));
  const all = tenants.flatMap((t) => t.checks);
  return { tenants, tests: all.length, failures: all.filter((c) => c.status === 'failed').length, skipped: all.filter((c) => c.status === 'skipped').length };
}

/** The failed checks that `--fail-on level` counts. */
export function failingChecks(report: ConformanceReport, level: FailOn): Array<ConformanceCheck & { tenant: string }> {
  return report.tenants.flatMap((t) =>
    t.checks.filter((c) => c.status === 'failed' && (level === 'warning' || c.kind === 'deviation')).map((c) => ({ ...c, tenant: t.tenant })),
  );
}

// ------------------------------------------------------------------------------------------------------------
// Quoting untrusted text.

// C0 controls but tab, line feed and carriage return; DEL and C1; lone surrogates; the two non-characters XML forbids.
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const escapeCode = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Quoted request text is kept to MAX_QUOTED characters in the report. */
function bounded(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}... (${text.length - MAX_QUOTED} more characters)` : text;
}

/** Untrusted text made visible: unsafe characters as \uXXXX. */
const visible = (text: string) => text.replace(UNSAFE, escapeCode);

/** For one line of plain text: line breaks and tabs escaped as well. */
export const oneLine = (text: string) => visible(text).replace(/[\t\n\r]/g, escapeCode);

const XML_TEXT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xmlText = (text: string) => visible(text).replace(/[&<>"']/g, (c) => XML_TEXT[c]!);
/** Attribute values: line breaks and tabs as character references, or a parser would fold them into spaces. */
const xmlAttr = (text: string | number) => xmlText(String(text)).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);

// ------------------------------------------------------------------------------------------------------------
// Rendering.

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "RFC 7644 3.5.2: 3 occurrences in 2 requests; first PATCH /scim/v2/Users/1 (req-4)" */
function failureMessage(c: ConformanceCheck): string {
  const first = c.first ? `; first ${c.first.method} ${c.first.path} (${c.first.id})` : '';
  return `${c.rfc}: ${plural(c.count, 'occurrence')} in ${plural(c.requests, 'request')}${first}`;
}

export function renderJunit(report: ConformanceReport): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Scimulator conformance" tests="${report.tests}" failures="${report.failures}" errors="0" skipped="${report.skipped}" time="0">`,
  ];
  for (const t of report.tenants) {
    const failures = t.checks.filter((c) => c.status === 'failed').length;
    const skipped = t.checks.filter((c) => c.status === 'skipped').length;
    lines.push(`  <testsuite name="${xmlAttr(`tenant ${t.tenant}`)}" tests="${t.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`);
    lines.push('    <properties>');
    const props: Array<[string, string | number]> = [['tenant', t.tenant], ['profile', t.profile ?? ''], ['requests', t.totalRequests], ['requestsWithWarnings', t.requestsWithWarnings], ['requestsWithFindings', t.requestsWithFindings], ['evicted', t.evicted], ['recording', String(t.recording)]];
    for (const [name, value] of props) lines.push(`      <property name="${name}" value="${xmlAttr(value)}"/>`);
    lines.push('    </properties>');
    const classname = xmlAttr(`scimulator.conformance.${t.tenant}`);
    for (const c of t.checks) {
      const open = `    <testcase classname="${classname}" name="${xmlAttr(c.code)}" time="0"`;
      if (c.status === 'passed') {
        lines.push(`${open}/>`);
      } else if (c.status === 'skipped') {
        lines.push(`${open}>`, `      <skipped message="${xmlAttr(c.reason ?? 'the journal is off (--no-journal): no request was recorded')}"/>`, '    </testcase>');
      } else {
        const body = [
          c.example ?? '',
          `Checked: ${c.checks} (${c.kind}).`,
          `The requests: the journal entries with ${c.finding ? 'findingCode' : 'warningCode'}=${c.code} in tenant ${t.tenant}${c.finding ? ' (and GET /behaviour)' : ''}.`,
        ].join('\n');
        lines.push(`${open}>`, `      <failure type="${xmlAttr(c.kind)}" message="${xmlAttr(failureMessage(c))}">${xmlText(body)}</failure>`, '    </testcase>');
      }
    }
    if (t.evicted > 0) lines.push(`    <system-out>${xmlText(`${t.evicted} earlier requests were dropped from the journal (--journal-capacity) and are not counted.`)}</system-out>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export function renderText(report: ConformanceReport): string {
  const passed = report.tests - report.failures - report.skipped;
  const lines = [`Scimulator conformance: ${report.failures} failed, ${passed} passed, ${report.skipped} skipped (${plural(report.tenants.length, 'tenant')})`];
  for (const t of report.tenants) {
    lines.push('', `tenant ${oneLine(t.tenant)}${t.profile ? ` (profile ${oneLine(t.profile)})` : ''}: ${plural(t.totalRequests, 'request')}, ${t.requestsWithWarnings} with warnings, ${t.requestsWithFindings} with behaviour findings${t.evicted ? `, ${t.evicted} older ones dropped from the journal` : ''}`);
    if (!t.recording) {
      lines.push('  skipped: the journal is off (--no-journal), so nothing was checked');
      continue;
    }
    for (const c of t.checks) {
      if (c.status !== 'failed') continue;
      lines.push(`  FAIL ${oneLine(c.code)} [${c.kind}] ${oneLine(failureMessage(c))}`);
      if (c.example) lines.push(`       ${oneLine(c.example)}`);
    }
    const ok = t.checks.filter((c) => c.status === 'passed').map((c) => c.code);
    if (ok.length) lines.push(`  passed (${ok.length}): ${ok.join(', ')}`);
    const off = t.checks.filter((c) => c.status === 'skipped').map((c) => c.code);
    if (off.length) lines.push(`  skipped (${off.length}, switched off for this tenant): ${off.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderReport(report: ConformanceReport, format: ReportFormat): string {
  if (format === 'junit') return renderJunit(report);
  if (format === 'text') return renderText(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  junit: 'application/xml; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};
