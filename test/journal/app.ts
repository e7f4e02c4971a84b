/**
 * A small express app standing in for the real one: a context layer, the journal middleware, a body parser,
 * a classifier filling operation / resource type (as later layers do), a few SCIM-like routes, and the control
 * router under /_mock.
 */
import express, { type Request, type Response } from 'express';
import type { RequestScimContext } from '../../src/request-context.js';
import { requestsControlRouter } from '../../src/journal/control.js';
import type { Journal } from '../../src/journal/journal.js';
import { journalMiddleware } from '../../src/journal/middleware.js';

const ctx = (res: Response) => res.locals.scim as RequestScimContext;
const scim = (res: Response, status: number, body?: unknown) => {
  res.status(status).type('application/scim+json');
  if (body === undefined) res.end();
  else res.send(JSON.stringify(body));
};

/** How many requests GET /hang has received (and holds): a test aborts one once it is held, not after a sleep. */
export const hanging = { received: 0 };

/** The journal's control router alone under /_mock, over a journal a test records into directly. */
export function controlApp(journal: Journal): express.Express {
  const app = express();
  app.use(express.json());
  app.use('/_mock', requestsControlRouter(() => journal));
  return app;
}

export function makeApp(journal: Journal): express.Express {
  const app = express();
  app.use('/scim/v2', (req, res, next) => {
    const context: RequestScimContext = { tenantId: 'default', relativePath: req.path, operation: 'unknown', warnings: [] };
    res.locals.scim = context;
    next();
  });
  // Only requests with a SCIM context are journalled (not /_mock).
  app.use(journalMiddleware((_req, res) => (res.locals.scim ? { journal, context: ctx(res) } : undefined)));
  // The body parser runs after the journal layer: the journal must still see the body.
  app.use(express.json({ type: ['application/json', 'application/scim+json'] }));
  app.use('/_mock', requestsControlRouter(() => journal));

  const scimRouter = express.Router();
  // A later layer classifies the request.
  scimRouter.use((req, res, next) => {
    const c = ctx(res);
    const [, type, id] = req.path.split('/');
    const resourceTypes: Record<string, string> = { Users: 'User', Groups: 'Group' };
    if (type && resourceTypes[type]) {
      c.resourceType = resourceTypes[type];
      c.operation = id
        ? ({ GET: 'get', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' } as const)[req.method as 'GET'] ?? 'unknown'
        : req.method === 'POST'
          ? 'create'
          : 'list';
    } else if (type === 'ServiceProviderConfig' || type === 'Schemas' || type === 'ResourceTypes') {
      c.operation = 'discovery';
    }
    next();
  });
  scimRouter.get('/ServiceProviderConfig', (_req, res) => scim(res, 200, { patch: { supported: true } }));
  scimRouter.get('/hang', () => {
    hanging.received++; /* never answers */
  });
  scimRouter.get('/reset', (req: Request, res) => {
    ctx(res).fault = { id: 'fault-1', name: 'drop', action: 'reset' };
    req.socket.destroy();
  });
  scimRouter.get('/big', (_req, res) => {
    res.status(200).type('text/plain');
    for (let i = 0; i < 100; i++) res.write(`${String(i).padStart(4, '0')}${'x'.repeat(1020)}`);
    res.end('END');
  });
  scimRouter.get('/:type', (_req, res) => scim(res, 200, { totalResults: 0, Resources: [] }));
  scimRouter.post('/:type', (req, res) => {
    res.setHeader('Location', `http://localhost/scim/v2/${req.params.type}/new`);
    scim(res, 201, { id: 'new', ...(req.body as object), password: undefined });
  });
  scimRouter.get('/:type/:id', (req, res) =>
    req.params.id === 'missing' ? scim(res, 404, { status: '404', detail: 'not found' }) : scim(res, 200, { id: req.params.id }),
  );
  scimRouter.put('/:type/:id', (req, res) => scim(res, 200, { id: req.params.id }));
  scimRouter.patch('/:type/:id', (req, res) => {
    const body = req.body as { Operations?: Array<{ op: string }> };
    for (const op of body.Operations ?? []) {
      if (op.op !== op.op.toLowerCase()) {
        ctx(res).warnings.push({ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: `op "${op.op}" should be "${op.op.toLowerCase()}"` });
        op.op = op.op.toLowerCase(); // normalised in place, as a profile layer might
      }
    }
    if (req.params.type === 'Groups') scim(res, 204);
    else scim(res, 200, { id: req.params.id });
  });
  scimRouter.delete('/:type/:id', (_req, res) => scim(res, 204));
  app.use('/scim/v2', scimRouter);
  return app;
}
