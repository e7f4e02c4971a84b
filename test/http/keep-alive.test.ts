/**
 * --keep-alive-timeout: how long an idle keep-alive connection stays open between requests. node's own 5 s closes
 * a pooled connection a client may be just reusing (it sees ECONNRESET for a request the server never read); the
 * default is longer than the pools of common client stacks keep a connection idle.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveOptions, type ScimulatorOptions } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { parseRaw } from '../harden/support.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(0)));
});

async function start(options: Partial<ScimulatorOptions> = {}): Promise<number> {
  const s = await startServer({ port: 0, ...options });
  servers.push(s);
  return Number(new URL(s.url).port);
}

const GET = 'GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer scimulator-dev-token\r\n\r\n';

/** Sends one request on `socket` and resolves with the raw response once its body is complete. */
function exchange(socket: Socket): Promise<ReturnType<typeof parseRaw>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      const res = parseRaw(text);
      const length = Number(res.headers['content-length']);
      if (text.includes('\r\n\r\n') && Buffer.byteLength(res.body, 'latin1') >= length) {
        socket.off('data', onData);
        resolve(res);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(GET);
  });
}

describe('--keep-alive-timeout', () => {
  it('defaults to 65 s: announced in Keep-Alive, and a second request on the same connection is served', async () => {
    const port = await start();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const first = await exchange(socket);
    expect(first.status).toBe(200);
    expect(first.headers['connection']).toBe('keep-alive');
    // node's default would announce timeout=5.
    expect(first.headers['keep-alive']).toBe('timeout=65');
    const second = await exchange(socket);
    expect(second.status).toBe(200);
    socket.destroy();
  });

  it('a short one closes an idle connection after it', async () => {
    const port = await start({ keepAliveTimeout: 1000 });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const res = await exchange(socket);
    expect(res.headers['keep-alive']).toBe('timeout=1');
    const answered = Date.now();
    const closed = once(socket, 'close');
    const timer = setTimeout(() => socket.destroy(new Error('still open after 10 s')), 10_000);
    await closed;
    clearTimeout(timer);
    // Closed by the server (not by the guard above), no earlier than the timeout.
    expect(socket.errored).toBeNull();
    expect(Date.now() - answered).toBeGreaterThanOrEqual(900);
  });

  it.each([0, -1, 1.5, Number.NaN])('%s is refused, naming the flag', (keepAliveTimeout) => {
    expect(() => resolveOptions({ keepAliveTimeout })).toThrow('--keep-alive-timeout');
  });
});
