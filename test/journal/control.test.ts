import type express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { journalQueryFromParams } from '../../src/journal/control.js';
import { Journal, JournalQueryError, type JournalEntry } from '../../src/journal/journal.js';
import { controlApp } from './app.js';
import { frozenClock, input } from './helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let journal: Journal;
let app: express.Express;

beforeEach(() => {
  journal = new Journal({ clock: frozenClock() });
  app = controlApp(journal);
  journal.record(input({ method: 'GET', relativePath: '/Users', operation: 'list' })); // 1
  journal.record(input({ method: 'POST', relativePath: '/Users', operation: 'create', status: 201, requestBody: { userName: 'a' } })); // 2
  journal.record(
    input({
      method: 'PATCH',
      relativePath: '/Users/1',
      operation: 'patch',
      status: 400,
      requestBody: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
      warnings: [{ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: 'op "Replace" should be "replace"' }],
    }),
  ); // 3
  journal.record(input({ method: 'PATCH', relativePath: '/Groups/1', operation: 'patch', resourceType: 'Group', status: 204 })); // 4
  journal.record(input({ method: 'GET', relativePath: '/Users/1', operation: 'get', status: 503, fault: { id: 'f1', action: 'error' } })); // 5
});

const seqs = (body: unknown) => (body as { requests: JournalEntry[] }).requests.map((e) => e.seq);

describe('GET /requests', () => {
  it('parses query-string parameters into a query', async () => {
    let res = await request(app).get('/_mock/requests').expect(200);
    expect(seqs(res.body)).toEqual([1, 2, 3, 4, 5]);
    expect(res.body.count).toBe(5);
    expect(res.body.lastSeq).toBe(5);
    res = await request(app).get('/_mock/requests?method=PATCH&operation=patch&status=4xx&since=1&limit=5&hasWarnings=true').expect(200);
    expect(seqs(res.body)).toEqual([3]);
    res = await request(app).get('/_mock/requests?status=201,204').expect(200);
    expect(seqs(res.body)).toEqual([2, 4]);
    res = await request(app).get('/_mock/requests?operation=create&operation=get').expect(200);
    expect(seqs(res.body)).toEqual([2, 5]);
    res = await request(app).get('/_mock/requests').query({ path: '/Users/*', order: 'desc' }).expect(200);
    expect(seqs(res.body)).toEqual([5, 3]);
    res = await request(app).get('/_mock/requests?fault=true').expect(200);
    expect(seqs(res.body)).toEqual([5]);
    res = await request(app).get('/_mock/requests?fault=f1').expect(200);
    expect(seqs(res.body)).toEqual([5]);
    res = await request(app).get('/_mock/requests?limit=2').expect(200);
    expect(seqs(res.body)).toEqual([1, 2]);
    expect(res.body.count).toBe(5);
    res = await request(app)
      .get('/_mock/requests')
      .query({ body: JSON.stringify({ path: 'Operations[*].op', equals: 'Replace' }) })
      .expect(200);
    expect(seqs(res.body)).toEqual([3]);
  });

  it('answers 400 naming the field for bad parameters', async () => {
    const cases: Array<[string, string]> = [
      ['status=abc', 'status'],
      ['since=-1', 'since'],
      ['limit=0', 'limit'],
      ['limit=x', 'limit'],
      ['hasWarnings=maybe', 'hasWarnings'],
      ['operation=fetch', 'operation'],
      ['nope=1', 'nope'],
      ['body=notjson', 'body'],
      ['from=yesterday', 'from'],
      ['path=a&path=b', 'path'],
    ];
    for (const [qs, field] of cases) {
      const res = await request(app).get(`/_mock/requests?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.field, qs).toBe(field);
      expect(res.body.error, qs).toContain(field);
    }
  });
});

describe('single entries, clear, count, find', () => {
  it('GET /requests/:id returns the entry or 404', async () => {
    const res = await request(app).get('/_mock/requests/req-2').expect(200);
    expect(res.body.seq).toBe(2);
    expect(res.body.requestBody).toEqual({ userName: 'a' });
    const missing = await request(app).get('/_mock/requests/req-99').expect(404);
    expect(missing.body.error).toContain('req-99');
  });

  it('DELETE /requests empties the journal with 204', async () => {
    await request(app).delete('/_mock/requests').expect(204);
    expect(journal.size).toBe(0);
    const res = await request(app).get('/_mock/requests').expect(200);
    expect(res.body).toEqual({ requests: [], count: 0, lastSeq: 5 });
  });

  it('POST /requests/count and /requests/find take the query as the body', async () => {
    let res = await request(app).post('/_mock/requests/count').send({ operation: 'patch' }).expect(200);
    expect(res.body).toEqual({ count: 2 });
    res = await request(app).post('/_mock/requests/count').expect(200);
    expect(res.body).toEqual({ count: 5 });
    res = await request(app)
      .post('/_mock/requests/find')
      .send({ body: { path: 'operations[*].path', equals: 'active' }, status: ['4xx', '5xx'] })
      .expect(200);
    expect(seqs(res.body)).toEqual([3]);
    expect(res.body.count).toBe(1);
    res = await request(app).post('/_mock/requests/find').send({ method: 'PATCH', limit: 1, order: 'desc' }).expect(200);
    expect(seqs(res.body)).toEqual([4]);
    expect(res.body.count).toBe(2);
  });

  it('rejects bad query bodies with 400 and the field', async () => {
    let res = await request(app).post('/_mock/requests/find').send({ status: true }).expect(400);
    expect(res.body.field).toBe('status');
    res = await request(app).post('/_mock/requests/count').send({ body: { path: 'x', equals: 1, contains: 1 } }).expect(400);
    expect(res.body.field).toBe('body');
    res = await request(app).post('/_mock/requests/find').send([1, 2]).expect(400);
    expect(res.body.field).toBe('query');
    res = await request(app).post('/_mock/requests/find').set('Content-Type', 'application/json').send('{"__proto__":{"x":1}}').expect(400);
    expect(res.body.field).toBe('__proto__');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('export', () => {
  it('exports NDJSON as an attachment', async () => {
    const res = await request(app).get('/_mock/requests/export?format=ndjson&operation=patch').buffer(true).parse((r, cb) => {
      let t = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (t += c));
      r.on('end', () => cb(null, t));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".*\.ndjson"$/);
    const lines = (res.body as string).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as JournalEntry).seq)).toEqual([3, 4]);
  });

  it('exports HAR 1.2 as an attachment', async () => {
    const res = await request(app).get('/_mock/requests/export?format=har').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".*\.har"$/);
    expect(res.body.log.version).toBe('1.2');
    expect(res.body.log.creator.name).toBe('scimulator');
    expect(res.body.log.entries).toHaveLength(5);
    expect(res.body.log.entries[2].request.method).toBe('PATCH');
    expect(res.body.log.entries[4].response.status).toBe(503);
  });

  it('rejects an unknown format', async () => {
    const res = await request(app).get('/_mock/requests/export?format=csv').expect(400);
    expect(res.body.field).toBe('format');
  });
});

describe('GET /requests/wait', () => {
  it('long-polls for the first matching request after `since`', async () => {
    const pending = request(app).get('/_mock/requests/wait?since=5&operation=delete&timeoutMs=5000');
    const done = pending.then((r) => r);
    setTimeout(() => {
      journal.record(input({ operation: 'get' })); // 6
      journal.record(input({ method: 'DELETE', operation: 'delete', status: 204 })); // 7
    }, 50);
    const res = await done;
    expect(res.status).toBe(200);
    expect(res.body.seq).toBe(7);
    expect(res.body.method).toBe('DELETE');
  });

  it('answers at once when a matching request is already there', async () => {
    const res = await request(app).get('/_mock/requests/wait?since=1&operation=patch&timeoutMs=10').expect(200);
    expect(res.body.seq).toBe(3);
  });

  it('answers 408 on timeout and 400 on a bad timeout', async () => {
    const res = await request(app).get('/_mock/requests/wait?since=5&timeoutMs=30').expect(408);
    expect(res.body.error).toContain('30 ms');
    const bad = await request(app).get('/_mock/requests/wait?timeoutMs=soon').expect(400);
    expect(bad.body.field).toBe('timeoutMs');
  });

  it('stops waiting when the client goes away', async () => {
    const waiters = () => (journal as unknown as { waiters: Set<unknown> }).waiters.size;
    // The client leaves once its wait is registered (after a fixed time it may not be yet, on a loaded machine), and
    // the server notices the close as a later event.
    const req = request(app).get('/_mock/requests/wait?since=5&timeoutMs=60000');
    const failed = req.then(() => undefined, (err: Error) => err);
    await expect.poll(waiters, { timeout: 10_000 }).toBe(1);
    req.abort();
    await failed;
    await expect.poll(waiters, { timeout: 10_000 }).toBe(0);
  });
});

describe('GET /conformance', () => {
  it('returns the summary', async () => {
    const res = await request(app).get('/_mock/conformance').expect(200);
    expect(res.body).toEqual({
      totalRequests: 5,
      requestsWithWarnings: 1,
      warnings: [
        { code: 'op-case', rfc: 'RFC 7644 3.5.2', count: 1, requests: 1, firstRequestId: 'req-3', example: 'op "Replace" should be "replace"' },
      ],
      requestsWithFindings: 0,
      behaviour: [],
    });
  });
});

describe('journalQueryFromParams', () => {
  it('converts strings and lists', () => {
    expect(
      journalQueryFromParams({ method: 'GET', status: '4xx,500', since: '12', limit: '5', hasWarnings: 'false', fault: 'false', order: 'desc' }),
    ).toEqual({ method: 'GET', status: ['4xx', 500], since: 12, limit: 5, hasWarnings: false, fault: false, order: 'desc' });
    expect(journalQueryFromParams({ timeoutMs: '5' }, ['timeoutMs'])).toEqual({});
    expect(() => journalQueryFromParams({ since: '1.5' })).toThrow(JournalQueryError);
  });
});
