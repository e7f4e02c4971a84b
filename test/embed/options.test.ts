/**
 * The options of the embedding API (startScimulator, and scimulatorGlobalSetup through it) are the `serve` flags in
 * camelCase, beside the options' own names; an unknown name is refused naming the closest valid one.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, startScimulator, type ScimulatorHandle, type StartOptions } from '../../src/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;

async function totals(scim: ScimulatorHandle): Promise<[number, number]> {
  const headers = { Authorization: `Bearer ${scim.token}` };
  const count = async (path: string) => ((await (await fetch(`${scim.baseUrl}${path}?count=0`, { headers })).json()) as { totalResults: number }).totalResults;
  return [await count('/Users'), await count('/Groups')];
}

async function withServer(options: StartOptions, check: (scim: ScimulatorHandle) => Promise<void>): Promise<void> {
  const scim = await startScimulator(options);
  try {
    await check(scim);
  } finally {
    await scim.close();
  }
}

/** A port nothing listens on (free a moment ago). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('startScimulator options are the serve flags in camelCase', () => {
  it('users, groups and seed generate a directory as --users, --groups and --seed do', async () => {
    await withServer({ users: 10, groups: 2, seed: 3 }, async (scim) => {
      expect(await totals(scim)).toEqual([10, 2]);
      expect(scim.runtime.options.seeding).toEqual({ users: 10, groups: 2, seed: 3 });
    });
  });

  it('seedFile seeds from a scenario file as --seed-file does (the same directory as seeding.file)', async () => {
    const file = join(ROOT, 'seeds/okta-like.json');
    let expected: [number, number] = [0, 0];
    await withServer({ seeding: { file } }, async (scim) => void (expected = await totals(scim)));
    expect(expected[0]).toBeGreaterThan(0);
    await withServer({ seedFile: file }, async (scim) => expect(await totals(scim)).toEqual(expected));
  });

  it('shutdownGrace and saveDelay are --shutdown-grace and --save-delay; the option names keep working', async () => {
    await withServer({ shutdownGrace: 1234, saveDelay: 7 }, async (scim) => {
      expect(scim.runtime.options.shutdownGraceMs).toBe(1234);
      expect(scim.runtime.options.saveDelayMs).toBe(7);
    });
    await withServer({ shutdownGraceMs: 4321, saveDelayMs: 9, seeding: { users: 2, groups: 0 } }, async (scim) => {
      expect(scim.runtime.options.shutdownGraceMs).toBe(4321);
      expect(scim.runtime.options.saveDelayMs).toBe(9);
      expect(await totals(scim)).toEqual([2, 0]);
    });
  });

  it('a bad value is refused as the flag would be', async () => {
    await expect(startScimulator({ users: -1 })).rejects.toThrow('--users must be an integer from 0 to 1000000, got -1');
    await expect(startScimulator({ saveDelay: -5 })).rejects.toThrow('--save-delay must be a whole number from 0 to 3600000, got -5');
  });

  it('an unknown name is refused, naming the closest valid one', async () => {
    // @ts-expect-error: not an option (the type says so too)
    await expect(startScimulator({ user: 10 })).rejects.toThrow('unknown option "user"; did you mean "users"?');
    // @ts-expect-error: not an option
    await expect(startScimulator({ shutdownGraceMS: 10 })).rejects.toThrow('unknown option "shutdownGraceMS"; did you mean "shutdownGraceMs"?');
    // @ts-expect-error: not an option
    await expect(startScimulator({ 'seed-file': 'x.json' })).rejects.toThrow('unknown option "seed-file"; did you mean "seedFile"?');
    // @ts-expect-error: a flag of the serve process, not of a server
    await expect(startScimulator({ heapGrowth: 10 })).rejects.toThrow('heapGrowth (--heap-growth) is for the `scimulator serve` process only');
  });

  it('createApp takes the same names; it refuses the seeding flags (it cannot wait for seeding) instead of ignoring them', () => {
    expect(() => createApp({ shutdownGrace: 5, saveDelay: 6 })).not.toThrow();
    // @ts-expect-error: not an option
    expect(() => createApp({ user: 1 })).toThrow('unknown option "user"; did you mean "users"?');
    for (const options of [{ users: 10 }, { seedFile: 'seeds/default.json' }, { seeding: { users: 10 } }]) {
      expect(() => createApp(options), JSON.stringify(options)).toThrow('createApp does not seed (seeding, users, groups, seedFile): use startScimulator or startServer');
    }
  });

  it('one setting under both of its names, or the seeding flags with seeding, is refused', async () => {
    await expect(startScimulator({ saveDelay: 1, saveDelayMs: 2 })).rejects.toThrow('give saveDelay or saveDelayMs, not both');
    await expect(startScimulator({ users: 1, seeding: { users: 2 } })).rejects.toThrow('give users, groups and seedFile, or seeding, not both');
  });
});

describe('startScimulator closes what it opened when it fails', () => {
  it('control: false is refused and leaves nothing listening', async () => {
    const port = await freePort();
    await expect(startScimulator({ port, control: false })).rejects.toThrow('startScimulator needs the control API; do not pass control: false');
    // The port is free again: nothing was left listening on it.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
});

describe('the handle gives what the default tenant takes, whatever its auth mode', () => {
  const usersWith = async (scim: ScimulatorHandle, authorization: string | undefined) =>
    (await fetch(`${scim.baseUrl}/Users`, { headers: authorization === undefined ? {} : { Authorization: authorization } })).status;

  it('oauth: the client credentials and token endpoint; authorization() is an issued token the tenant accepts', async () => {
    await withServer({ auth: 'oauth', clientId: 'suite', clientSecret: 's3cret' }, async (scim) => {
      expect(scim.auth).toBe('oauth');
      expect([scim.clientId, scim.clientSecret, scim.tokenEndpoint]).toEqual(['suite', 's3cret', `${scim.url}/oauth/token`]);
      // The static bearer token is refused by an OAuth tenant: the handle offers what it takes.
      expect(await usersWith(scim, `Bearer ${scim.token}`)).toBe(401);
      const authorization = await scim.authorization();
      expect(authorization).toMatch(/^Bearer /);
      expect(authorization).not.toBe(`Bearer ${scim.token}`);
      expect(await usersWith(scim, authorization)).toBe(200);
      // Credentials changed through the control API are what the handle gives from then on.
      await scim.config.update({ auth: { clientSecret: 'rotated' } });
      expect(scim.clientSecret).toBe('rotated');
      expect(await usersWith(scim, await scim.authorization())).toBe(200);
    });
  });

  it('basic, bearer and none, and a mode changed through the control API', async () => {
    await withServer({ auth: 'basic', basicUser: 'ada', basicPassword: 'pässwörd' }, async (scim) => {
      expect([scim.auth, scim.basicUser, scim.basicPassword]).toEqual(['basic', 'ada', 'pässwörd']);
      expect(await usersWith(scim, await scim.authorization())).toBe(200);
      await scim.config.update({ auth: { mode: 'bearer', token: 'fresh-token' } });
      expect([scim.auth, scim.token, await scim.authorization()]).toEqual(['bearer', 'fresh-token', 'Bearer fresh-token']);
      expect(await usersWith(scim, await scim.authorization())).toBe(200);
      await scim.config.update({ auth: { mode: 'none' } });
      expect(await scim.authorization()).toBeUndefined();
      expect(await usersWith(scim, undefined)).toBe(200);
    });
  });
});
