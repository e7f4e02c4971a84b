/**
 * The server makes each request and response with the express app's prototypes from the start
 * (appMessageClasses), so express never has to switch them per request; everything express and node offer on
 * them still works, on the SCIM path and on the control API.
 */
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appMessageClasses } from '../../src/http/pipeline.js';
import { startServer, type RunningServer } from '../../src/server.js';

describe('appMessageClasses', () => {
  let server: Server;
  let origin: string;
  let app: Express;
  beforeAll(async () => {
    app = express();
    app.get('/echo', (req, res) => {
      res.status(201).set('X-Seen', req.get('x-probe') ?? 'none').json({ path: req.path, query: req.query, protocol: req.protocol });
    });
    const classes = appMessageClasses(app);
    expect(classes).toBeDefined();
    server = createServer({ ...classes }, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('makes node request and response objects whose prototypes are the app\'s', async () => {
    const seen: Array<{ req: object | null; res: object | null; incoming: boolean; outgoing: boolean }> = [];
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push({ req: Object.getPrototypeOf(req), res: Object.getPrototypeOf(res), incoming: req instanceof IncomingMessage, outgoing: res instanceof ServerResponse });
    });
    const res = await fetch(`${origin}/echo?a=1`, { headers: { 'X-Probe': 'yes' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ path: '/echo', query: { a: '1' }, protocol: 'http' });
    const target = app as unknown as { request: object; response: object };
    expect(seen).toEqual([{ req: target.request, res: target.response, incoming: true, outgoing: true }]);
  });
});

describe('startServer', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => running.close(100));

  it('serves SCIM and control requests made with the app\'s prototypes', async () => {
    const app = running.server.listeners('request')[0] as unknown as { request: object; response: object };
    const protos: Array<[object | null, object | null]> = [];
    running.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      protos.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]);
    });
    const auth = { Authorization: `Bearer ${running.token}` };
    const created = await fetch(`${running.baseUrl}/Users`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'proto@example.com' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const got = await fetch(`${running.baseUrl}/Users/${id}`, { headers: auth });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { userName: string }).userName).toBe('proto@example.com');
    const journal = await fetch(`${running.url}/_mock/requests?limit=5`);
    expect(journal.status).toBe(200);
    const { requests: entries } = (await journal.json()) as { requests: Array<{ method: string; status: number; relativePath: string }> };
    expect(entries.map((e) => [e.method, e.status, e.relativePath])).toEqual([
      ['POST', 201, '/Users'],
      ['GET', 200, `/Users/${id}`],
    ]);
    expect(protos).toHaveLength(3);
    for (const [req, res] of protos) {
      expect(req).toBe(app.request);
      expect(res).toBe(app.response);
    }
  });
});
