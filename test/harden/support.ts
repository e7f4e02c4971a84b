/** Shared pieces of the hardening suites. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Scimulator } from '../../src/runtime.js';
import { ERROR_SCHEMA } from '../../src/scim/errors.js';

/** What this build supports, as the default tenant's ServiceProviderConfig advertises it. */
export const FEATURES = new Scimulator().defaultTenant.features;

export const NOT_YET = {
  patch: 'PATCH is not in this build yet (ServiceProviderConfig patch.supported is false); this test runs once it lands',
  bulk: 'Bulk is not in this build yet (ServiceProviderConfig bulk.supported is false); this test runs once it lands',
  filter: 'filtering is not in this build yet (ServiceProviderConfig filter.supported is false); this test runs once it lands',
};

export const SCIM_TYPES = new Set([
  'invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue',
  'invalidVers', 'sensitive', 'invalidCursor', 'expiredCursor', 'invalidCount',
]);

/** Signs of internals in a response: stack frames, source file positions, absolute paths of this checkout. */
export function leaksInternals(text: string): string | undefined {
  if (/\bat [^\n]*\((?:file:\/\/)?\/[^\n]*:\d+:\d+\)/.test(text) || /\n\s+at /.test(text)) return 'a stack trace';
  if (/\.(?:ts|js|mjs|cjs):\d+/.test(text)) return 'a source position';
  const root = new URL('../..', import.meta.url).pathname;
  if (text.includes(root) || text.includes('node_modules')) return 'an internal path';
  return undefined;
}

/**
 * Why `status`/`headers`/`text` is not a valid SCIM Error document (RFC 7644 section 3.12), or undefined when it is.
 */
export function scimErrorProblem(status: number, contentType: string | undefined, text: string): string | undefined {
  if (!/^application\/scim\+json/.test(contentType ?? '')) return `content-type is ${contentType ?? '(none)'}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'the body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not an object';
  if (!Array.isArray(body.schemas) || body.schemas.length !== 1 || body.schemas[0] !== ERROR_SCHEMA) return `schemas is ${JSON.stringify(body.schemas)}`;
  if (body.status !== String(status)) return `status is ${JSON.stringify(body.status)}, not "${status}"`;
  if (typeof body.detail !== 'string' || body.detail.length < 10) return `detail is ${JSON.stringify(body.detail)}`;
  if (body.scimType !== undefined && !SCIM_TYPES.has(body.scimType as string)) return `scimType ${JSON.stringify(body.scimType)} is not one of RFC 7644 Table 9`;
  const extra = Object.keys(body).filter((k) => !['schemas', 'status', 'detail', 'scimType'].includes(k));
  if (extra.length) return `unexpected members ${extra.join(', ')}`;
  const leak = leaksInternals(text);
  if (leak) return `the body carries ${leak}`;
  return undefined;
}

/** Own property names of the built-in prototypes, to detect pollution by comparing before and after. */
export function prototypeFingerprint(): string {
  const protos: Array<[string, object]> = [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
    ['Function', Function.prototype],
    ['String', String.prototype],
    ['Map', Map.prototype],
  ];
  return protos.map(([name, p]) => `${name}:${Reflect.ownKeys(p).map(String).sort().join(',')}`).join('|');
}

/** True when a fresh object shows a property it should not have. */
export function polluted(): string | undefined {
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin', 'x', 'injected', 'admin']) {
    if (probe[key] !== undefined) return `({}).${key} is ${JSON.stringify(probe[key])}`;
    if (([] as unknown as Record<string, unknown>)[key] !== undefined) return `[].${key} is set`;
  }
  return undefined;
}

/** A raw HTTP exchange: resolves with everything the server sent once it closes the connection. */
export async function rawExchange(port: number, send: (socket: Socket) => Promise<void> | void, timeoutMs = 10_000): Promise<{ text: string; closedAfterMs: number }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
  await send(socket);
  await closed;
  clearTimeout(timer);
  return { text, closedAfterMs: Date.now() - started };
}

/** Splits a raw HTTP/1.1 response into status, headers and body. */
export function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: end < 0 ? '' : text.slice(end + 4) };
}
