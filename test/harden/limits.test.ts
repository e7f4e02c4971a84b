/**
 * The limits table: every limit is an option with a safe default, and a request over it gets an error that names
 * the limit. Just under each limit is accepted by the limit.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, resolveOptions, type ScimulatorOptions } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { countQueryParams, jsonNestingDepth } from '../../src/http/limits.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { AUTH, USER_SCHEMA, expectScimError } from '../http/helpers.js';
import { FEATURES, NOT_YET, parseRaw, rawExchange, scimErrorProblem } from './support.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A User whose unknown attribute "x" nests so that the whole body is `depth` levels deep. */
const userAtDepth = (depth: number, userName = 'deep') => `{"schemas":["${USER_SCHEMA}"],"userName":"${userName}","x":${nested(depth - 1)}}`;

function app(options: Partial<ScimulatorOptions> = {}) {
  const a = createApp({ ...options });
  return {
    post: (path: string, text: string | Buffer, type = 'application/scim+json') => request(a).post(path).set(AUTH).set('Content-Type', type).send(text),
    get: (path: string) => request(a).get(path).set(AUTH),
    raw: () => request(a),
  };
}

describe('defaults', () => {
  it('are the documented safe values', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({
      maxBody: 1024 * 1024,
      maxJsonDepth: 64,
      maxQueryParams: 100,
      maxUrlLength: 8192,
      maxHeaderSize: 16384,
      headersTimeout: 30_000,
      requestTimeout: 120_000,
      shutdownGraceMs: 10_000,
      saveDelayMs: 50,
      dataSync: false,
      maxPatchOperations: 1000,
    });
    expect(DEFAULT_OPTIONS.cors).toBeUndefined();
  });

  it.each([
    [{ maxJsonDepth: 0 }, '--max-json-depth'],
    [{ maxQueryParams: 1001 }, '--max-query-params'],
    [{ maxUrlLength: 10 }, '--max-url-length'],
    [{ maxHeaderSize: 1.5 }, '--max-header-size'],
    [{ headersTimeout: -1 }, '--headers-timeout'],
    [{ requestTimeout: 0 }, '--request-timeout'],
    [{ headersTimeout: 5000, requestTimeout: 1000 }, '--headers-timeout'],
    [{ shutdownGraceMs: -5 }, '--shutdown-grace'],
    [{ saveDelayMs: Number.NaN }, '--save-delay'],
    [{ dataSync: true }, '--data-sync needs --data'],
    [{ cors: 'https://app.example.com/path' }, '--cors'],
    [{ cors: ' , ' }, '--cors'],
  ] as Array<[Partial<ScimulatorOptions>, string]>)('%j is refused naming %s', (partial, flag) => {
    expect(() => resolveOptions(partial)).toThrow(flag);
  });
});

describe('JSON nesting depth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonNestingDepth('{}')).toBe(1);
    expect(jsonNestingDepth('{"a":[{"b":[]}]}')).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonNestingDepth('{"a":"\\"[[[["}')).toBe(1);
    expect(jsonNestingDepth('"\\\\"[[')).toBe(2);
    expect(jsonNestingDepth(Buffer.from(nested(70)), 64)).toBe(65);
    expect(jsonNestingDepth(nested(64), 64)).toBe(64);
  });

  it('a body 64 levels deep passes the limit; 65 is 400 invalidSyntax naming 64', async () => {
    const a = app();
    expect((await a.post('/scim/v2/Users', userAtDepth(64))).status).toBe(201);
    const res = await a.post('/scim/v2/Users', userAtDepth(65, 'deeper'));
    expect(expectScimError(res, 400, 'invalidSyntax').detail).toMatch(/nesting deeper than 64 levels.*--max-json-depth/);
  });

  it('a body nested 300,000 levels deep is refused before parsing, and the server goes on', async () => {
    const a = app();
    const res = await a.post('/scim/v2/Users', nested(300_000));
    expectScimError(res, 400, 'invalidSyntax');
    expect((await a.get('/scim/v2/Users')).status).toBe(200);
  });

  it('follows --max-json-depth', async () => {
    const a = app({ maxJsonDepth: 3 });
    expect((await a.post('/scim/v2/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"a","name":{"givenName":"A"}}`)).status).toBe(201);
    expect(expectScimError(await a.post('/scim/v2/Users', userAtDepth(4)), 400, 'invalidSyntax').detail).toContain('deeper than 3 levels');
  });

  it('checks bodies in any UTF charset', async () => {
    // supertest would re-encode a Buffer sent as +json, so this one goes over a real socket.
    const s = await startServer({ port: 0 });
    try {
      const post = (text: string) => fetch(`${s.baseUrl}/Users`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/scim+json; charset=utf-16le' }, body: Buffer.from(text, 'utf16le') });
      const deep = await post(userAtDepth(65));
      expect(deep.status).toBe(400);
      expect(((await deep.json()) as { detail: string }).detail).toContain('deeper than 64 levels');
      expect((await post(userAtDepth(10, 'utf16'))).status).toBe(201);
    } finally {
      await s.close(100);
    }
  });

  it('applies to the control API, in its own error shape', async () => {
    const a = app();
    const res = await a.raw().patch('/_mock/config').set('Content-Type', 'application/json').send(`{"maxPageSize":${nested(100)}}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/deeper than 64 levels/);
    const fine = await a.raw().patch('/_mock/config').set('Content-Type', 'application/json').send('{"maxPageSize":500}');
    expect(fine.status).toBe(200);
  });
});

describe('body size', () => {
  it('a body over --max-body is 413 naming the limit', async () => {
    const a = app({ maxBody: 2048 });
    const res = await a.post('/scim/v2/Users', JSON.stringify({ schemas: [USER_SCHEMA], userName: 'big', displayName: 'x'.repeat(3000) }));
    expect(expectScimError(res, 413).detail).toContain('2048 bytes (--max-body)');
    // The control API answers the same limit, naming it and its flag as well.
    const control = await a.raw().patch('/_mock/config').set('Content-Type', 'application/json').send(JSON.stringify({ x: 'x'.repeat(3000) }));
    expect(control.status).toBe(413);
    expect(control.body).toEqual({ error: 'The request body is larger than the limit of 2048 bytes (--max-body).' });
  });

  it('a corrupt gzip body is a 400, not a 500', async () => {
    const a = app();
    const res = await a.raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').set('Content-Encoding', 'gzip').send(Buffer.from('not gzip at all'));
    expectScimError(res, 400, 'invalidSyntax');
  });
});

describe('query parameters and URL length', () => {
  const params = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');

  it('counts parameters as the query string parser does', () => {
    expect(countQueryParams('/x')).toBe(0);
    expect(countQueryParams('/x?')).toBe(0);
    expect(countQueryParams('/x?a=1&&b&')).toBe(2);
    expect(countQueryParams('/x?a=1&b=2#c&d')).toBe(2);
  });

  it('100 parameters pass; 101 is 400 naming the limit', async () => {
    const a = app();
    expect((await a.get(`/scim/v2/Users?${params(100)}`)).status).toBe(200);
    expect(expectScimError(await a.get(`/scim/v2/Users?${params(101)}`), 400).detail).toMatch(/101 query parameters.*limit of 100 \(--max-query-params\)/);
  });

  it('a URL of 8192 bytes passes the limit; 8193 is 414 naming it', async () => {
    const a = app();
    const path = (n: number) => `/scim/v2/Users?attributes=${'a'.repeat(n - '/scim/v2/Users?attributes='.length)}`;
    expect((await a.get(path(8192))).status).toBe(200);
    expect(expectScimError(await a.get(path(8193)), 414).detail).toMatch(/8193 bytes.*limit of 8192 bytes \(--max-url-length\)/);
  });

  it('the control API answers the same limits in its own shape', async () => {
    const a = app({ maxUrlLength: 512 });
    const res = await a.raw().get(`/_mock/requests?x=${'y'.repeat(600)}`);
    expect(res.status).toBe(414);
    expect(res.body.error).toContain('--max-url-length');
    const many = await app().raw().get(`/_mock/requests?${params(101)}`);
    expect(many.status).toBe(400);
    expect(many.body.error).toContain('--max-query-params');
  });

  it('limit rejections are recorded in the journal', async () => {
    const a = createApp({});
    await request(a).get(`/scim/v2/Users?${params(101)}`).set(AUTH);
    const journal = await request(a).get('/_mock/requests');
    expect(journal.body.requests).toHaveLength(1);
    expect(journal.body.requests[0]).toMatchObject({ method: 'GET', status: 400 });
  });
});

describe('PATCH and Bulk sizes', () => {
  const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
  const bulkOf = (n: number) => JSON.stringify({ schemas: [BULK], Operations: Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `bulk${i}` } })) });

  it('a Bulk request over --bulk-max-operations is 413 naming maxOperations', async (ctx) => {
    if (!FEATURES.bulk.supported) ctx.skip(NOT_YET.bulk);
    const a = app({ bulkMaxOperations: 5 });
    expect((await a.post('/scim/v2/Bulk', bulkOf(5))).status).toBe(200);
    expect(expectScimError(await a.post('/scim/v2/Bulk', bulkOf(6)), 413).detail).toMatch(/6 operations.*maxOperations \(5\)/);
  });

  it('a Bulk request over --bulk-max-payload is 413 naming maxPayloadSize', async (ctx) => {
    if (!FEATURES.bulk.supported) ctx.skip(NOT_YET.bulk);
    const a = app({ bulkMaxPayload: 2048 });
    expect(expectScimError(await a.post('/scim/v2/Bulk', bulkOf(40)), 413).detail).toMatch(/maxPayloadSize \(2048\)/);
  });

  it('a PATCH with more operations than its limit is 400 naming the limit, and changes nothing', async () => {
    const a = app({ maxPatchOperations: 3 });
    const created = await a.post('/scim/v2/Users', JSON.stringify({ schemas: [USER_SCHEMA], userName: 'many' }));
    const op = { op: 'add', path: 'nickName', value: 'x' };
    const patch = (n: number) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: Array.from({ length: n }, () => op) });
    const send = (n: number) => a.raw().patch(`/scim/v2/Users/${created.body.id}`).set(AUTH).set('Content-Type', 'application/scim+json').send(patch(n));
    const err = expectScimError(await send(4), 400, 'invalidValue');
    expect(err.detail).toMatch(/at most 3 .*--max-patch-operations/);
    expect((await a.get(`/scim/v2/Users/${created.body.id}`)).body.nickName).toBeUndefined();
    expect((await send(3)).status).toBe(200);
  });
});

describe('filter length and depth over HTTP', () => {
  it('a filter over 8192 characters is 400 invalidFilter', async (ctx) => {
    if (!FEATURES.filter.supported) ctx.skip(NOT_YET.filter);
    const a = app({ maxUrlLength: 64 * 1024, maxHeaderSize: 128 * 1024 });
    const filter = encodeURIComponent(`userName eq "${'a'.repeat(8200)}"`);
    expectScimError(await a.get(`/scim/v2/Users?filter=${filter}`), 400, 'invalidFilter');
  });

  it('a filter nesting deeper than 50 is 400 invalidFilter', async (ctx) => {
    if (!FEATURES.filter.supported) ctx.skip(NOT_YET.filter);
    const a = app();
    const filter = encodeURIComponent(`${'('.repeat(51)}userName eq "a"${')'.repeat(51)}`);
    expectScimError(await a.get(`/scim/v2/Users?filter=${filter}`), 400, 'invalidFilter');
    const ok = encodeURIComponent(`${'('.repeat(50)}userName eq "a"${')'.repeat(50)}`);
    expect((await a.get(`/scim/v2/Users?filter=${ok}`)).status).toBe(200);
  });
});

describe('on a listening server', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close(100)));
  });
  const start = async (options: Partial<ScimulatorOptions>) => {
    const s = await startServer({ port: 0, ...options });
    servers.push(s);
    return { s, port: Number(new URL(s.url).port) };
  };

  it('a request head over --max-header-size is 431 with a SCIM error naming the limit', async () => {
    const { port } = await start({ maxHeaderSize: 4096 });
    const { text } = await rawExchange(port, (socket) => {
      socket.write(`GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer scimulator-dev-token\r\nX-Big: ${'b'.repeat(5000)}\r\n\r\n`);
    });
    const res = parseRaw(text);
    expect(res.status).toBe(431);
    expect(scimErrorProblem(431, res.headers['content-type'], res.body)).toBeUndefined();
    expect(JSON.parse(res.body).detail).toContain('4096 bytes (--max-header-size)');
  });

  it('a request line over --max-header-size is 431 too (it never reaches the URL check)', async () => {
    const { port } = await start({ maxHeaderSize: 4096, maxUrlLength: 8192 });
    const { text } = await rawExchange(port, (socket) => {
      socket.write(`GET /scim/v2/Users?x=${'a'.repeat(6000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    expect(parseRaw(text).status).toBe(431);
  });

  it('headers just under the limit are served', async () => {
    const { s } = await start({ maxHeaderSize: 4096 });
    const res = await fetch(`${s.baseUrl}/Users`, { headers: { ...AUTH, 'X-Big': 'b'.repeat(3000) } });
    expect(res.status).toBe(200);
  });

  it('malformed HTTP gets a 400 SCIM error and a closed socket', async () => {
    const { port } = await start({});
    const { text } = await rawExchange(port, (socket) => void socket.write('NOT HTTP AT ALL\r\n\r\n'));
    const res = parseRaw(text);
    expect(res.status).toBe(400);
    expect(scimErrorProblem(400, res.headers['content-type'], res.body)).toBeUndefined();
  });

  it('a slow-loris client (headers never finished) gets 408 and its socket closed after --headers-timeout', async () => {
    const { port } = await start({ headersTimeout: 400, requestTimeout: 800 });
    let drip: NodeJS.Timeout | undefined;
    const { text, closedAfterMs } = await rawExchange(port, (socket) => {
      socket.write('GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n');
      let n = 0;
      drip = setInterval(() => socket.writable && socket.write(`X-Drip-${n++}: y\r\n`), 100);
    });
    clearInterval(drip);
    expect(closedAfterMs).toBeGreaterThanOrEqual(350);
    expect(closedAfterMs).toBeLessThan(5000); // the default would hold it 30 s

    const res = parseRaw(text);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).detail).toContain('400 ms (--headers-timeout)');
  });

  it('a client that sends its body too slowly is cut off after --request-timeout', async () => {
    const { port } = await start({ headersTimeout: 300, requestTimeout: 700 });
    let drip: NodeJS.Timeout | undefined;
    const { closedAfterMs } = await rawExchange(port, (socket) => {
      socket.write('POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer scimulator-dev-token\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{');
      drip = setInterval(() => socket.writable && socket.write(' '), 100);
    });
    clearInterval(drip);
    expect(closedAfterMs).toBeGreaterThanOrEqual(600);
    expect(closedAfterMs).toBeLessThan(5000); // the default would hold it 120 s
  });

  it('an idle connection that never sends anything is closed too', async () => {
    const { port } = await start({ headersTimeout: 300, requestTimeout: 600 });
    const { closedAfterMs } = await rawExchange(port, () => undefined);
    expect(closedAfterMs).toBeLessThan(7000); // keepAliveTimeout (5 s) or the headers timeout, whichever node applies first
  });

  it('the server keeps serving others while a slow client is held', async () => {
    const { s, port } = await start({ headersTimeout: 1000, requestTimeout: 2000 });
    const held = rawExchange(port, (socket) => void socket.write('GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n'));
    const res = await fetch(`${s.baseUrl}/Users`, { headers: AUTH });
    expect(res.status).toBe(200);
    await held;
  });

  it('the listening server carries the options', async () => {
    const { s } = await start({ headersTimeout: 1234, requestTimeout: 5678, maxHeaderSize: 9000 });
    expect(s.server.headersTimeout).toBe(1234);
    expect(s.server.requestTimeout).toBe(5678);
    expect((s.server as unknown as { maxHeaderSize: number }).maxHeaderSize).toBe(9000);
  });
});
