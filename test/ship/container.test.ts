/**
 * What can be checked of the container image without Docker (none runs on the build machines): the Dockerfile
 * keeps the promises the README makes, and its HEALTHCHECK command, run with node as Docker would run it, tells
 * a healthy server from a stopped or guarded one. scripts/container-smoke.sh builds and runs the image where
 * Docker works.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScimulator } from '../../src/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trimStart().startsWith('#'))
  .map((l) => ({ op: l.trim().split(/\s+/)[0]!.toUpperCase(), args: l.trim().slice(l.trim().indexOf(' ') + 1) }));
/** The stages, each from its FROM on (an ARG before the first FROM belongs to none). */
const stages: Array<typeof instructions> = [];
for (const i of instructions) {
  if (i.op === 'FROM') stages.push([i]);
  else stages.at(-1)?.push(i);
}
const runtime = stages.at(-1)!;

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, without dev dependencies, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]![0]!.args).toMatch(/ AS build$/);
    expect(runtime.find((i) => i.op === 'RUN' && /npm ci\b/.test(i.args))!.args).toContain('--omit=dev');
    expect(runtime.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build /src/dist'))).toBe(true);
    expect(runtime.some((i) => i.op === 'COPY' && /^(src|\.)\b/.test(i.args))).toBe(false); // no sources in the runtime
    const user = runtime.filter((i) => i.op === 'USER').at(-1)!.args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // node is PID 1 (exec form) so that it receives SIGTERM itself.
    expect(runtime.find((i) => i.op === 'ENTRYPOINT')!.args).toBe('["node", "dist/cli.js"]');
  });

  it('listens on 0.0.0.0:8080 through SCIMULATOR_* variables and stops within docker stop\'s 10 s default', () => {
    const env = runtime.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bSCIMULATOR_HOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bSCIMULATOR_PORT=8080\b/);
    const grace = Number(/\bSCIMULATOR_SHUTDOWN_GRACE=(\d+)/.exec(env)?.[1]);
    expect(grace).toBeLessThan(10_000);
    expect(runtime.find((i) => i.op === 'EXPOSE')!.args).toBe('8080');
  });

  it('sends into the build only what it copies', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const sources = instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) expect(ignore, source).toContain(`!${source}`);
  });
});

describe('the HEALTHCHECK command', () => {
  const healthcheck = runtime.find((i) => i.op === 'HEALTHCHECK')!.args;
  const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];

  /** Runs the command as Docker would inside the container (exec form, the container's environment). */
  const probe = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, command.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
      child.on('close', resolve);
    });

  it('uses node, not curl or wget', () => {
    expect(command[0]).toBe('node');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('passes on a running server and fails on a stopped one, on the port and control path the variables set', async () => {
    const scim = await startScimulator({ controlPath: '/admin' });
    const port = new URL(scim.url).port;
    try {
      expect(await probe({ SCIMULATOR_PORT: port, SCIMULATOR_CONTROL_PATH: '/admin' })).toBe(0);
      expect(await probe({ SCIMULATOR_PORT: port })).toBe(1); // /_mock is not this server's control path
    } finally {
      await scim.close();
    }
    expect(await probe({ SCIMULATOR_PORT: port, SCIMULATOR_CONTROL_PATH: '/admin' })).toBe(1);
  });

  it('sends the control token when the control API has one', async () => {
    const scim = await startScimulator({ controlToken: 'hush' });
    const port = new URL(scim.url).port;
    try {
      expect(await probe({ SCIMULATOR_PORT: port, SCIMULATOR_CONTROL_TOKEN: 'hush' })).toBe(0);
      expect(await probe({ SCIMULATOR_PORT: port })).toBe(1);
    } finally {
      await scim.close();
    }
  });
});
