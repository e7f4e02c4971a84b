/**
 * The journal query's `text` condition (GET /requests?text=, POST /requests/find and /count, the embedding API's
 * journal): case-insensitive, in the method, path and query, request headers, request body and response body as
 * the journal keeps them, never in a redacted secret; and GET /requests?response=none.
 */
import type express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { Journal, JsonText, type JournalEntry } from '../../src/journal/journal.js';
import { controlApp } from './app.js';
import { frozenClock, input } from './helpers.js';
import { AUTH, client } from '../http/helpers.js';

let journal: Journal;
let app: express.Express;

beforeEach(() => {
  journal = new Journal({ clock: frozenClock() });
  app = controlApp(journal);
  // 1: a list request: the userName is only in its response body; the filter only in its (raw, URL-encoded) query.
  journal.record(
    input({
      path: '/scim/v2/Users',
      query: 'filter=userName%20eq%20%22Search.Me%40example.com%22&count=7&access_token=qs-secret-4711',
      requestHeaders: { host: 'localhost', authorization: 'Bearer header-secret-0815', 'x-correlation-id': 'Corr-77' },
      responseBody: new JsonText('{"totalResults":1,"Resources":[{"userName":"Bjensen@Example.COM","name":{"familyName":"Müller"}}]}'),
    }),
  );
  // 2: a create whose body holds a password and a display name with quotes.
  journal.record(
    input({
      method: 'POST',
      path: '/scim/v2/Users',
      operation: 'create',
      status: 201,
      requestHeaders: { host: 'localhost', 'content-type': 'application/scim+json' },
      requestBody: { userName: 'new.person', password: 'hunter2-pw-secret', displayName: 'Seán O\'Brien' },
      responseBody: { id: 'id-424242', userName: 'new.person' },
    }),
  );
  // 3: a PATCH of one user, by path.
  journal.record(
    input({
      method: 'PATCH',
      path: '/scim/v2/Users/abc-123',
      relativePath: '/Users/abc-123',
      operation: 'patch',
      status: 204,
      requestBody: { Operations: [{ op: 'replace', path: 'title', value: 'Chief Tester' }] },
      responseBody: null,
    }),
  );
  // 4: a token request and its answer (the token is redacted as it is kept).
  journal.record(
    input({
      method: 'POST',
      path: '/oauth/token',
      relativePath: '/oauth/token',
      operation: 'token',
      requestHeaders: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
      requestBody: 'grant_type=client_credentials&client_secret=form-secret-99',
      responseBody: new JsonText('{"access_token":"minted-token-31337","token_type":"Bearer","expires_in":3600}'),
    }),
  );
});

const seqs = (body: unknown) => (body as { requests: JournalEntry[] }).requests.map((e) => e.seq);
const find = async (text: string, more: Record<string, string> = {}) => seqs((await request(app).get('/_mock/requests').query({ text, ...more }).expect(200)).body);

describe('text', () => {
  it('matches case-insensitively in each place a request and its response have text', async () => {
    expect(await find('patch')).toEqual([3]); // method
    expect(await find('USERS/ABC-123')).toEqual([3]); // path
    expect(await find('userName eq "search.me@example.com"')).toEqual([1]); // the query, decoded
    expect(await find('search.me%40example.com')).toEqual([1]); // the query, as sent
    expect(await find('/Users?filter=userName')).toEqual([1]); // path and query together, as a row shows them
    expect(await find('count=7')).toEqual([1]);
    expect(await find('corr-77')).toEqual([1]); // a request header's value
    expect(await find('X-Correlation-ID: corr')).toEqual([1]); // a header as the detail shows it
    expect(await find('application/x-www-form-urlencoded')).toEqual([4]);
    expect(await find('chief TESTER')).toEqual([3]); // request body
    expect(await find("Seán O'BRIEN")).toEqual([2]); // request body, not ASCII
    expect(await find('bjensen@example.com')).toEqual([1]); // response body only
    expect(await find('MÜLLER')).toEqual([1]); // response body, not ASCII, other case
    expect(await find('424242')).toEqual([2]); // no letters: looked for in the bytes
    expect(await find('new.person')).toEqual([2]);
    expect(await find('no such text anywhere')).toEqual([]);
  });

  it('finds what a JSON body holds escaped: quotes and backslashes, and characters beyond ASCII written as \\uXXXX', async () => {
    journal.clear();
    // As a Python client (json.dumps, ASCII only) sends it, and as JSON.stringify writes quotes in a string.
    journal.record(input({ method: 'POST', requestBody: '{"displayName":"Se\\u00e1n \\"Q\\" O\'Brien"}', responseBody: new JsonText('{"title":"The \\"Boss\\" of C:\\\\temp"}') }));
    expect(await find('SEÁN "Q"')).toEqual([5]);
    expect(await find('the "boss" of c:\\temp')).toEqual([5]);
    expect(await find('"displayName":"Se')).toEqual([5]); // the text as sent is still found as it is
    expect(await find('"Boss" of D:')).toEqual([]);
  });

  it('a needle holding "/" or a quote, or beyond ASCII, is found in a body whose only escapes are \\/, \\" and \\n (no \\uXXXX)', async () => {
    journal.clear();
    const e = journal.record(input({ method: 'POST', requestBody: '{"profileUrl":"https:\\/\\/wiki.example.com\\/eric","street":"Müllerstraße 5\\nBerlin","nick":"\\"Q\\"/x"}' }));
    expect(await find('wiki.example.com/ERIC')).toEqual([e.seq]);
    expect(await find('https://wiki')).toEqual([e.seq]);
    expect(await find('MÜLLERSTRASSE')).toEqual([]); // toLowerCase keeps "ss" and "ß" apart
    expect(await find('müllerstraße 5\nberlin')).toEqual([e.seq]); // a line end, as the entry shows it
    expect(await find('"q"/X')).toEqual([e.seq]);
    expect(await find('wiki.example.com/erica')).toEqual([]);
    expect(await find('"q"/y')).toEqual([]);
  });

  it('a JSON member is found with or without a space after its colon (a body shown pretty-printed, sent compact, or the reverse)', async () => {
    journal.clear();
    const compact = journal.record(input({ method: 'PATCH', requestBody: '{"Operations":[{"op":"add","path":"members"}]}' }));
    const spaced = journal.record(input({ method: 'PATCH', requestBody: '{"Operations": [{"op": "replace", "path": "title"}]}' }));
    expect(await find('"op": "add"')).toEqual([compact.seq]);
    expect(await find('"OP":"replace"')).toEqual([spaced.seq]);
    expect(await find('"path":"title"')).toEqual([spaced.seq]);
    expect(await find('"op": "remove"')).toEqual([]);
  });

  it('a plain needle is found through an ASCII letter escaped as \\u0041, also in a body holding other escapes', async () => {
    journal.clear();
    const e = journal.record(input({ method: 'POST', requestBody: '{"title":"Line\\nTwo","name":"\\u0041da Lovelace"}' }));
    expect(await find('ada love')).toEqual([e.seq]);
    expect(await find('line')).toEqual([e.seq]);
    expect(await find('lovelady')).toEqual([]);
  });

  it('a form whose secret field names are percent-encoded (client%5Fsecret=) is kept redacted, and its secrets are not found', async () => {
    journal.clear();
    const form = 'grant_type=client_credentials&client%5Fsecret=enc-secret-55&pass%77ord=enc-pw-66&client_id=app-7';
    const entry = journal.record(input({ method: 'POST', path: '/oauth/token', relativePath: '/oauth/token', operation: 'token', requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' }, requestBody: form }));
    expect(entry.requestBody).toBe('grant_type=client_credentials&client%5Fsecret=[REDACTED]&pass%77ord=[REDACTED]&client_id=app-7');
    expect(await find('enc-secret-55')).toEqual([]);
    expect(await find('enc-pw-66')).toEqual([]);
    expect(await find('client_id=app-7')).toEqual([entry.seq]);
  });

  it('never finds a redacted secret: credential headers, secret query parameters, passwords, client secrets, tokens', async () => {
    for (const secret of ['header-secret-0815', 'qs-secret-4711', 'hunter2-pw-secret', 'form-secret-99', 'minted-token-31337']) {
      expect(await find(secret), secret).toEqual([]);
    }
    // What the entry shows instead is found.
    expect(await find('authorization: Bearer [REDACTED]')).toEqual([1]);
    expect(await find('access_token=[REDACTED]')).toEqual([1]);
    expect(await find('"password":"[REDACTED]"')).toEqual([2]);
  });

  it('looks only at its own entry: a string in the entry written after it on the same page does not match', async () => {
    journal.clear();
    journal.record(input({ responseBody: { id: 'first' } }));
    journal.record(input({ responseBody: { id: 'second-777' } }));
    journal.record(input({ responseBody: { id: 'third-ABC' } }));
    expect(await find('777')).toEqual([6]);
    expect(await find('second-7')).toEqual([6]);
    expect(await find('third-abc')).toEqual([7]);
    expect(await find('first')).toEqual([5]);
  });

  it('combines with the other conditions, and works in every query surface', async () => {
    expect(await find('new.person', { method: 'POST' })).toEqual([2]);
    expect(await find('new.person', { method: 'GET' })).toEqual([]);
    expect(await find('localhost', { status: '2xx', order: 'desc', limit: '2' })).toEqual([4, 3]);
    expect(await find('localhost', { since: '2', operation: 'patch,token' })).toEqual([3, 4]);
    expect((await request(app).post('/_mock/requests/count').send({ text: 'NEW.PERSON' }).expect(200)).body).toEqual({ count: 1 });
    expect(seqs((await request(app).post('/_mock/requests/find').send({ text: 'bjensen', method: 'GET' }).expect(200)).body)).toEqual([1]);
    expect(journal.count({ text: 'chief tester', body: { path: 'Operations[*].op', equals: 'replace' } })).toBe(1);
    const later = journal.waitFor({ text: 'late-arrival', since: journal.lastSeq }, { timeoutMs: 5000 });
    journal.record(input({ responseBody: { id: 'x' } }));
    journal.record(input({ responseBody: { note: 'Late-Arrival' } }));
    expect((await later).seq).toBe(6);
    const exported = await request(app).get('/_mock/requests/export').query({ text: 'chief tester' }).expect(200);
    expect(exported.text.trim().split('\n')).toHaveLength(1);
  });

  it('answers 400 naming the field for an empty, blank, repeated, over-long or non-string text', async () => {
    for (const q of ['text=', 'text=%20%20', 'text=a&text=b', `text=${'x'.repeat(1025)}`]) {
      const res = await request(app).get(`/_mock/requests?${q}`).expect(400);
      expect(res.body.field, q).toBe('text');
      expect(res.body.error).toMatch(/text/);
    }
    expect((await request(app).get(`/_mock/requests?text=${'x'.repeat(1024)}`).expect(200)).body.count).toBe(0);
    for (const text of ['', 5, null, ['a'], 'y'.repeat(1025)]) {
      const res = await request(app).post('/_mock/requests/count').send({ text }).expect(400);
      expect(res.body.field).toBe('text');
    }
    expect((await request(app).get(`/_mock/requests/stream?text=`).expect(400)).body.field).toBe('text');
  });
});

describe('text in the response headers', () => {
  /** A create answered 201 with Location and ETag; a 429 with Retry-After; a list answer with cookies (a list value). */
  const recordAnswers = () => {
    journal.clear();
    const created = journal.record(
      input({
        method: 'POST',
        status: 201,
        operation: 'create',
        requestBody: { userName: 'created.one' },
        responseHeaders: { 'content-type': 'application/scim+json; charset=utf-8', location: 'http://localhost:8080/scim/v2/Users/2819c223-7f76-453a-919d-413861904646', etag: 'W/"3"' },
        responseBody: { id: '2819c223-7f76-453a-919d-413861904646', userName: 'created.one' },
      }),
    );
    const limited = journal.record(
      input({ status: 429, responseHeaders: ['content-type', 'application/scim+json', 'retry-after', '30', 'x-request-id', 'Req-9'], responseBody: { status: '429', detail: 'slow down' } }),
    );
    const cookies = journal.record(input({ responseHeaders: { 'set-cookie': ['lb=node-4; Path=/', 'pref="wide"'], 'content-length': 1234 }, responseBody: null }));
    return { created: created.seq, limited: limited.seq, cookies: cookies.seq };
  };

  it('finds a header only the response holds, by value or as "name: value" as the entry shows it, case-insensitively', async () => {
    const { created, limited, cookies } = recordAnswers();
    expect(await find('2819C223')).toEqual([created]); // also in the body
    expect(await find('Location: http://localhost:8080/scim/v2/Users/2819c223')).toEqual([created]);
    expect(await find('etag: W/"3"')).toEqual([created]);
    expect(await find('ETAG')).toEqual([created]);
    expect(await find('Retry-After: 30')).toEqual([limited]);
    expect(await find('retry-after')).toEqual([limited]);
    expect(await find('x-request-id: req-9')).toEqual([limited]);
    expect(await find('Retry-After: 30\nX-Request-Id: Req-9')).toEqual([limited]); // two lines, as the detail lists them
    expect(await find('set-cookie: pref="wide"')).toEqual([cookies]); // a list value: one line per value
    expect(await find('lb=node-4')).toEqual([cookies]);
    expect(await find('content-length: 1234')).toEqual([cookies]); // a number, as the entry shows it
    expect(await find('retry-after: 31')).toEqual([]);
    expect(await find('etag: W/"4"')).toEqual([]);
    expect(await find('location: http://localhost:8080/scim/v2/Groups')).toEqual([]);
  });

  it('what it finds is what the entry shows in responseHeaders', async () => {
    const { created, limited, cookies } = recordAnswers();
    const shown = (await request(app).get('/_mock/requests').expect(200)).body.requests as JournalEntry[];
    for (const e of shown) {
      for (const [name, value] of Object.entries(e.responseHeaders)) {
        for (const v of Array.isArray(value) ? value : [value]) expect(await find(`${name}: ${String(v)}`), `${name}: ${String(v)}`).toContain(e.seq);
      }
    }
    expect(shown.map((e) => e.seq)).toEqual([created, limited, cookies]);
  });

  it('every query surface finds them: find, count, wait, export, the stream, and GET /requests?response=none, which leaves them out of the entries but not out of the search (as it does the response body)', async () => {
    const { created, limited } = recordAnswers();
    expect((await request(app).post('/_mock/requests/count').send({ text: 'retry-after: 30' }).expect(200)).body).toEqual({ count: 1 });
    expect(seqs((await request(app).post('/_mock/requests/find').send({ text: 'ETag: W/"3"' }).expect(200)).body)).toEqual([created]);
    const exported = await request(app).get('/_mock/requests/export').query({ text: 'retry-after: 30', format: 'har' }).expect(200);
    expect(JSON.parse(exported.text).log.entries).toHaveLength(1);
    const none = await request(app).get('/_mock/requests').query({ text: 'Retry-After: 30', response: 'none' }).expect(200);
    expect(seqs(none.body)).toEqual([limited]);
    expect(none.body.requests[0]).not.toHaveProperty('responseHeaders');
    const stream = await request(app).get('/_mock/requests/stream').query({ text: 'retry-after', tail: '5', limit: '1', response: 'none' }).expect(200);
    expect(stream.text).toContain(`"seq":${limited}`);
    const later = journal.waitFor({ text: 'location: /scim/v2/Groups/late', since: journal.lastSeq }, { timeoutMs: 5000 });
    journal.record(input({ responseHeaders: { location: '/scim/v2/Groups/other' } }));
    const late = journal.record(input({ method: 'POST', status: 201, responseHeaders: { Location: '/scim/v2/Groups/late-1' } }));
    expect((await later).seq).toBe(late.seq);
  });

  it('never finds a secret in the request headers through a response header of the same name, nor a header of the other side by its side', async () => {
    journal.clear();
    const e = journal.record(
      input({ requestHeaders: { cookie: 'session=cookie-secret-1', authorization: 'Bearer bearer-secret-2' }, responseHeaders: { 'x-cookie-policy': 'strict', vary: 'Cookie' } }),
    );
    expect(e.requestHeaders.cookie).toBe('[REDACTED]');
    expect(await find('cookie-secret-1')).toEqual([]);
    expect(await find('bearer-secret-2')).toEqual([]);
    expect(await find('cookie: [REDACTED]')).toEqual([e.seq]);
    expect(await find('vary: cookie')).toEqual([e.seq]);
    // A needle spanning the request's last header and the response's first is in neither.
    expect(await find('[REDACTED]\nx-cookie-policy')).toEqual([]);
  });
});

describe('text and the characters beyond ASCII whose lower case is ASCII (String.prototype.toLowerCase on both sides)', () => {
  // The Kelvin sign U+212A lower-cases to "k"; U+0130 (capital I with dot) to "i" and U+0307 (combining dot above).
  const texts = ['\u212Aelvin scale', 'M\u0130LLER', 'kelvin plain', 'miller plain'];
  const needles = ['kelvin', 'KELVIN', '\u212Aelvin', 'k', 'mi', 'MI', 'mil', 'ller', '\u0130', 'i\u0307', '\u0307', 'miller'];
  const expected = (needle: string, shown = (t: string) => t) => texts.map((t, i) => (shown(t).toLowerCase().includes(needle.toLowerCase()) ? i : -1)).filter((i) => i >= 0);

  it('a request body, sent as UTF-8 or with those characters escaped as \\uXXXX, matches as toLowerCase says', async () => {
    for (const escaped of [false, true]) {
      journal.clear();
      const first = journal.lastSeq + 1;
      for (const t of texts) {
        const json = JSON.stringify({ v: t });
        journal.record(input({ method: 'POST', requestBody: escaped ? json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`) : json, responseBody: null }));
      }
      for (const needle of needles) expect(await find(needle), `${needle} (escaped: ${escaped})`).toEqual(expected(needle).map((i) => first + i));
    }
  });

  it('a path, and a response header given to record(), match as toLowerCase says', async () => {
    journal.clear();
    const first = journal.lastSeq + 1;
    for (const t of texts) journal.record(input({ path: `/scim/v2/Units/${t}`, relativePath: `/Units/${t}`, responseHeaders: { 'x-unit': t }, responseBody: null }));
    for (const needle of needles) expect(await find(needle), needle).toEqual(expected(needle).map((i) => first + i));
    journal.clear();
    const headersOnly = journal.lastSeq + 1;
    for (const t of texts) journal.record(input({ responseHeaders: { 'x-unit': t }, responseBody: null }));
    for (const needle of needles) {
      expect(await find(needle), needle).toEqual(expected(needle).map((i) => headersOnly + i));
      expect(await find(`x-unit: ${needle}`), needle).toEqual(expected(`x-unit: ${needle}`, (t) => `x-unit: ${t}`).map((i) => headersOnly + i));
    }
  });
});

describe('GET /requests?response=none', () => {
  it('leaves responseHeaders and responseBody out of every entry, and keeps the rest', async () => {
    const full = (await request(app).get('/_mock/requests').query({ text: 'bjensen' }).expect(200)).body;
    const res = await request(app).get('/_mock/requests').query({ text: 'bjensen', response: 'none' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { responseHeaders: _h, responseBody: _b, ...rest } = full.requests[0];
    expect(res.body).toEqual({ requests: [rest], count: 1, lastSeq: 4 });
    expect((await request(app).get('/_mock/requests?response=some').expect(400)).body.field).toBe('response');
  });
});

describe('text through the embedding API, over requests the server recorded', () => {
  it('finds a userName only a list response holds, the decoded filter, and never the bearer token', async () => {
    const { startScimulator } = await import('../../src/index.js');
    const scim = await startScimulator({ seeding: { seed: 9, users: 6, groups: 0 } });
    try {
      const auth = { Authorization: `Bearer ${scim.token}`, 'X-Trace': 'Trace-Me-42' };
      const list = (await (await fetch(`${scim.baseUrl}/Users?startIndex=3&count=1`, { headers: auth })).json()) as { Resources: Array<{ userName: string }> };
      const userName = list.Resources[0]!.userName;
      await fetch(`${scim.baseUrl}/Users?filter=${encodeURIComponent('displayName eq "Nobody Here"')}`, { headers: auth });
      const found = await scim.requests.find({ text: userName.toUpperCase() });
      expect(found.map((e) => e.query)).toEqual([{ startIndex: '3', count: '1' }]);
      expect(await scim.requests.count({ text: 'displayName eq "nobody here"' })).toBe(1);
      expect(await scim.requests.count({ text: 'x-trace: trace-me-42' })).toBe(2);
      expect(await scim.requests.count({ text: scim.token })).toBe(0);
      expect(await scim.requests.count({ text: 'Bearer [REDACTED]' })).toBe(2);
      await expect(scim.requests.count({ text: '' })).rejects.toThrow(/text/);
    } finally {
      await scim.close();
    }
  });
});

describe('text search over what a server recorded, bodies escaped as clients escape them', () => {
  const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
  const found = async (c: ReturnType<typeof client>, text: string) =>
    ((await request(c.app).get(`/_mock/requests?text=${encodeURIComponent(text)}&response=none`)).body.requests as Array<{ status: number }>).map((e) => e.status);
  const post = (c: ReturnType<typeof client>, raw: string) =>
    request(c.app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(raw);

  it('finds a request body value whatever its escapes: "\\/" (PHP json_encode), a capital beyond ASCII as \\u00C9', async () => {
    const c = client();
    // Refused (active is not a boolean): the values are only in the request body, not echoed by a response.
    expect((await post(c, `{"schemas":["${USER}"],"userName":"\\u00C9ric.Dupont","profileUrl":"https:\\/\\/wiki.example.com\\/eric","active":"yes"}`)).status).toBe(400);
    for (const text of ['Éric.Dupont', 'éric.dupont', 'wiki.example.com/eric', 'https://wiki', '\\u00C9ric', 'https:\\/\\/wiki']) expect(await found(c, text), text).toEqual([400]);
    expect(await found(c, 'Érica')).toEqual([]);
  });

  it('never finds a password whose member name is escaped ("pass\\u0077ord"), which the entry shows redacted', async () => {
    const c = client();
    expect((await post(c, `{"schemas":["${USER}"],"userName":"escaped.pw","pass\\u0077ord":"hunter2-escaped-key"}`)).status).toBe(201);
    expect(await found(c, 'hunter2-escaped-key')).toEqual([]);
    expect(await found(c, 'escaped.pw')).toEqual([201]);
    const entry = (await request(c.app).get('/_mock/requests?method=POST')).body.requests[0];
    expect(entry.requestBody.password).toBe('[REDACTED]');
  });
});
