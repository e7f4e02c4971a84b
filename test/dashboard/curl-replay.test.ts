/**
 * "Copy as curl" replays: the command the dashboard builds from a journal entry, run by bash and the real curl
 * against a running Scimulator, sends the request the journal recorded (method, path, query, body) and gets the same
 * status. Bodies with quotes, newlines and non-ASCII text, a gzip body, HEAD, a body that is not JSON.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';
import type { JournalEntry } from '../../src/journal/journal.js';
import { curlCommand } from '../../src/ui/curl.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const haveCurl = existsSync('/usr/bin/curl') || existsSync('/bin/curl');
if (!haveCurl) process.stderr.write('\nSKIPPED: no curl: "copy as curl" is not replayed\n');

/** One request exactly as given (headers, raw body bytes). */
function send(url: string, method: string, headers: Record<string, string>, body?: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the command as a user pastes it (TOKEN set); resolves with curl's exit code and the status it printed. */
function runCurl(command: string, token: string, env: Record<string, string> = {}): Promise<{ code: number; status: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', `TOKEN=${token}; ${command} -s -o /dev/null -w '%{http_code}' --max-time 5`], { timeout: 15_000, env: { ...process.env, ...env } }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, status: stdout });
    });
  });
}

describe.skipIf(!haveCurl)('copy as curl, replayed by curl', () => {
  let scim: ScimulatorHandle;
  let origin: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    scim = await startScimulator({ seeding: { seed: 5, users: 3, groups: 0 } });
    origin = new URL(scim.url).origin;
    auth = { Authorization: `Bearer ${scim.token}`, 'User-Agent': 'Okta SCIM Client 1.0.0' };
  });
  afterAll(() => scim?.close());

  const last = async (): Promise<JournalEntry> => (await scim.requests.list({ order: 'desc', limit: 1 }))[0]!;

  /** Sends the request, replays the dashboard's command for it; returns both journal entries and curl's exit code. */
  async function replay(method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
    const status = await send(`${scim.baseUrl}${path}`, method, { ...auth, ...headers }, body);
    const original = await last();
    expect(original.status).toBe(status);
    const command = curlCommand(original, origin);
    const run = await runCurl(command, scim.token);
    const again = await last();
    expect(again.seq, `the command reached the server: ${command}`).toBe(original.seq + 1);
    return { original, again, run, command };
  }

  const same = (a: JournalEntry, b: JournalEntry) => {
    expect(b.method).toBe(a.method);
    expect(b.path).toBe(a.path);
    expect(b.query).toEqual(a.query);
    expect(b.requestBody).toEqual(a.requestBody);
    expect(b.status).toBe(a.status);
  };

  it('a body with quotes, newlines, $, backticks and non-ASCII text', async () => {
    const filter = `userName eq "it's \\"q\\" $HOME \`id\` \\\\ 日本 😀\\nx"`;
    const { original, again, run } = await replay('POST', '/Users/.search', { 'Content-Type': 'application/scim+json; charset=utf-8' }, JSON.stringify({ schemas: [SEARCH], filter }));
    expect(original.status).toBe(200);
    expect(run).toEqual({ code: 0, status: '200' });
    same(original, again);
  });

  it('an Entra PATCH and a filtered GET with a + and repeated attributes', async () => {
    const [user] = (await (await fetch(`${scim.baseUrl}/Users?count=1`, { headers: auth })).json()).Resources;
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Ünïcødé "Lead"' }] };
    const p = await replay('PATCH', `/Users/${user.id}`, { 'Content-Type': 'application/scim+json' }, JSON.stringify(patch));
    expect(p.run.status).toBe('200');
    same(p.original, p.again);
    const g = await replay('GET', `/Users?filter=${encodeURIComponent('userName eq "a+b@example.com"')}&attributes=userName&excludedAttributes=emails`, {});
    expect(g.run.status).toBe('200');
    same(g.original, g.again);
  });

  it('a gzip body: the command sends the text the journal shows, without Content-Encoding: gzip', async () => {
    const body = gzipSync(JSON.stringify({ schemas: [SEARCH], filter: 'userName eq "gz@example.com"' }));
    const { original, again, run, command } = await replay('POST', '/Users/.search', { 'Content-Type': 'application/scim+json', 'Content-Encoding': 'gzip' }, body);
    expect(original.status).toBe(200);
    expect(command).not.toMatch(/content-encoding/i);
    expect(run.status).toBe('200');
    same(original, again);
  });

  it('an OAuth 2.0 token request (a form, its secret redacted): sent again as a form, the secret from $CLIENT_SECRET or $CREDENTIALS', async () => {
    const tenant = await scim.createTenant({ id: 'oauth-curl', users: 0, groups: 0 });
    await tenant.control.config.update({ auth: { mode: 'oauth', clientId: 'okta-app', clientSecret: 's3cr3t &=+ é' } });
    const endpoint = `${origin}/tenants/oauth-curl/oauth/token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'okta-app', client_secret: 's3cr3t &=+ é', scope: 'scim users' }).toString();
    // RFC 6749 section 2.3.1: id and secret form-encoded, then Basic.
    const basic = Buffer.from(`okta-app:${new URLSearchParams({ s: 's3cr3t &=+ é' }).toString().slice(2)}`).toString('base64');
    for (const [headers, body] of [
      [{ 'Content-Type': 'application/x-www-form-urlencoded' }, form],
      [{ 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` }, 'grant_type=client_credentials'],
    ] as const) {
      expect(await send(endpoint, 'POST', headers, body), JSON.stringify(headers)).toBe(200);
      const original = (await tenant.control.requests.list({ order: 'desc', limit: 1 }))[0]!;
      expect(original.operation).toBe('token');
      const command = curlCommand(original, origin);
      expect(command).not.toContain('s3cr3t');
      const run = await runCurl(command, scim.token, { CLIENT_SECRET: 's3cr3t &=+ é', CREDENTIALS: basic });
      expect(run, command).toEqual({ code: 0, status: '200' });
      const again = (await tenant.control.requests.list({ order: 'desc', limit: 1 }))[0]!;
      same(original, again);
    }
    await scim.deleteTenant('oauth-curl');
  });

  it('HEAD: curl asks with --head and ends (with -X HEAD it waits for a body that never comes)', async () => {
    const { original, again, run } = await replay('HEAD', '/Users?count=1', { Accept: 'application/scim+json' });
    expect(original.status).toBe(200);
    expect(run).toEqual({ code: 0, status: '200' });
    same(original, again);
  });

  it('a body of a refused media type (text/plain, no Content-Type): the journal keeps it, the replay is refused the same way', async () => {
    const body = JSON.stringify({ schemas: [USER], userName: 'no.content.type@example.com', displayName: 'Zoë' });
    for (const headers of [{ 'Content-Type': 'text/plain;charset=UTF-8' }, {}] as Array<Record<string, string>>) {
      const { original, again, run } = await replay('POST', '/Users', headers, body);
      expect(original.status).toBe(415);
      expect(original.requestBody).toEqual(JSON.parse(body));
      expect(run.status).toBe('415');
      same(original, again);
      expect(again.requestHeaders['content-type']).toEqual(original.requestHeaders['content-type']);
    }
    // The server still answers at once what it does not read: a chunked body.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${scim.baseUrl}/Users`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('partial body, never ended');
    });
    expect(chunked).toBe(415);
  });

  it('a binary body (application/octet-stream, refused 415): the journal keeps its bytes, the command sends the same bytes', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x27, 0x0a, 0x89, 0x50, 0x4e, 0x47, 0x00, 0x24, 0x60]);
    const { original, again, run, command } = await replay('POST', '/Users', { 'Content-Type': 'application/octet-stream' }, bytes);
    expect(original.status).toBe(415);
    expect(original.requestBodyBase64).toBe(bytes.toString('base64'));
    expect(command).toContain('--data-binary @-');
    expect(run.status).toBe('415');
    same(original, again);
    expect(again.requestBodyBase64).toBe(original.requestBodyBase64);
    expect(again.requestHeaders['content-type']).toBe('application/octet-stream');
    // The same bytes labelled JSON: a 400 (not JSON), kept as bytes as well.
    const json = await replay('POST', '/Users', { 'Content-Type': 'application/scim+json' }, bytes);
    expect(json.original.status).toBe(400);
    expect(json.original.requestBodyBase64).toBe(bytes.toString('base64'));
    expect(json.again.requestBodyBase64).toBe(bytes.toString('base64'));
  });

  it('a body that is not JSON: the journal keeps its text (secrets redacted), the command sends it again', async () => {
    const text = '{"schemas":["' + USER + '"],"userName":"trailing.comma@example.com",}';
    const { original, again, run } = await replay('POST', '/Users', { 'Content-Type': 'application/scim+json' }, text);
    expect(original.status).toBe(400);
    expect(original.requestBody).toBe(text);
    expect(run.status).toBe('400');
    same(original, again);
    // The same through body-parser (a gzip body).
    const gz = await replay('POST', '/Users', { 'Content-Type': 'application/scim+json', 'Content-Encoding': 'gzip' }, gzipSync(text));
    expect(gz.original.status).toBe(400);
    expect(gz.original.requestBody).toBe(text);
    same(gz.original, gz.again);

    // A password in a body that is not JSON is redacted all the same (members, form fields, a PATCH path).
    for (const [bad, secret] of [
      ['{"userName":"pw@example.com","password":"S3cret!x",}', 'S3cret!x'],
      ['{"userName":"pw@example.com","password":"unterminated S3cret', 'S3cret'],
      ['{"Operations":[{"op":"replace","path":"password","value":"Pa$$w0rd"},]}', 'Pa$$w0rd'],
      ['userName=x&password=Hunter2', 'Hunter2'],
    ]) {
      expect(await send(`${scim.baseUrl}/Users`, 'POST', { ...auth, 'Content-Type': 'application/scim+json' }, bad)).toBe(400);
      const entry = await last();
      expect(String(entry.requestBody)).not.toContain(secret);
      expect(String(entry.requestBody)).toContain('[REDACTED]');
      expect(JSON.stringify(await scim.requests.export('ndjson'))).not.toContain(secret);
    }
  });
});
