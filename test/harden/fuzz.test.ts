/**
 * Property-based robustness of the HTTP surface: generated and mutated requests (see fuzz-model.ts) never get a
 * 5xx, never crash the server, always get valid SCIM Error documents, never half-change a resource and never
 * pollute a prototype.
 *
 * `npm test` runs a quick, fixed-seed pass of at least 2,000 requests. `npm run fuzz -- --seconds N [--seed S]`
 * (scripts/fuzz.mjs) runs this file with SCIMULATOR_FUZZ_SECONDS set: as many sequences as fit in N seconds,
 * printing the seed first and, on a violation, the shrunk reproducing requests.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlFuzzHarness, Violation, controlSequenceArb, formatControlRequest, formatRequest, sequenceArb, type ControlRequest, type FuzzRequest } from './fuzz-model.js';

const LONG_SECONDS = Number(process.env.SCIMULATOR_FUZZ_SECONDS ?? 0);
const SEED = process.env.SCIMULATOR_FUZZ_SEED !== undefined ? Number(process.env.SCIMULATOR_FUZZ_SEED) : 20_250_801;
const PATH = process.env.SCIMULATOR_FUZZ_PATH;

const harness = new ControlFuzzHarness();
beforeAll(() => harness.start());
afterAll(() => harness.stop());

/** Runs the property; returns a report of the first violation (shrunk) or undefined. */
async function fuzz(options: { seed: number; numRuns: number; timeLimitMs?: number; path?: string; control?: boolean }): Promise<{ report?: string; runs: number }> {
  const property = (
    options.control
      ? fc.asyncProperty(controlSequenceArb, (sequence) => harness.runControl(sequence))
      : fc.asyncProperty(sequenceArb, (sequence) => harness.run(sequence))
  ) as fc.IAsyncProperty<[Array<FuzzRequest | ControlRequest>]>;
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path ? { path: options.path } : {}),
    ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
    endOnFailure: false,
  });
  if (!details.failed) return { runs: details.numRuns };
  const sequence = details.counterexample?.[0] as Array<FuzzRequest | ControlRequest> | undefined;
  const error = details.errorInstance;
  const lines = [
    `VIOLATION after ${details.numRuns} sequences (seed ${details.seed}, path "${details.counterexamplePath}")`,
    `reproduce: npm run fuzz -- --seed ${details.seed} --path "${details.counterexamplePath}"${options.control ? ' --control' : ''}`,
    '',
    error instanceof Violation ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error),
  ];
  if (sequence) {
    lines.push('', `--- the whole (shrunk) sequence, on a fresh server seeded with u0..u2 and g0..g1 ---`);
    for (const r of sequence) lines.push(options.control ? formatControlRequest(r as ControlRequest) : formatRequest(r as FuzzRequest), '');
  }
  return { report: lines.join('\n'), runs: details.numRuns };
}

describe('HTTP robustness (fast-check)', () => {
  it.runIf(!LONG_SECONDS)('at least 2,000 generated requests: no 5xx, valid SCIM errors, no half-changed resources, no pollution', async () => {
    const { report } = await fuzz({ seed: SEED, numRuns: 520, path: PATH });
    if (process.env.SCIMULATOR_FUZZ_STATS) process.stdout.write(`responses:\n${harness.summary()}\n`);
    if (report) {
      process.stderr.write(`${report}\n`);
      expect.fail(`${report.split('\n').slice(0, 4).join('\n')}\n(the full report is printed above)`);
    }
    expect(harness.requests).toBeGreaterThanOrEqual(2000);
    expect(await harness.alive()).toBe(true);
  }, 120_000);

  it.runIf(!LONG_SECONDS)('control API: generated requests never get a 5xx, errors are {"error"} documents, failures change nothing', async () => {
    const before = harness.requests;
    const { report } = await fuzz({ seed: SEED, numRuns: 120, path: PATH, control: true });
    if (process.env.SCIMULATOR_FUZZ_STATS) process.stdout.write(`control responses:\n${harness.summary()}\n`);
    if (report) {
      process.stderr.write(`${report}\n`);
      expect.fail(`${report.split('\n').slice(0, 4).join('\n')}\n(the full report is printed above)`);
    }
    expect(harness.requests - before).toBeGreaterThanOrEqual(400);
  }, 120_000);

  it.runIf(LONG_SECONDS > 0)(`long run (${LONG_SECONDS} s)`, async () => {
    const seed = SEED;
    const control = process.env.SCIMULATOR_FUZZ_CONTROL === '1';
    process.stdout.write(`scimulator fuzz: seed ${seed}, ${LONG_SECONDS} s, ${control ? 'control API' : 'SCIM API'}\n`);
    const started = Date.now();
    const { report, runs } = await fuzz({ seed, numRuns: PATH ? 1 : 1_000_000_000, timeLimitMs: LONG_SECONDS * 1000, path: PATH, control });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`scimulator fuzz: ${runs} sequences, ${harness.requests} requests in ${seconds} s, seed ${seed}: ${report ? 'VIOLATION' : 'no violation'}\n`);
    process.stdout.write(`responses by method and status:\n${harness.summary()}\n`);
    if (report) process.stdout.write(`${report}\n`);
    expect(report).toBeUndefined();
    expect(await harness.alive()).toBe(true);
  }, (LONG_SECONDS + 600) * 1000);
});
