/**
 * startScimulator(): the one-line way to run Scimulator inside a test suite.
 *
 *   const scim = await startScimulator({ port: 0 });
 *   // point the client under test at scim.baseUrl with scim.token
 *   await scim.faults.add({ match: { operation: 'create' }, action: { type: 'error', status: 429 }, times: 2 });
 *   ...
 *   const { clients } = await scim.behaviour.report();   // what the client did across requests, with request ids
 *   await scim.close();
 */
import { ScimulatorClient } from './client.js';
import { optionsFromFlags, type StartOptions } from './config.js';
import type { Scimulator } from './runtime.js';
import { startServer } from './server.js';

export class ScimulatorHandle extends ScimulatorClient {
  constructor(
    url: string,
    /** The default tenant's SCIM base URL. */
    readonly baseUrl: string,
    /** The default tenant's bearer token. */
    readonly token: string,
    /** The in-process instance, for tests that want to look inside. */
    readonly runtime: Scimulator,
    private readonly stop: () => Promise<void>,
    controlPath: string,
    controlToken?: string,
  ) {
    super(url, { controlPath, controlToken });
    this.dashboardUrl = `${url}${controlPath}/ui/`;
  }

  /** The live dashboard in a browser (asks for the control token when there is one). */
  readonly dashboardUrl: string;

  /** Stops the server (in-flight requests finish first) and saves the data file if there is one. */
  close(): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a server: `options` are the `serve` flags in camelCase (`users`, `seedFile`, `shutdownGrace`, ...; see
 * StartOptions), port 0 unless given. An unknown name is an Error naming the closest valid one. Whatever fails once
 * the server listens closes it before the error reaches the caller.
 */
export async function startScimulator(options: StartOptions = {}): Promise<ScimulatorHandle> {
  // Checked before anything listens: a refused option starts nothing.
  if (optionsFromFlags(options).control === false) throw new Error('startScimulator needs the control API; do not pass control: false');
  const running = await startServer({ port: 0, ...options });
  try {
    const o = running.runtime.options;
    return new ScimulatorHandle(running.url, running.baseUrl, running.token, running.runtime, () => running.close(1000), o.controlPath, o.controlToken);
  } catch (err) {
    await running.close(0);
    throw err;
  }
}
