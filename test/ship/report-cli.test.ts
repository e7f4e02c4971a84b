/**
 * `scimulator report` as CI runs it (the compiled CLI, spawned) against running servers, and the start-up lines that
 * name the control API. Exit codes: 0 report written, 1 --fail-on met, 2 bad usage, 3 no report could be had, 4 the
 * report could not be written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';
import { buildCli, CLI, startCli } from '../harden/cli.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI without blocking this process (the servers under test live in it). */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function scim(handle: ScimulatorHandle, method: string, path: string, body: unknown, contentType = 'application/scim+json') {
  const res = await fetch(`${handle.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${handle.token}`, 'Content-Type': contentType }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let warned: ScimulatorHandle; // saw op-case and boolean-string (Entra ID's deactivation)
let clean: ScimulatorHandle; // saw RFC-shaped requests only
let informational: ScimulatorHandle; // saw only content-type (legal, informational)
let guarded: ScimulatorHandle; // control API behind a token

beforeAll(async () => {
  await buildCli();
  [warned, clean, informational, guarded] = await Promise.all([startScimulator(), startScimulator(), startScimulator(), startScimulator({ controlToken: 'ctl-secret' })]);
  const user = await scim(warned, 'POST', '/Users', { schemas: [USER], userName: 'alice' });
  expect((await scim(warned, 'PATCH', `/Users/${user.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).status).toBe(200);
  const okta = await scim(clean, 'POST', '/Users', { schemas: [USER], userName: 'bob', active: true });
  expect((await scim(clean, 'PATCH', `/Users/${okta.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).status).toBe(200);
  expect((await scim(informational, 'POST', '/Users', { schemas: [USER], userName: 'carol' }, 'application/json')).status).toBe(201);
}, 240_000);

afterAll(async () => {
  await Promise.all([warned, clean, informational, guarded].filter(Boolean).map((h) => h.close()));
});

describe('scimulator report', () => {
  it('exits 1 with --fail-on warning against a server that saw two warning codes, and prints JUnit with both failed', async () => {
    const r = await run(['report', '--url', warned.url, '--format', 'junit', '--fail-on', 'warning']);
    expect(r.code, r.stderr).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (n) => n === 'testcase' || n === 'testsuite' }).parse(r.stdout);
    const cases = doc.testsuites.testsuite[0].testcase as Array<{ '@_name': string; failure?: unknown }>;
    expect(cases.filter((c) => c.failure).map((c) => c['@_name']).sort()).toEqual(['boolean-string', 'op-case']);
    expect(r.stderr).toMatch(/^scimulator: --fail-on warning: 2 checks failed: op-case \(tenant default: 1x, first PATCH \/scim\/v2\/Users\/[0-9a-f-]{36} req-2\); boolean-string/);
    // RFC deviations both: --fail-on deviation fails as well; without --fail-on the report is only written.
    expect((await run(['report', '--url', warned.url, '--fail-on', 'deviation'])).code).toBe(1);
    const plain = await run(['report', '--url', warned.url]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Scimulator conformance: 2 failed, \d+ passed, 0 skipped \(1 tenant\)/);
  });

  it('exits 0 with --fail-on warning against a server that saw none', async () => {
    const r = await run(['report', '--url', clean.url, '--format', 'junit', '--fail-on', 'warning']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('failures="0"');
  });

  it('--fail-on deviation lets informational codes pass; --fail-on warning does not', async () => {
    expect((await run(['report', '--url', informational.url, '--fail-on', 'deviation'])).code).toBe(0);
    const r = await run(['report', '--url', informational.url, '--fail-on', 'warning']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('content-type (tenant default: 1x, first POST /scim/v2/Users req-1)');
  });

  it('writes --out FILE (JSON or JUnit), and --tenant narrows the report to one tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-report-'));
    const created = await warned.createTenant({ id: 'second' });
    try {
      const file = join(dir, 'report.json');
      const r = await run(['report', '--url', warned.url, '--format', 'json', '--out', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Wrote ${file}: 2 failed, \\d+ passed, 0 skipped in 2 tenants\\n$`));
      const json = JSON.parse(readFileSync(file, 'utf8'));
      expect(json.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['default', 'second']);

      const one = await run(['report', '--url', warned.url, '--tenant', created.id, '--format', 'junit', '--fail-on', 'warning', '--out', join(dir, 'second.xml')]);
      expect(one.code, one.stderr).toBe(0);
      expect(readFileSync(join(dir, 'second.xml'), 'utf8')).toContain('<testsuite name="tenant second"');
      expect(readFileSync(join(dir, 'second.xml'), 'utf8')).not.toContain('tenant default');
    } finally {
      await warned.deleteTenant(created.id);
    }
  });

  it('sends the control token from --control-token or SCIMULATOR_CONTROL_TOKEN, and ignores the server\'s other SCIMULATOR_* variables', async () => {
    const refused = await run(['report', '--url', guarded.url]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`scimulator: no conformance report from ${guarded.url}: the control API answered 401`);
    expect((await run(['report', '--url', guarded.url, '--control-token', 'ctl-secret'])).code).toBe(0);
    // One CI environment for the server and the report: the server's variables must not break the report.
    const fromEnv = await run(['report', '--url', guarded.url, '--fail-on', 'warning'], { SCIMULATOR_CONTROL_TOKEN: 'ctl-secret', SCIMULATOR_PORT: '8080', SCIMULATOR_SEED_FILE: 'x.json' });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });

  it('answers bad usage with 2 and an unreachable server with 3, naming the problem', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['report'], 2, /Missing required argument: url/],
      [['report', '--url', 'ftp://example.com'], 2, /--url must be the server's http\(s\) address/],
      [['report', '--url', clean.url, '--format', 'xml'], 2, /Invalid values:.*format/],
      [['report', '--url', clean.url, '--fail-on', 'error'], 2, /Invalid values:.*fail-on/],
      [['report', '--url', clean.url, '--control-path', '_mock'], 2, /^scimulator: --control-path must be the server's control path, starting with "\/" \(such as \/_mock\), got "_mock"; did you mean \/_mock\?\n$/],
      [['report', '--url', clean.url, '--control-path', 'http://x/_mock'], 2, /--control-path must be the server's control path, starting with "\/"/],
      [['report', '--url', clean.url, '--control-path', '/nope'], 3, /no conformance report from .*: the control API answered 404/],
      // Something other than the control API answered: the line says what to change.
      [['report', '--url', clean.url, '--control-path', '/nope'], 3, /^scimulator: no conformance report from .*: the control API answered 404: GET http:\/\/127\.0\.0\.1:\d+\/nope\/conformance answered 404 without a control API error, so no Scimulator control API is there: is \/nope the server's --control-path\?\n$/],
      [['report', '--url', clean.baseUrl], 3, /^scimulator: no conformance report from http:\/\/127\.0\.0\.1:\d+\/scim\/v2: .*: --url is the server's address without a path, such as http:\/\/127\.0\.0\.1:\d+, not its SCIM base URL\n$/],
      [['report', '--url', clean.url, '--tenant', ''], 2, /^scimulator: --tenant must name a tenant; leave it out for every tenant\n$/],
      [['report', '--url', clean.url.replace('http://', 'http://ci:s3cret@')], 2, /^scimulator: --url must not hold credentials \(http:\/\/127\.0\.0\.1:\d+ without "user:password@"\); the control API's token goes in --control-token\n$/],
      [['report', '--url', 'http://127.0.0.1:9'], 3, /no conformance report from http:\/\/127\.0\.0\.1:9: fetch failed/],
    ];
    const runs = await Promise.all(cases.map(([args]) => run(args)));
    for (const [i, [args, code, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  }, 60_000);

  it('exits 4, not 1 (--fail-on met), when --out cannot be written, naming the file; a trailing "/" on --control-path is fine', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'scimulator-report-')), 'no-such-dir', 'r.xml');
    const r = await run(['report', '--url', warned.url, '--format', 'junit', '--fail-on', 'warning', '--out', out]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.startsWith(`scimulator: cannot write the report to ${out}: ENOENT`), r.stderr).toBe(true);
    expect(r.stdout).toBe('');
    const slash = await run(['report', '--url', clean.url, '--control-path', '/_mock/']);
    expect(slash.code, slash.stderr).toBe(0);
  });
});

describe('start-up lines', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('print the control API URL beside the SCIM base URL, and say when it is guarded or off', async () => {
    const open = await startCli(['serve', '--port', '0'], children);
    const control = /^ {2}Control API: {3}(\S+)$/m.exec(open.out())?.[1];
    expect(control).toBe(`${open.url}/_mock`);
    expect(open.out()).toMatch(/^ {2}SCIM base URL: http:\/\/127\.0\.0\.1:\d+\/scim\/v2\n {2}Control API: {3}http/m);
    expect((await fetch(`${control}/health`)).status).toBe(200);

    const guardedCli = await startCli(['serve', '--port', '0', '--control-path', '/admin', '--control-token', 'hush'], children);
    expect(guardedCli.out()).toContain(`  Control API:   ${guardedCli.url}/admin (bearer token as given by --control-token; not printed)`);
    expect(guardedCli.out()).not.toContain('hush');

    const off = await startCli(['serve', '--port', '0', '--no-control'], children);
    expect(off.out()).toContain('  Control API:   off (--no-control)');
  });
});
