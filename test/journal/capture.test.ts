/**
 * Where the journal takes response bodies from: write and end of the express app's response prototype (installed
 * by the first journaled request), or the response's own methods wrapped when there is no app prototype (a plain
 * node handler). Neither may change another app's responses or node's ServerResponse.
 */
import { createServer, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { journalMiddleware } from '../../src/journal/middleware.js';
import type { RequestScimContext } from '../../src/request-context.js';
import { frozenClock } from './helpers.js';

const context = (): RequestScimContext => ({ tenantId: 'default', relativePath: '/Users', operation: 'list', warnings: [] });
const LIST = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] };

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
});

describe('response capture', () => {
  it('a plain node handler (no express prototype): the body written in parts is journaled, node\'s ServerResponse untouched', async () => {
    const nodeWrite = ServerResponse.prototype.write;
    const nodeEnd = ServerResponse.prototype.end;
    const journal = new Journal({ clock: frozenClock() });
    const layer = journalMiddleware(() => ({ journal, context: context() }));
    server = createServer((req, res) => {
      layer(req as unknown as Request, res as unknown as Response, () => {
        res.setHeader('Content-Type', 'application/scim+json');
        const text = JSON.stringify(LIST);
        res.write(text.slice(0, 10));
        res.end(text.slice(10));
      });
    }).listen(0);
    await new Promise<void>((r) => server!.once('listening', () => r()));
    const waiting = journal.waitFor({}, { timeoutMs: 5000 });
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2/Users`);
    expect(await res.json()).toEqual(LIST);
    const entry = await waiting;
    expect(entry.responseBody).toEqual(LIST);
    expect(entry.status).toBe(200);
    expect(ServerResponse.prototype.write).toBe(nodeWrite);
    expect(ServerResponse.prototype.end).toBe(nodeEnd);
    await journal.close();
  });

  it('an express app: journaled and unjournaled responses pass unchanged, only journaled ones are recorded, another app keeps its prototype', async () => {
    const journal = new Journal({ clock: frozenClock() });
    const app = express();
    app.use((req, res, next) => {
      if (req.path.startsWith('/scim/')) res.locals.scim = context();
      next();
    });
    app.use(journalMiddleware((_req, res) => (res.locals.scim ? { journal, context: res.locals.scim as RequestScimContext } : undefined)));
    app.get('/scim/v2/Users', (_req, res) => void res.type('application/scim+json').send(JSON.stringify(LIST)));
    app.get('/other', (_req, res) => {
      res.type('text/plain');
      res.write('not ');
      res.end('journaled');
    });
    const other = express();
    other.get('/x', (_req, res) => void res.send('x'));
    const otherEnd = other.response.end;

    const first = await request(app).get('/scim/v2/Users').expect(200);
    expect(JSON.parse(first.text)).toEqual(LIST);
    expect((await request(app).get('/other').expect(200)).text).toBe('not journaled');
    await request(app).get('/scim/v2/Users').expect(200);
    await request(other).get('/x').expect(200, 'x');
    await expect.poll(() => journal.size).toBe(2);
    expect(journal.list().map((e) => [e.path, e.responseBody])).toEqual([
      ['/scim/v2/Users', LIST],
      ['/scim/v2/Users', LIST],
    ]);
    expect(other.response.end).toBe(otherEnd);
    expect(Object.hasOwn(other.response, 'end')).toBe(false);
    await journal.close();
  });
});
