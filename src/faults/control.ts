/**
 * Control API for fault rules (plain JSON, not SCIM), mounted by the app under the control path,
 * e.g. /_mock and /_mock/tenants/:id. Expects the body to have been parsed (controlLimits, src/http/limits.ts).
 *
 *   POST   /faults       201, the rule with its id and counters; Location: <mount>/faults/<id>
 *   GET    /faults       200, { "faults": [rule, ...] } in evaluation order
 *   GET    /faults/:id   200, the rule; 404 when unknown
 *   DELETE /faults/:id   204; 404 when unknown
 *   DELETE /faults       204, every rule removed
 * Errors: { "error": "<what to fix>", "field"?: "<the offending field, e.g. action.status>" } with 400 or 404.
 *
 * The router uses mergeParams, so `resolve` can read a parent route's params (e.g. the tenant id);
 * the rule id param is named `faultId` to stay clear of a parent `:id`.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ScimError } from '../scim/errors.js';
import type { FaultRegistry } from './registry.js';
import { FaultRuleError } from './rules.js';

export function faultsControlRouter(resolve: (req: Request) => FaultRegistry): Router {
  const router = Router({ mergeParams: true });

  router.post('/faults', (req, res) => {
    const registry = resolve(req);
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      res.status(400).json({
        error: 'the request body must be a JSON object describing a fault rule',
      });
      return;
    }
    const rule = registry.add(req.body);
    res
      .status(201)
      .location(`${req.baseUrl}/faults/${encodeURIComponent(rule.id)}`)
      .json(rule);
  });

  router.get('/faults', (req, res) => {
    res.json({ faults: resolve(req).list() });
  });

  router.get('/faults/:faultId', (req, res) => {
    const id = String(req.params.faultId);
    const rule = resolve(req).get(id);
    if (!rule) {
      notFound(res, id);
      return;
    }
    res.json(rule);
  });

  router.delete('/faults/:faultId', (req, res) => {
    const id = String(req.params.faultId);
    if (!resolve(req).remove(id)) {
      notFound(res, id);
      return;
    }
    res.status(204).end();
  });

  router.delete('/faults', (req, res) => {
    resolve(req).clear();
    res.status(204).end();
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof FaultRuleError) {
      res.status(400).json(err.field ? { error: err.detail, field: err.field } : { error: err.detail });
    } else if (err instanceof ScimError && err.status >= 400 && err.status < 500) {
      res.status(err.status).json({ error: err.detail });
    } else {
      next(err);
    }
  });

  return router;
}

function notFound(res: Response, id: string): void {
  res.status(404).json({ error: `no fault rule has the id "${id}"`, field: 'id' });
}
