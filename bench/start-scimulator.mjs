#!/usr/bin/env node
/**
 * Stand-in for `scimulator serve --seed <n> --users <u> --groups <g>` until the CLI has the seeding flags:
 * starts the built server (dist/) and loads a generated directory straight into the default tenant's store.
 * The harness (bench/run.mjs) uses the real CLI as soon as `dist/cli.js serve --help` lists --users.
 *
 *   node bench/start-scimulator.mjs --port 8080 --seed 1 --users 100000 --groups 2000 [--journal-capacity 1] ...
 *
 * Every other flag is passed to startServer() with its name camel-cased (numbers stay numbers; --no-x is x: false).
 */
import { startServer } from '../dist/server.js';
import { generateDirectory } from '../dist/seed/generate.js';

const raw = process.argv.slice(2);
const flags = {};
for (let i = 0; i < raw.length; i++) {
  const arg = raw[i];
  if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
  const camel = (name) => name.replace(/-([a-z])/g, (_m, c) => c.toUpperCase());
  if (arg.startsWith('--no-')) {
    flags[camel(arg.slice(5))] = false; // --no-journal -> journal: false, as yargs does
    continue;
  }
  const next = raw[i + 1];
  const value = next === undefined || next.startsWith('--') ? true : raw[++i];
  flags[camel(arg.slice(2))] = value;
}
const num = (v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);
const { users: userCount = 0, groups: groupCount = 0, seed = 1, ...rest } = flags;
const options = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, num(v)]));

const running = await startServer({ ...options, seed: Number(seed) });
const u = Number(userCount);
const g = Number(groupCount);
if (u > 0 || g > 0) {
  const { users, groups } = generateDirectory({ seed: Number(seed), users: u, groups: g });
  let sequence = 0;
  for (const r of users) r.meta.version = `W/"${++sequence}"`;
  for (const r of groups) r.meta.version = `W/"${++sequence}"`;
  const tenant = running.runtime.defaultTenant;
  tenant.store.load({ sequence, resources: { User: users, Group: groups } });
  tenant.seedState = tenant.store.snapshot();
}
process.stdout.write(`Scimulator (bench loader) listening\n  SCIM base URL: ${running.baseUrl}\n`);
const stop = () => running.close(1000).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
