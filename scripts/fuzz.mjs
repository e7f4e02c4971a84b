#!/usr/bin/env node
/**
 * npm run fuzz -- [--seconds N] [--seed S] [--path P] [--control]
 *
 * Runs the HTTP property test (test/harden/fuzz.test.ts) for N seconds (default 60) instead of its quick fixed
 * run: fresh Scimulator per sequence of generated and mutated requests, checking after every response that there
 * is no 5xx, that errors are valid SCIM Error documents, that failed requests change nothing, that stored
 * resources stay valid and that no prototype is polluted. The seed is printed first; the same seed replays the
 * same requests, and a violation prints the shrunk reproducing requests and a --seed/--path pair that replays
 * exactly that case. --control fuzzes the control API (/_mock) instead of the SCIM API. Exits 0 when nothing was found, 1 on a violation or crash, 2 on bad arguments.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const usage = 'usage: npm run fuzz -- [--seconds N] [--seed S] [--path P] [--control]';
const options = { seconds: 60, seed: randomInt(1, 2 ** 31 - 1), path: undefined, control: false };
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=', 2);
  if (flag === '--control') {
    options.control = true;
    continue;
  }
  const value = inline ?? args[++i];
  if (flag === '--seconds') options.seconds = Number(value);
  else if (flag === '--seed') options.seed = Number(value);
  else if (flag === '--path') options.path = value;
  else if (flag === '--help' || flag === '-h') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  } else {
    process.stderr.write(`fuzz: unknown argument ${args[i]}\n${usage}\n`);
    process.exit(2);
  }
}
if (!(options.seconds > 0) || !Number.isInteger(options.seed) || (options.path !== undefined && !/^\d+(:\d+)*$/.test(options.path))) {
  process.stderr.write(`fuzz: --seconds must be positive, --seed an integer, --path like 12:3:0\n${usage}\n`);
  process.exit(2);
}

process.stdout.write(`scimulator fuzz: seed ${options.seed} (replay with --seed ${options.seed}${options.control ? ' --control' : ''}), ${options.seconds} s\n`);
const env = {
  ...process.env,
  SCIMULATOR_FUZZ_SECONDS: String(options.seconds),
  SCIMULATOR_FUZZ_SEED: String(options.seed),
  ...(options.path ? { SCIMULATOR_FUZZ_PATH: options.path } : {}),
  ...(options.control ? { SCIMULATOR_FUZZ_CONTROL: '1' } : {}),
};
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const child = spawn(process.execPath, [vitest, 'run', 'test/harden/fuzz.test.ts', '--reporter=default'], { cwd: root, env, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  if (signal) process.stderr.write(`fuzz: the test process died of ${signal}\n`);
  process.stdout.write(`scimulator fuzz: seed ${options.seed}: ${code === 0 ? 'no violation' : 'VIOLATION or crash (see above)'}\n`);
  process.exit(code === 0 ? 0 : 1);
});
