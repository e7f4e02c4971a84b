/** Starting and stopping the HTTP server: listen, persistence, graceful shutdown. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StartOptions } from './config.js';
import { createApp } from './http/app.js';
import { guardServer, serverOptions } from './http/limits.js';
import { appMessageClasses } from './http/pipeline.js';
import { configDefaultsOf, persona as personaNamed } from './personas/index.js';
import { Scimulator } from './runtime.js';
import { scenarioFor, type Scenario } from './seed/scenario.js';
import { applyScenarioSettings, seedTenant, type SeedSummary } from './seed/seed.js';
import { DataFile } from './store/persist.js';

export interface RunningServer {
  server: Server;
  runtime: Scimulator;
  /** http://host:port */
  url: string;
  /** The default tenant's SCIM base URL. */
  baseUrl: string;
  token: string;
  /** What seeding did (when `seeding` was asked for and the directory was seeded). */
  seeded?: SeedSummary & { source: string };
  /** Things the operator should know, one line each (e.g. an existing data file won over the seeding flags). */
  notes: string[];
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`, default --shutdown-grace), saves the data file. */
  close(graceMs?: number): Promise<void>;
}

export interface StartHooks {
  /** Progress of seeding the default tenant (done, total), e.g. for a progress bar. */
  onSeedProgress?: (done: number, total: number) => void;
}

/**
 * What the seed file's options replace of --persona, said at start (the file's options are applied after the flags,
 * so they win): another persona, or page sizes other than the persona's.
 */
function personaNote(flag: string | null | undefined, scenario: Scenario): string | undefined {
  const options = scenario.options;
  if (!flag || !options) return undefined;
  if (options.persona !== undefined && options.persona !== flag) {
    return `seed file ${scenario.source} sets persona ${JSON.stringify(options.persona)} in its options, which replaces --persona ${flag}; remove one of them`;
  }
  const p = personaNamed(flag);
  const defaults = p ? configDefaultsOf(p) : {};
  const fields = (['defaultPageSize', 'maxPageSize'] as const).filter((f) => options[f] !== undefined && defaults[f] !== undefined && options[f] !== defaults[f]);
  if (!fields.length) return undefined;
  const list = (values: Record<string, unknown>) => fields.map((f) => `${f} ${String(values[f])}`).join(' and ');
  return `seed file ${scenario.source} sets ${list(options)} in its options, over persona ${flag}'s ${list(defaults)}; remove them from the file to keep the persona's`;
}

export async function startServer(partial: StartOptions = {}, hooks: StartHooks = {}): Promise<RunningServer> {
  const runtime = new Scimulator(partial);
  const { options } = runtime;
  const tenant = runtime.defaultTenant;
  // A malformed seed file fails here, before anything listens (ScenarioError).
  const scenario = options.seeding ? await scenarioFor(options.seeding) : undefined;
  const notes: string[] = [];
  let seeded: RunningServer['seeded'];
  const seed = () => {
    seeded = { ...seedTenant(tenant, scenario!, { onProgress: hooks.onSeedProgress }), source: scenario!.source };
    const note = personaNote(options.persona, scenario!);
    if (note) notes.push(note);
  };
  let dataFile: DataFile | undefined;
  if (options.data) {
    dataFile = new DataFile(options.data, tenant.store, options.saveDelayMs);
    const loaded = await dataFile.load({ memberPolicy: tenant.config.memberPolicy });
    tenant.seedState = tenant.store.snapshot();
    if (loaded && scenario) {
      applyScenarioSettings(tenant, scenario);
      const settings = scenario.options || scenario.faults.length ? ' (the seed file\'s options and faults still apply)' : '';
      notes.push(`data file ${options.data} exists, so its directory is served and the seeding flags are ignored${settings}; remove the file to seed again`);
    }
    dataFile.watch();
    if (!loaded && scenario) {
      seed();
      await dataFile.flush();
    }
  } else if (scenario) {
    seed();
  }
  const file = dataFile;
  const app = createApp(runtime, { sync: file && options.dataSync ? () => file.sync() : undefined });
  // Limits on the request head, and timeouts so a slow or stalled client cannot hold a socket forever; requests
  // and responses made with the app's prototypes (see appMessageClasses).
  const server = createServer({ ...serverOptions(options), ...appMessageClasses(app) }, app);
  guardServer(server, options);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Not listening (the port is taken): close what was opened for it, journal files included, before reporting.
    runtime.stop();
    await Promise.all([...runtime.tenants.values()].map((t) => t.journal.close()));
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    server,
    runtime,
    url,
    baseUrl: `${url}${options.basePath}`,
    token: tenant.auth.token,
    ...(seeded ? { seeded } : {}),
    notes,
    close(graceMs = options.shutdownGraceMs) {
      closing ??= (async () => {
        runtime.stop();
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
        await runtime.journalFile?.close();
      })();
      return closing;
    },
  };
}
