/**
 * Vitest integration (`scimulator/vitest`): one Scimulator for the whole test run, started by a globalSetup file and
 * handed to the tests through vitest's provide/inject and environment variables.
 *
 *   // vitest.config.ts
 *   export default defineConfig({ test: { globalSetup: ['./test/scimulator.setup.ts'] } });
 *
 *   // test/scimulator.setup.ts (the options are startScimulator's, the CLI flags in camelCase)
 *   import { scimulatorGlobalSetup } from 'scimulator/vitest';
 *   export default scimulatorGlobalSetup({ seeding: { file: 'seeds/okta-like.json' } });
 *
 *   // in a test
 *   import { inject } from 'vitest';
 *   const { baseUrl, token, controlUrl } = inject('scimulator');   // or process.env.SCIM_BASE_URL ...
 *
 * The environment variables are SCIM_URL, SCIM_BASE_URL, SCIM_TOKEN and SCIM_CONTROL_URL (plus SCIM_CONTROL_TOKEN
 * when the control API has one); they are not SCIMULATOR_* on purpose: those configure a `scimulator` process, and a
 * test that spawns one with the inherited environment would get a warning for each.
 */
import type {} from 'vitest'; // the module augmented below (types only: nothing of vitest is loaded)
import type { StartOptions } from './config.js';
import { startScimulator } from './embed.js';

/** What the tests receive. */
export interface ScimulatorTestContext {
  /** The server: http://127.0.0.1:<port>. */
  url: string;
  /** The default tenant's SCIM base URL: what the client under test points at. */
  baseUrl: string;
  /** Its bearer token. */
  token: string;
  /** The control API: <url>/_mock (new ScimulatorClient(url, { controlToken }) drives it). */
  controlUrl: string;
  controlToken?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    scimulator: ScimulatorTestContext;
  }
}

/** The part of vitest's TestProject (GlobalSetupContext before vitest 3) a global setup uses. */
export interface GlobalSetupContext {
  provide(key: 'scimulator', value: ScimulatorTestContext): void;
}

export const TEST_ENV = {
  url: 'SCIM_URL',
  baseUrl: 'SCIM_BASE_URL',
  token: 'SCIM_TOKEN',
  controlUrl: 'SCIM_CONTROL_URL',
  controlToken: 'SCIM_CONTROL_TOKEN',
} as const satisfies Record<keyof ScimulatorTestContext, string>;

/**
 * A vitest global setup that starts Scimulator with `options` before the test workers exist and stops it after the
 * last test file (its data file, if any, is saved). Returns the teardown, as vitest expects of a default export.
 */
export function scimulatorGlobalSetup(options: StartOptions = {}) {
  return async function setup(project: GlobalSetupContext): Promise<() => Promise<void>> {
    const scim = await startScimulator(options);
    const { controlPath, controlToken } = scim.runtime.options;
    const context: ScimulatorTestContext = { url: scim.url, baseUrl: scim.baseUrl, token: scim.token, controlUrl: `${scim.url}${controlPath}` };
    if (controlToken) context.controlToken = controlToken;
    project.provide('scimulator', context);
    const previous = new Map<string, string | undefined>();
    for (const [key, name] of Object.entries(TEST_ENV) as Array<[keyof ScimulatorTestContext, string]>) {
      previous.set(name, process.env[name]);
      const value = context[key];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return async () => {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await scim.close();
    };
  };
}

/** `globalSetup: ['scimulator/vitest']` or a file that re-exports this: a server with the default options. */
export default scimulatorGlobalSetup();
