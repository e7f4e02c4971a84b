/**
 * The profile layer of the SCIM pipeline (after faults, before the SCIM routes). Per request it runs the
 * conformance linter, records every quirk as a warning on the request's SCIM context (the journal keeps them),
 * then either rewrites the request into RFC shape or answers 400, depending on the tenant's profile.
 * With the tenant's `warningsHeader`, every response carries the warnings in Scimulator-Warning headers.
 */
import type { Request, RequestHandler, Response } from 'express';
import { pathSegments } from '../http/classify.js';
import { hasNoKeys } from '../http/scim-routes.js';
import type { ConformanceWarning, RequestScimContext } from '../request-context.js';
import type { ResourceSchema } from '../scim/attributes.js';
import { ScimError } from '../scim/errors.js';
import type { SchemaRegistry } from '../scim/schemas/registry.js';
import type { ProfileName } from '../tenant-config.js';
import { findingRfc, normaliseRequest, type Finding } from './normalise.js';
import { PROFILES, isTolerated } from './profiles.js';
import { QUIRK_BY_CODE, rfcSection } from './quirks.js';

export const WARNING_HEADER = 'Scimulator-Warning';
/** At most this many warnings are sent as header values (the journal keeps them all). */
export const MAX_WARNING_HEADERS = 50;
/** The header values together stay below this many characters (clients limit the size of response headers). */
export const MAX_WARNING_HEADER_CHARS = 8 * 1024;
const MAX_DETAIL_CHARS = 400;

/** What the layer needs from the tenant. */
export interface ProfileTenant {
  config: { profile: ProfileName; warningsHeader: boolean };
  registry: SchemaRegistry;
}

export type ProfileResolver = (req: Request, res: Response) => { tenant: ProfileTenant; context: RequestScimContext } | undefined;

/** The warning a finding becomes: its detail names what was sent, what to send, and where. */
export function toWarning(finding: Finding): ConformanceWarning {
  let detail = finding.what;
  if (finding.fix) detail += `; ${finding.fix}`;
  if (finding.at) detail += ` (at ${finding.at})`;
  return { code: finding.code, rfc: findingRfc(finding), detail };
}

/** A JSON-style quoted string with everything outside printable ASCII escaped as \uXXXX. */
function asciiQuoted(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One Scimulator-Warning header value: `op-case; rfc="RFC 7644 3.5.2"; "op \"Replace\" is not ..."`. */
export function formatWarningHeader(warning: ConformanceWarning): string {
  const code = String(warning.code).replace(/[^A-Za-z0-9._-]/g, '-') || 'warning';
  const detail = warning.detail.length > MAX_DETAIL_CHARS ? `${warning.detail.slice(0, MAX_DETAIL_CHARS - 3)}...` : warning.detail;
  return `${code}; rfc=${asciiQuoted(String(warning.rfc))}; ${asciiQuoted(detail)}`;
}

/** The header values for a request's warnings, bounded in count and size. */
export function warningHeaderValues(warnings: readonly ConformanceWarning[]): string[] {
  const values: string[] = [];
  let size = 0;
  for (const w of warnings) {
    const value = formatWarningHeader(w);
    if (values.length >= MAX_WARNING_HEADERS || size + value.length > MAX_WARNING_HEADER_CHARS) break;
    values.push(value);
    size += value.length;
  }
  const rest = warnings.length - values.length;
  if (rest > 0) values.push(`more; count=${rest}; ${asciiQuoted(`${rest} more warning${rest === 1 ? '' : 's'} for this request are in the request journal`)}`);
  return values;
}

/** The 400 for a request whose deviations the profile does not tolerate. */
export function rejection(profile: ProfileName, blocking: readonly Finding[]): ScimError {
  const first = blocking[0]!;
  const info = QUIRK_BY_CODE.get(first.code);
  let detail = `${first.what} (${rfcSection(findingRfc(first))})`;
  if (first.fix) detail += `; ${first.fix}`;
  if (first.at) detail += ` (at ${first.at})`;
  detail += '.';
  if (first.unfixable) {
    detail += ` Scimulator cannot rewrite this into an RFC request under any profile [${first.code}].`;
  } else {
    const accepting = (Object.keys(PROFILES) as ProfileName[]).filter((p) => p !== profile && isTolerated(p, first.code));
    detail += ` The tenant's profile "${profile}" rejects this deviation [${first.code}]`;
    detail += accepting.length > 0 ? `; the profile${accepting.length === 1 ? '' : 's'} ${accepting.map((p) => `"${p}"`).join(', ')} would accept it.` : '.';
  }
  const others = [...new Set(blocking.slice(1).map((f) => `${f.code} (${rfcSection(findingRfc(f))})`))];
  if (others.length > 0) detail += ` The request has ${blocking.length - 1} more rejected deviation${blocking.length === 2 ? '' : 's'}: ${others.join(', ')}.`;
  return new ScimError(400, info?.scimType ?? 'invalidValue', detail);
}

function resourceIdOf(context: RequestScimContext): string | undefined {
  const segments = pathSegments(context.relativePath);
  if (segments.length !== 2) return undefined;
  try {
    return decodeURIComponent(segments[1]!);
  } catch {
    return segments[1];
  }
}

function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim();
}

/** Sets the Scimulator-Warning header from the context's warnings just before the response head goes out. */
function sendWarningsInHeaders(res: Response, warnings: () => readonly ConformanceWarning[]): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    const list = warnings();
    if (list.length > 0 && !this.headersSent) this.setHeader(WARNING_HEADER, warningHeaderValues(list));
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as typeof res.writeHead;
}

/**
 * The profile normaliser. `resolve` gives the tenant (profile, warningsHeader, schemas) and the request's SCIM
 * context; when it returns undefined the request passes untouched.
 */
export function profileMiddleware(resolve: ProfileResolver): RequestHandler {
  return (req, res, next) => {
    let target: ReturnType<ProfileResolver>;
    try {
      target = resolve(req, res);
    } catch {
      target = undefined;
    }
    if (!target) return next();
    const { tenant, context } = target;
    const profile = tenant.config.profile;
    if (tenant.config.warningsHeader) {
      sendWarningsInHeaders(res, () => {
        let current = context;
        try {
          current = resolve(req, res)?.context ?? context;
        } catch {
          /* keep the context we have */
        }
        // Behaviour findings known when the request arrived (src/behaviour/) travel in the same header.
        const warnings = current.warnings ?? [];
        return current.findings ? [...warnings, ...current.findings] : warnings;
      });
    }

    // Without a body or query parameters a request has nothing the linter looks at.
    if (req.body === undefined && hasNoKeys(req.query)) return next();

    let result: ReturnType<typeof normaliseRequest>;
    try {
      const schema: ResourceSchema | undefined = context.resourceType ? tenant.registry.resourceType(context.resourceType) : undefined;
      result = normaliseRequest({
        operation: context.operation,
        schema,
        registry: tenant.registry,
        resourceId: resourceIdOf(context),
        mediaType: req.body === undefined ? undefined : mediaTypeOf(req),
        body: req.body,
        query: (req.query ?? {}) as Record<string, unknown>,
      });
    } catch (err) {
      // The linter must never take a request down; let it through as sent.
      process.emitWarning(`scimulator profiles: could not inspect ${req.method} ${req.originalUrl}: ${(err as Error).message}`);
      return next();
    }

    for (const finding of result.findings) context.warnings.push(toWarning(finding));
    // What no profile can rewrite is reported first: "profile X would accept it" for a deviation met earlier would
    // send the developer to a profile that still refuses the request.
    const blocking = result.findings.filter((f) => f.unfixable || !isTolerated(profile, f.code)).sort((a, b) => Number(b.unfixable === true) - Number(a.unfixable === true));
    if (blocking.length > 0) return next(rejection(profile, blocking));

    if (result.bodyChanged) req.body = result.body;
    if (result.query) {
      // The routes read the rewritten query; once the response starts, the client's own query is back, so the
      // journal (which reads req.query when it records) shows what was sent.
      Object.defineProperty(req, 'query', { value: result.query, enumerable: true, writable: true, configurable: true });
      const writeHead = res.writeHead;
      res.writeHead = function (this: Response, ...args: unknown[]) {
        delete (req as { query?: unknown }).query;
        return (writeHead as (...a: unknown[]) => Response).apply(this, args);
      } as typeof res.writeHead;
    }
    next();
  };
}
