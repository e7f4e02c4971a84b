/**
 * The JSON body layer (src/http/body.ts) as a client meets it over a real socket: what is parsed, what the journal
 * keeps, and the answer to each way a body can be wrong (size, charset, coding, syntax, an aborted request).
 * supertest re-encodes bodies and always sends Content-Length, so these requests are written byte for byte.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { parseRaw, rawExchange } from '../harden/support.js';
import { USER_SCHEMA } from './helpers.js';

let server: RunningServer;
let port: number;
const MAX_BODY = 4096;

beforeAll(async () => {
  server = await startServer({ port: 0, maxBody: MAX_BODY });
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close(100));

const user = (userName: string) => JSON.stringify({ schemas: [USER_SCHEMA], userName });

/** POSTs `body` to /Users as given: with Content-Length, or chunked when `chunked`. */
async function post(body: string | Buffer, { type = 'application/scim+json', headers = '', chunked = false } = {}) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const framing = chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${bytes.length}\r\n`;
  const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: ${type}\r\n${headers}${framing}Connection: close\r\n\r\n`;
  const payload = !chunked ? bytes : bytes.length === 0 ? Buffer.from('0\r\n\r\n') : Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n0\r\n\r\n')]);
  const { text } = await rawExchange(port, (socket) => void socket.write(Buffer.concat([Buffer.from(head), payload])));
  const res = parseRaw(text);
  // rawExchange reads the response as latin1; its body is UTF-8.
  const json = Buffer.from(res.body, 'latin1').toString('utf8');
  return { status: res.status, body: json ? (JSON.parse(json) as Record<string, any>) : undefined };
}

/** The request body text the journal shows for its newest entry (HAR postData.text), or undefined. */
async function journalText(): Promise<string | undefined> {
  const har = (await (await fetch(`${server.url}/_mock/requests/export?format=har`)).json()) as { log: { entries: Array<{ request: { postData?: { text?: string } } }> } };
  return har.log.entries.at(-1)?.request.postData?.text;
}

describe('UTF-8 bodies', () => {
  it('parses a body with or without a charset, and the journal keeps the text as sent', async () => {
    for (const [type, name] of [
      ['application/scim+json', 'plain'],
      ['application/scim+json; charset=utf-8', 'charset'],
      ['application/json;charset="UTF-8"', 'quoted'],
      ['application/scim+json; version=2', 'other-param'],
    ] as const) {
      const res = await post(user(`body-${name}`), { type });
      expect(res.status, type).toBe(201);
      expect(res.body!.userName).toBe(`body-${name}`);
      expect(await journalText()).toBe(user(`body-${name}`));
    }
  });

  it('reads a chunked body of several chunks', async () => {
    const text = user('body-chunked');
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    const { text: raw } = await rawExchange(port, async (socket) => {
      socket.write(head + chunk(text.slice(0, 10)));
      await new Promise((r) => setTimeout(r, 20));
      socket.write(chunk(text.slice(10)) + '0\r\n\r\n');
    });
    expect(parseRaw(raw).status).toBe(201);
    expect(await journalText()).toBe(text);
  });

  it('drops a byte order mark before parsing; the journal keeps it', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const res = await post(Buffer.concat([bom, Buffer.from(user('body-bom'))]));
    expect(res.status).toBe(201);
    expect(await journalText()).toBe(`\ufeff${user('body-bom')}`);
  });

  it('decodes bytes that are not UTF-8 as U+FFFD, as before', async () => {
    const bytes = Buffer.concat([Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"body-`), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await post(bytes);
    expect(res.status).toBe(201);
    expect(res.body!.userName).toBe('body-\ufffd');
  });

  it('takes an empty chunked body as {} (so the answer is the one to an empty object)', async () => {
    const empty = await post('', { chunked: true });
    const object = await post('{}');
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual(object.body);
  });
});

describe('bad bodies', () => {
  it('invalid JSON is 400 invalidSyntax, and the journal shows the body as sent (what its sender has to fix)', async () => {
    for (const text of ['{"schemas": [}', '   ', '{"userName":"a"']) {
      const res = await post(text);
      expect(res.status, text).toBe(400);
      expect(res.body).toMatchObject({ scimType: 'invalidSyntax', detail: 'The request body is not valid JSON.' });
      expect(await journalText()).toBe(text);
    }
  });

  it('a body over --max-body is 413 whether its length is declared or it comes chunked', async () => {
    const big = user('x'.repeat(MAX_BODY));
    for (const chunked of [false, true]) {
      const res = await post(big, { chunked });
      expect(res.status, `chunked: ${chunked}`).toBe(413);
      expect(res.body!.detail).toBe(`The request body is larger than the limit of ${MAX_BODY} bytes (--max-body).`);
    }
    expect((await post(user('body-after-413'))).status).toBe(201);
  });

  it('nesting deeper than --max-json-depth is refused before parsing', async () => {
    const res = await post(`{"schemas":["${USER_SCHEMA}"],"userName":"deep","x":${'['.repeat(64)}${']'.repeat(64)}}`);
    expect(res.status).toBe(400);
    expect(res.body!.detail).toContain('deeper than 64 levels');
  });

  it('charsets other than UTF-x are 415 naming the charset; UTF-16 is decoded', async () => {
    for (const charset of ['utf8', 'latin1', 'iso-8859-1']) {
      const res = await post(user('body-charset'), { type: `application/json; charset=${charset}` });
      expect(res.status, charset).toBe(415);
      expect(res.body!.detail).toBe(`Unsupported charset "${charset}"; send UTF-8 JSON.`);
    }
    const utf16 = await post(Buffer.from(user('body-utf16'), 'utf16le'), { type: 'application/scim+json; charset=utf-16le' });
    expect(utf16.status).toBe(201);
    expect(await journalText()).toBe(user('body-utf16'));
  });

  it('gzip and identity codings are read; an unknown coding is 415 naming it', async () => {
    expect((await post(gzipSync(user('body-gzip')), { headers: 'Content-Encoding: gzip\r\n' })).status).toBe(201);
    expect((await post(user('body-identity'), { headers: 'Content-Encoding: Identity\r\n' })).status).toBe(201);
    const res = await post(user('body-compress'), { headers: 'Content-Encoding: compress\r\n' });
    expect(res.status).toBe(415);
    expect(res.body!.detail).toBe('Unsupported content encoding "compress".');
  });

  it('a request aborted in the middle of its body gets no answer, and the server goes on', async () => {
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n`;
    const { text } = await rawExchange(port, async (socket) => {
      socket.write(`${head}{"schemas":[`);
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
    });
    expect(text).toBe('');
    expect((await post(user('body-after-abort'))).status).toBe(201);
  });
});
