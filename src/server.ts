/** Starting and stopping the HTTP server: listen, persistence, graceful shutdown. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScimulatorOptions } from './config.js';
import { createApp } from './http/app.js';
import { guardServer, serverOptions } from './http/limits.js';
import { Scimulator } from './runtime.js';
import { DataFile } from './store/persist.js';

export interface RunningServer {
  server: Server;
  runtime: Scimulator;
  /** http://host:port */
  url: string;
  /** The default tenant's SCIM base URL. */
  baseUrl: string;
  token: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`, default --shutdown-grace), saves the data file. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(partial: Partial<ScimulatorOptions> = {}): Promise<RunningServer> {
  const runtime = new Scimulator(partial);
  const { options } = runtime;
  let dataFile: DataFile | undefined;
  if (options.data) {
    dataFile = new DataFile(options.data, runtime.defaultTenant.store, options.saveDelayMs);
    await dataFile.load();
    runtime.defaultTenant.seedState = runtime.defaultTenant.store.snapshot();
    dataFile.watch();
  }
  const file = dataFile;
  const app = createApp(runtime, { sync: file && options.dataSync ? () => file.sync() : undefined });
  // Limits on the request head, and timeouts so a slow or stalled client cannot hold a socket forever.
  const server = createServer(serverOptions(options), app);
  guardServer(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    server,
    runtime,
    url,
    baseUrl: `${url}${options.basePath}`,
    token: options.token,
    close(graceMs = options.shutdownGraceMs) {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.closeAllConnections();
          }, graceMs);
          timer.unref();
          // A keep-alive connection whose request finishes during the grace would otherwise stay open until its
          // keep-alive timeout: close connections as they go idle, and tell clients not to reuse them.
          const sweeper = setInterval(() => server.closeIdleConnections(), 20);
          sweeper.unref();
          server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
          server.close(() => {
            clearTimeout(timer);
            clearInterval(sweeper);
            resolve();
          });
          server.closeIdleConnections();
        });
        await dataFile?.flush();
      })();
      return closing;
    },
  };
}
