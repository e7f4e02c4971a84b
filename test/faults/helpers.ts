import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { classifyScimRequest } from '../../src/http/classify.js';
import type { RequestScimContext } from '../../src/request-context.js';
import { faultsControlRouter } from '../../src/faults/control.js';
import { faultMiddleware } from '../../src/faults/middleware.js';
import { FaultRegistry } from '../../src/faults/registry.js';
import { ControllableClock, type Clock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';

export const RESOURCE_TYPES = [
  { name: 'User', endpoint: '/Users' },
  { name: 'Group', endpoint: '/Groups' },
];

/**
 * A small app shaped like the real one: SCIM under /scim/v2 (context, faults, a stub handler that echoes
 * the operation), and the fault control router under /_mock.
 */
export function buildApp(opts: { seed?: number; clock?: Clock } = {}) {
  const clock = opts.clock ?? new ControllableClock();
  const faults = new FaultRegistry({ random: new SeededRandom(opts.seed ?? 1), clock });
  const contexts: RequestScimContext[] = [];
  let handled = 0;
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/scim+json'] }));
  app.use('/_mock', faultsControlRouter(() => faults));
  const scim = express.Router();
  scim.use((req, res, next) => {
    const cls = classifyScimRequest(req.method, req.path, RESOURCE_TYPES);
    const context: RequestScimContext = {
      tenantId: 'default',
      relativePath: req.path,
      operation: cls.operation,
      ...(cls.resourceType ? { resourceType: cls.resourceType } : {}),
      warnings: [],
    };
    res.locals.scim = context;
    contexts.push(context);
    next();
  });
  scim.use(faultMiddleware((_req, res) => ({ faults, context: res.locals.scim as RequestScimContext })));
  scim.use((req, res) => {
    handled++;
    const ctx = res.locals.scim as RequestScimContext;
    res.status(200).type('application/scim+json').send(JSON.stringify({ operation: ctx.operation, path: req.path }));
  });
  app.use('/scim/v2', scim);
  return {
    app,
    faults,
    clock,
    contexts,
    get handled() {
      return handled;
    },
  };
}

export async function listen(app: express.Express): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResult {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  error?: NodeJS.ErrnoException;
  timedOut: boolean;
  ms: number;
}

/** A plain node:http request (no retries, no agent keep-alive), reporting socket errors and timeouts. */
export function rawRequest(
  port: number,
  path: string,
  opts: { method?: string; timeoutMs?: number; body?: unknown; abortAfterMs?: number; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<RawResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    let timedOut = false;
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/scim+json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, timedOut, ms: performance.now() - start }));
        res.on('error', (error) => resolve({ error, timedOut, ms: performance.now() - start }));
      },
    );
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => {
        timedOut = true;
        req.destroy();
      });
    }
    if (opts.abortAfterMs !== undefined) setTimeout(() => req.destroy(), opts.abortAfterMs);
    // The client leaves when the test says so (once the server is known to hold the request), not after a fixed time.
    opts.signal?.addEventListener('abort', () => req.destroy(), { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, timedOut, ms: performance.now() - start }));
    if (payload) req.write(payload);
    req.end();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
