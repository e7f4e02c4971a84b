/**
 * The fault layer of a SCIM request: asks the tenant's FaultRegistry what to do and does it: delay, answer,
 * drop the connection or never answer instead of the real handler; or let the real handler run and then replace
 * its answer (phase "after"), send it slowly (throttle), shift the listing first (drift), or fail single Bulk
 * operations (match.bulkOperation).
 */
import type { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestScimContext } from '../request-context.js';
import { listRequestFromParams, listRequestFromSearchBody, type ListRequest } from '../scim/list.js';
import type { ResourceRepository } from '../scim/repository.js';
import { ScimService } from '../scim/service.js';
import { applyDrift } from './drift.js';
import { ResponseHold } from './hold.js';
import type { BulkOperationHook, FaultRegistry } from './registry.js';
import type { FaultDecision, FaultEffect, FaultRequestInfo } from './types.js';
import type { FaultView } from './view.js';

/** What the fault layer acts on for one request. */
export interface FaultTarget {
  faults: FaultRegistry;
  context: RequestScimContext;
  /** The tenant's SCIM service and the view of the store it reads through: drift writes through them. */
  service?: ScimService;
  view?: FaultView;
}

export type FaultTargetResolver = (req: Request, res: Response) => FaultTarget | undefined;

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
    if (!target) {
      next();
      return;
    }
    const info = buildFaultRequestInfo(req, target.context);
    giveReadView(target, req.method);
    const hook = target.faults.bulkOperationHook(info);
    if (hook) target.context.bulkOperationHook = reportingHook(hook, target.context);
    const decisions = target.faults.decide(info);
    if (decisions.length === 0) {
      next();
      return;
    }
    const last = decisions[decisions.length - 1]!;
    target.context.fault = {
      id: last.ruleId,
      ...(last.name !== undefined ? { name: last.name } : {}),
      action: last.action,
      ...(last.phase ? { phase: last.phase } : {}),
    };
    new FaultRun(decisions, req, res, next, target).step(0);
  };
}

/**
 * The Bulk operation hook, naming the rule that failed operations in `context.fault` (unless a request-level rule
 * other than latency already decides the outcome).
 */
function reportingHook(hook: BulkOperationHook, context: RequestScimContext): RequestScimContext['bulkOperationHook'] {
  return (op) => {
    const error = hook(op);
    const first = hook.fired[0];
    if (error && first && (!context.fault || context.fault.action === 'latency' || context.fault.operations)) {
      context.fault = {
        id: first.ruleId,
        ...(first.name !== undefined ? { name: first.name } : {}),
        action: first.action,
        operations: [...first.operations],
      };
    }
    return error;
  };
}

/** The tenant's service over another repository (a view of the same store). */
function serviceOver(service: ScimService, repo: ResourceRepository): ScimService {
  return new ScimService(service.registry, repo, service.clock, service.random, service.options);
}

/**
 * While lagged writes are pending, a list or search request (and a GET by id, for writes lagged with `reads`) runs
 * on a service that sees the state before them.
 */
function giveReadView(target: FaultTarget, method: string): void {
  const { service, view, context } = target;
  if (!service || !view) return;
  const op = context.operation;
  const kind = op === 'list' || op === 'search' ? 'list' : op === 'get' || (op === 'me' && (method === 'GET' || method === 'HEAD')) ? 'get' : undefined;
  if (!kind) return;
  const repo = view.readView(kind);
  if (repo !== view) context.service = serviceOver(service, repo);
}

/** The list request a list or search request makes (undefined when it does not parse: the handler answers that). */
function listRequestOf(req: Request, context: RequestScimContext): ListRequest | undefined {
  try {
    if (context.operation === 'search') return listRequestFromSearchBody(req.body).request;
    const query = (req.query ?? {}) as Record<string, unknown>;
    return listRequestFromParams((name) => {
      const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
      const value = key === undefined ? undefined : query[key];
      return typeof value === 'string' ? value : undefined;
    });
  } catch {
    return undefined;
  }
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
    private readonly target: FaultTarget,
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
    if (decision.phase === 'after') {
      this.finish();
      this.afterHandler(effect);
      this.next();
      return;
    }
    switch (effect.type) {
      case 'throttle':
        this.finish();
        this.throttle(effect.bytesPerSecond);
        this.next();
        return;
      case 'drift':
        this.drift(effect, decision, i);
        return;
      case 'lag': {
        const { service, view, context } = this.target;
        if (service && view) context.service = serviceOver(service, view.lagging(effect.ms, effect.reads));
        this.finish();
        this.next();
        return;
      }
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

  /**
   * Phase "after": the real handler runs and commits; its answer is held, recorded as committed, and the client
   * gets the fault instead: an error response, a dropped connection, or none until `maxMs`.
   */
  private afterHandler(effect: FaultEffect): void {
    const { req, res } = this;
    const context = this.target.context;
    const before = res.getHeaders();
    const hold = new ResponseHold(res, (held) => {
      context.committed = { status: held.status, headers: copyHeaders(held.headers), body: held.body.toString('utf8') };
      switch (effect.type) {
        case 'respond':
          // The answer of the fault alone: the headers the handler set (ETag, Location) are gone with its body.
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          for (const [name, value] of Object.entries(before)) if (value !== undefined) res.setHeader(name, value);
          res.statusCode = effect.status;
          for (const [name, value] of Object.entries(effect.headers)) res.setHeader(name, value);
          res.setHeader('Content-Length', Buffer.byteLength(effect.body));
          hold.endThrough(effect.body);
          return;
        case 'reset':
          resetSocket(req.socket);
          return;
        case 'hang': {
          const timer = setTimeout(() => req.socket.destroy(), effect.maxMs);
          res.once('close', () => clearTimeout(timer));
          return;
        }
        default:
          hold.endThrough(held.body);
      }
    });
  }

  /** The real answer with its body sent at `bytesPerSecond` (real time): about ten writes a second. */
  private throttle(bytesPerSecond: number): void {
    const { req, res } = this;
    const hold = new ResponseHold(res, (held) => {
      const body = held.body;
      if (req.method === 'HEAD' || body.length === 0) {
        hold.endThrough(body.length === 0 ? undefined : body);
        return;
      }
      res.setHeader('Content-Length', body.length);
      res.flushHeaders();
      const size = Math.max(1, Math.floor(bytesPerSecond / 10));
      const intervalMs = (size / bytesPerSecond) * 1000;
      const start = performance.now();
      let offset = 0;
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const onClose = () => clearTimeout(timer);
      res.once('close', onClose);
      const send = () => {
        if (req.socket.destroyed) return;
        const chunk = body.subarray(offset, offset + size);
        offset += chunk.length;
        sent++;
        if (offset >= body.length) {
          res.removeListener('close', onClose);
          hold.endThrough(chunk);
          return;
        }
        hold.writeThrough(chunk);
        schedule();
      };
      // Each chunk leaves when the bytes before it have had their time, however late the timers fire.
      const schedule = () => {
        timer = setTimeout(send, Math.max(0, start + (sent + 1) * intervalMs - performance.now()));
      };
      schedule();
    });
  }

  /** Deletes and creates resources of the listed type, records their ids on the fault, then goes on. */
  private drift(effect: Extract<FaultEffect, { type: 'drift' }>, decision: FaultDecision, i: number): void {
    const { service, view, context } = this.target;
    if (!service || !view || context.resourceType === undefined) {
      this.step(i + 1);
      return;
    }
    applyDrift(service, view, context.resourceType, listRequestOf(this.req, context), effect).then(
      ({ inserted, deleted }) => {
        if (context.fault?.id === decision.ruleId) {
          context.fault.inserted = inserted;
          context.fault.deleted = deleted;
        }
        this.step(i + 1);
      },
      (err: unknown) => {
        if (this.done) return;
        this.finish();
        this.next(err);
      },
    );
  }
}

function copyHeaders(headers: OutgoingHttpHeaders): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? [...value] : value;
  return out;
}

/** Drops the connection with a TCP RST where possible (the client sees ECONNRESET), else a plain close. */
function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
