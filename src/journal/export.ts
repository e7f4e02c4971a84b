/** Export formats of the journal: HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) and NDJSON. */
import { STATUS_CODES } from 'node:http';
import type { BehaviourFinding, ConformanceWarning, FiredFaultInfo } from '../request-context.js';
import type { CommittedEntry, JournalEntry, JournalOutcome } from './entry.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    /**
     * `encoding: "base64"` when the body is not text (its bytes in base64): HAR 1.2 has the field on
     * response.content only; the HAR 1.3 proposal adds it here with the same meaning, as tools that keep binary
     * request bodies write it.
     */
    postData?: { mimeType: string; text: string; encoding?: 'base64'; comment?: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  _id: string;
  _seq: number;
  _tenant: string;
  _operation: string;
  _resourceType: string | null;
  _fault: FiredFaultInfo | null;
  _warnings: ConformanceWarning[];
  _committed: CommittedEntry | null;
  _outcome: JournalOutcome;
  _client: string | null;
  _findings: BehaviourFinding[];
}

export interface HarLog {
  log: { version: '1.2'; creator: { name: 'scimulator'; version: string }; entries: HarEntry[] };
}

function headerList(headers: Record<string, string | string[] | number>): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name]!;
    for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value: String(value) });
  }
  return out;
}

function headerValue(headers: Record<string, string | string[] | number>, name: string): string | undefined {
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() === name) {
      const v = headers[k]!;
      return String(Array.isArray(v) ? v[0] : v);
    }
  }
  return undefined;
}

function bodyText(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export function toHarEntry(e: JournalEntry): HarEntry {
  const queryString: HarNameValue[] = [];
  for (const name of Object.keys(e.query)) {
    const v = e.query[name];
    for (const value of Array.isArray(v) ? v : [v]) queryString.push({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  const qs = new URLSearchParams(queryString.map((p): [string, string] => [p.name, p.value])).toString();
  const host = headerValue(e.requestHeaders, 'host') ?? 'localhost';
  // A body that is not text (an octet-stream upload) as the bytes the journal kept, not their lossy UTF-8 decoding.
  const reqBase64 = e.requestBodyBase64;
  const reqText = reqBase64 ?? bodyText(e.requestBody);
  const resText = bodyText(e.responseBody);
  const reqMime = headerValue(e.requestHeaders, 'content-type') ?? 'application/octet-stream';
  const resMime = headerValue(e.responseHeaders, 'content-type') ?? (resText === undefined ? '' : 'application/octet-stream');
  const duration = Math.max(0, e.durationMs);
  // HAR bodySize is the size of the body as it went over the wire, -1 when not known (HAR 1.2, request and
  // response): the declared Content-Length, else the text's bytes unless the journal cut it at 64 KiB.
  const declared = headerValue(e.requestHeaders, 'content-length');
  const reqWire = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
  const reqBytes = reqText === undefined ? 0 : reqBase64 !== undefined ? Buffer.byteLength(reqBase64, 'base64') : Buffer.byteLength(reqText);
  const reqSize = reqText === undefined ? (reqWire ?? 0) : (reqWire ?? (e.requestBodyTruncated ? -1 : reqBytes));
  const reqComment = [
    reqBase64 !== undefined ? 'not text: its bytes in base64 (encoding "base64")' : '',
    e.requestBodyTruncated ? 'cut at 64 KiB by the journal' : '',
  ].filter(Boolean);
  return {
    startedDateTime: e.time,
    time: duration,
    request: {
      method: e.method,
      url: `http://${host}${e.path}${qs ? `?${qs}` : ''}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(e.requestHeaders),
      queryString,
      ...(reqText === undefined
        ? {}
        : {
            postData: {
              mimeType: reqMime,
              text: reqText,
              ...(reqBase64 !== undefined ? { encoding: 'base64' as const } : {}),
              ...(reqComment.length ? { comment: reqComment.join('; ') } : {}),
            },
          }),
      headersSize: -1,
      bodySize: reqSize,
    },
    response: {
      status: e.status,
      statusText: e.status === 0 ? '' : (STATUS_CODES[e.status] ?? ''),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(e.responseHeaders),
      content: {
        size: resText === undefined ? 0 : Buffer.byteLength(resText),
        mimeType: resMime,
        ...(resText === undefined ? {} : { text: resText }),
        ...(e.responseBodyTruncated ? { comment: 'cut at 64 KiB by the journal: size and text are of the part kept' } : {}),
      },
      redirectURL: e.status >= 300 && e.status < 400 ? (headerValue(e.responseHeaders, 'location') ?? '') : '',
      headersSize: -1,
      bodySize: resText === undefined ? 0 : e.responseBodyTruncated ? -1 : Buffer.byteLength(resText),
    },
    cache: {},
    timings: { send: 0, wait: duration, receive: 0 },
    _id: e.id,
    _seq: e.seq,
    _tenant: e.tenant,
    _operation: String(e.operation),
    _resourceType: e.resourceType,
    _fault: e.fault,
    _warnings: e.warnings,
    _committed: e.committed,
    _outcome: e.outcome,
    _client: e.client,
    _findings: e.findings,
  };
}

/** One NDJSON line of an entry. */
export function ndjsonLine(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
