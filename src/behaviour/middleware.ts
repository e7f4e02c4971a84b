/**
 * The pre-response seam of the behaviour analyser: when a SCIM request arrives (after auth, before faults), hand it
 * to the tenant's analyser. Findings known at that moment (a retry before Retry-After, a page walk's gap) go into
 * the response's Scimulator-Warning header with `warningsHeader`, even when a fault answers; everything else the
 * analyser learns from the journal entry when the request completes.
 */
import type { Request, RequestHandler, Response } from 'express';
import { WARNING_HEADER, warningHeaderValues } from '../profiles/middleware.js';
import type { RequestScimContext } from '../request-context.js';
import type { ArrivingRequest, BehaviourAnalyser } from './analyser.js';

export type BehaviourResolver = (
  req: Request,
  res: Response,
) => { analyser: BehaviourAnalyser; context: RequestScimContext; warningsHeader: boolean; principal?: string } | undefined;

export function behaviourMiddleware(resolve: BehaviourResolver): RequestHandler {
  return (req, res, next) => {
    const target = resolve(req, res);
    if (!target) return next();
    const { analyser, context } = target;
    try {
      const arriving: ArrivingRequest = { context, method: req.method, query: (req.query ?? {}) as Record<string, unknown>, headers: req.headers, body: req.body as unknown };
      if (target.principal !== undefined) arriving.principal = target.principal;
      const findings = analyser.arrive(arriving);
      // The profile layer, when the request gets that far, sets the header again with warnings and findings.
      if (findings.length > 0 && target.warningsHeader && !res.headersSent) {
        res.setHeader(WARNING_HEADER, warningHeaderValues([...context.warnings, ...findings]));
      }
    } catch (err) {
      // The analyser must never take a request down.
      process.emitWarning(`scimulator behaviour: could not follow ${req.method} ${req.originalUrl}: ${(err as Error).message}`);
    }
    next();
  };
}
