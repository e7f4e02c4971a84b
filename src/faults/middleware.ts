/**
 * The fault layer of a SCIM request: asks the tenant's FaultRegistry what to do and does it
 * (delay, answer, drop the connection, or never answer), before the real handler runs.
 */
import type { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RequestScimContext } from '../request-context.js';
import type { FaultRegistry } from './registry.js';
import type { FaultDecision, FaultRequestInfo } from './types.js';

export type FaultTargetResolver = (
  req: Request,
  res: Response,
) => { faults: FaultRegistry; context: RequestScimContext } | undefined;

/** The request as fault rules see it (the body has been parsed by the time this runs). */
export function buildFaultRequestInfo(req: Request, context: RequestScimContext): FaultRequestInfo {
  return {
    method: req.method,
    relativePath: context.relativePath,
    operation: context.operation,
    ...(context.resourceType !== undefined ? { resourceType: context.resourceType } : {}),
    headers: req.headers,
    query: (req.query ?? {}) as Record<string, unknown>,
    body: req.body,
  };
}

/**
 * `resolve` returns the tenant's registry and the request's context, or undefined to skip the fault layer.
 * When rules fire, `context.fault` names the one that decides the outcome (the non-latency rule when a
 * latency rule composed with one, else the latency rule) and is set before any delay starts.
 * If the client goes away during a delay or a hang, the timers are cleared and the handler is not run.
 */
export function faultMiddleware(resolve: FaultTargetResolver): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const target = resolve(req, res);
    if (!target || target.faults.size === 0) {
      next();
      return;
    }
    const decisions = target.faults.decide(buildFaultRequestInfo(req, target.context));
    if (decisions.length === 0) {
      next();
      return;
    }
    const last = decisions[decisions.length - 1]!;
    target.context.fault = {
      id: last.ruleId,
      ...(last.name !== undefined ? { name: last.name } : {}),
      action: last.action,
    };
    new FaultRun(decisions, req, res, next).step(0);
  };
}

/** Carries out the decisions of one request in order, watching for the client going away. */
class FaultRun {
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private readonly onClose = () => this.finish();

  constructor(
    private readonly decisions: FaultDecision[],
    private readonly req: Request,
    private readonly res: Response,
    private readonly next: NextFunction,
  ) {
    res.once('close', this.onClose);
  }

  step(i: number): void {
    if (this.done) return;
    if (this.req.socket.destroyed || this.res.writableEnded) {
      this.finish();
      return;
    }
    const decision = this.decisions[i];
    if (!decision) {
      this.finish();
      this.next();
      return;
    }
    const effect = decision.effect;
    switch (effect.type) {
      case 'delay':
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.step(i + 1);
        }, effect.ms);
        return;
      case 'respond': {
        this.finish();
        if (this.res.headersSent) return;
        this.res.statusCode = effect.status;
        for (const [name, value] of Object.entries(effect.headers)) this.res.setHeader(name, value);
        this.res.setHeader('Content-Length', Buffer.byteLength(effect.body));
        this.res.end(effect.body);
        return;
      }
      case 'reset':
        this.finish();
        resetSocket(this.req.socket);
        return;
      case 'hang':
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.finish();
          this.req.socket.destroy();
        }, effect.maxMs);
        return;
    }
  }

  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.res.removeListener('close', this.onClose);
  }
}

/** Drops the connection with a TCP RST where possible (the client sees ECONNRESET), else a plain close. */
function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
