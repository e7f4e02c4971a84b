/**
 * The behaviour part of the control API (mounted under /_mock and /_mock/tenants/{id}):
 *   GET    /behaviour   what the analyser knows: per-code summary, and per client its findings with request ids
 *   DELETE /behaviour   forget every client and finding (journal entries keep theirs)   204
 */
import { Router, type Request } from 'express';
import type { BehaviourAnalyser } from './analyser.js';

export function behaviourControlRouter(resolve: (req: Request) => BehaviourAnalyser): Router {
  const router = Router();
  router.get('/behaviour', (req, res) => {
    res.json(resolve(req).report());
  });
  router.delete('/behaviour', (req, res) => {
    resolve(req).clear();
    res.status(204).end();
  });
  return router;
}
