/**
 * Serving the dashboard (supertest on createApp) and the pure parts of the page: its files, headers and size, the
 * control token, the fault presets against the real control API, the SSE parser and "copy as curl".
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/index.js';
import { dashboardDirectory } from '../../src/http/ui.js';
import type { JournalEntry } from '../../src/journal/journal.js';
import { curlCommand, shellQuote } from '../../src/ui/curl.js';
import { FAULT_ACTION_TYPES } from '../../src/faults/types.js';
import { FAULT_PRESETS } from '../../src/ui/presets.js';
import { SseParser } from '../../src/ui/sse.js';

describe('serving the dashboard', () => {
  it('redirects <control>/ui to <control>/ui/ and serves the page with a same-origin-only policy', async () => {
    const app = createApp();
    const redirect = await request(app).get('/_mock/ui');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/_mock/ui/');
    const page = await request(app).get('/_mock/ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>Scimulator dashboard</title>');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    for (const [file, type] of [
      ['main.js', 'text/javascript; charset=utf-8'],
      ['style.css', 'text/css; charset=utf-8'],
      ['index.html', 'text/html; charset=utf-8'],
    ]) {
      const res = await request(app).get(`/_mock/ui/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers['content-type'], file).toBe(type);
    }
  });

  it('follows --control-path', async () => {
    const app = createApp({ controlPath: '/admin' });
    expect((await request(app).get('/admin/ui/')).status).toBe(200);
    expect((await request(app).get('/admin/ui')).headers.location).toBe('/admin/ui/');
  });

  it('serves only its own flat files: no paths, no listing, no other extensions', async () => {
    const app = createApp();
    for (const path of ['/_mock/ui/nope.js', '/_mock/ui/..%2Fpackage.json', '/_mock/ui/%2e%2e/index.ts', '/_mock/ui/main.ts', '/_mock/ui/sub/main.js', '/_mock/ui/.hidden.js']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers['content-type'], path).toMatch(/^application\/json/);
    }
  });

  it('serves the page without the control token (it carries no data) and tells it to ask for one; data stays guarded', async () => {
    const app = createApp({ controlToken: 'ctl' });
    expect((await request(app).get('/_mock/ui/')).status).toBe(200);
    expect((await request(app).get('/_mock/ui/main.js')).status).toBe(200);
    expect((await request(app).get('/_mock/ui/boot.json')).body).toEqual({ tokenRequired: true, journal: true });
    expect((await request(app).get('/_mock/requests')).status).toBe(401);
    expect((await request(app).get('/_mock/requests/stream')).status).toBe(401);
    // A file that does not exist is not a way around the token either.
    expect((await request(app).get('/_mock/ui/nope.js')).status).toBe(401);
    expect((await request(createApp()).get('/_mock/ui/boot.json')).body).toEqual({ tokenRequired: false, journal: true });
    expect((await request(createApp({ journal: false })).get('/_mock/ui/boot.json')).body).toEqual({ tokenRequired: false, journal: false });
  });

  it('is off with the control API', async () => {
    const app = createApp({ control: false });
    expect((await request(app).get('/_mock/ui/')).status).toBe(404);
  });

  it('ships under 200 KB of assets', () => {
    const dir = dashboardDirectory();
    expect(dir).toBeDefined();
    const files = readdirSync(dir!).filter((f) => /\.(html|css|js|svg)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['index.html', 'style.css', 'main.js', 'sse.js']));
    const bytes = files.reduce((sum, f) => sum + statSync(join(dir!, f)).size, 0);
    expect(bytes).toBeLessThan(200 * 1024);
  });
});

describe('fault presets', () => {
  it('every preset is a rule the control API accepts as it is', async () => {
    const app = createApp();
    expect(FAULT_PRESETS.map((p) => p.label)).toEqual([
      'Latency',
      '429 Retry-After',
      '503 outage',
      '409 uniqueness',
      '412 precondition',
      'Dropped connection',
      'Hang',
      'Malformed body',
      'Rate limit',
      'Lost answer',
      '504 after commit',
      'Replication lag',
      'Pagination drift',
      'Slow body',
      'Outage window',
      'One Bulk operation fails',
    ]);
    // Every action the control API knows has a preset, and so does the "after" phase.
    expect(new Set(FAULT_PRESETS.map((p) => p.rule.action.type))).toEqual(new Set(FAULT_ACTION_TYPES));
    expect(FAULT_PRESETS.some((p) => 'phase' in p.rule.action && p.rule.action.phase === 'after')).toBe(true);
    for (const preset of FAULT_PRESETS) {
      const res = await request(app).post('/_mock/faults').send(preset.rule);
      expect(res.status, `${preset.label}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.action).toEqual(preset.rule.action);
    }
  });

  it('the 429 preset makes the next request 429 with Retry-After, once', async () => {
    const app = createApp();
    const preset = FAULT_PRESETS.find((p) => p.label === '429 Retry-After')!;
    await request(app).post('/_mock/faults').send(preset.rule);
    const auth = { Authorization: 'Bearer scimulator-dev-token' };
    const first = await request(app).get('/scim/v2/Users').set(auth);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect((await request(app).get('/scim/v2/Users').set(auth)).status).toBe(200);
  });
});

describe('SSE parser', () => {
  it('parses events split anywhere, with LF, CRLF or CR line ends, comments, multi-line data, ids and retry', () => {
    const text = 'retry: 3000\r\nevent: hello\r\ndata: {"a":1}\r\n\r\n: keep-alive\n\nid: 7\ndata: line one\ndata: line two\n\rdata:no space\r\r';
    for (const size of [1, 2, 3, 7, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events, `pieces of ${size}`).toEqual([
        { event: 'hello', data: '{"a":1}', id: '', retry: 3000 },
        { event: 'message', data: 'line one\nline two', id: '7', retry: 3000 },
        { event: 'message', data: 'no space', id: '7', retry: 3000 },
      ]);
    }
  });

  it('keeps an unfinished event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"big":"')).toEqual([]);
    expect(parser.push('x'.repeat(100_000))).toEqual([]);
    const [event] = parser.push('"}\n\n');
    expect(JSON.parse(event.data).big).toHaveLength(100_000);
  });
});

describe('copy as curl', () => {
  const entry: Pick<JournalEntry, 'method' | 'path' | 'query' | 'requestHeaders' | 'requestBody'> = {
    method: 'PATCH',
    path: '/scim/v2/Users/2819c223',
    query: {},
    requestHeaders: {
      host: '127.0.0.1:8080',
      'content-length': '120',
      connection: 'keep-alive',
      authorization: 'Bearer [REDACTED]',
      'content-type': 'application/scim+json',
      'if-match': 'W/"3"',
    },
    requestBody: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: "Babs O'Brien" }] },
  };

  it('sends the same request: method, URL, headers (the token as $TOKEN), body quoted for the shell', () => {
    expect(curlCommand(entry, 'http://127.0.0.1:8080')).toBe(
      "curl -X PATCH 'http://127.0.0.1:8080/scim/v2/Users/2819c223' -H \"authorization: Bearer $TOKEN\" -H 'content-type: application/scim+json' " +
        `-H 'if-match: W/"3"' --data-raw '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Babs O'\\''Brien"}]}'`,
    );
  });

  it('keeps the query string, leaves -X out for a plain GET, and puts other secrets in $CREDENTIALS', () => {
    const get = {
      ...entry,
      method: 'GET',
      query: { filter: 'userName eq "bjensen"', attributes: ['id', 'userName'] },
      requestHeaders: { 'x-api-key': '[REDACTED]', authorization: 'Basic [REDACTED]' },
      requestBody: null,
    };
    expect(curlCommand(get, 'http://h')).toBe(
      "curl 'http://h/scim/v2/Users/2819c223?filter=userName+eq+%22bjensen%22&attributes=id&attributes=userName' -H \"x-api-key: $CREDENTIALS\" -H \"authorization: Basic $CREDENTIALS\"",
    );
  });

  it('quotes anything for a POSIX shell', () => {
    expect(shellQuote("a'b$c`d\\e")).toBe("'a'\\''b$c`d\\e'");
  });
});
