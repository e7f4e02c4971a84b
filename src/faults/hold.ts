/**
 * Holding a response: what the real handler writes (status, headers, body) is kept back instead of going to the
 * socket, and handed over once the handler ends it. The fault layer then decides what the client gets: the held
 * response as it is, the same sent slowly (throttle), or a fault in its place (phase "after").
 *
 * `res.write`, `res.end` and `res.writeHead` of this one response are wrapped while it is held; after release they
 * pass straight through to the layers below (the journal's capture), which therefore record what was delivered.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Response } from 'express';

export interface HeldResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

type Callback = (error?: Error | null) => void;

function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
}

export class ResponseHold {
  private holding = true;
  private readonly chunks: Buffer[] = [];
  private readonly write: Response['write'];
  private readonly end: Response['end'];

  /** `onEnd` gets the complete response once the handler has ended it (never when the client left first). */
  constructor(
    private readonly res: Response,
    onEnd: (held: HeldResponse) => void,
  ) {
    const hold = this;
    this.write = res.write;
    this.end = res.end;
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: unknown[]) {
      if (!hold.holding) return (writeHead as (...a: unknown[]) => Response).apply(this, args);
      // Remember the status and headers on the response itself; nothing goes out yet.
      const [status, second, third] = args;
      if (typeof status === 'number') this.statusCode = status;
      const headers = typeof second === 'object' && second !== null ? second : third;
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2) this.setHeader(String(headers[i]), headers[i + 1] as string);
      } else if (typeof headers === 'object' && headers !== null) {
        for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value as string);
      }
      return this;
    } as Response['writeHead'];
    res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
      if (!hold.holding) return (hold.write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      const buf = toBuffer(chunk, rest[0]);
      if (buf) hold.chunks.push(buf);
      const cb = rest.find((r) => typeof r === 'function') as Callback | undefined;
      if (cb) process.nextTick(cb);
      return true;
    } as Response['write'];
    res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
      if (!hold.holding) return (hold.end as (...a: unknown[]) => Response).call(this, chunk, ...rest);
      if (typeof chunk === 'function') rest.unshift(chunk);
      else {
        const buf = toBuffer(chunk, rest[0]);
        if (buf) hold.chunks.push(buf);
      }
      const cb = rest.find((r) => typeof r === 'function') as Callback | undefined;
      hold.holding = false;
      if (!this.destroyed) {
        onEnd({ status: this.statusCode, headers: this.getHeaders(), body: Buffer.concat(hold.chunks) });
      }
      if (cb) process.nextTick(cb);
      return this;
    } as Response['end'];
  }

  /** Writes a part of the response to the layers below (the first call sends the head). */
  writeThrough(chunk: Buffer): void {
    (this.write as (chunk: Buffer) => boolean).call(this.res, chunk);
  }

  /** Ends the response through the layers below. */
  endThrough(chunk?: Buffer | string): void {
    (this.end as (chunk?: Buffer | string) => Response).call(this.res, chunk);
  }
}
