/**
 * Work done in steps: a generator function that yields between pieces of work (generating, shaping and indexing a
 * large directory). Run whole, or in slices that give the event loop back every few milliseconds, so a tenant
 * seeded while the server runs does not hold up the requests of other tenants.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs all steps now. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs the steps in slices of about `sliceMs` ms, letting pending I/O and timers run between slices. */
export async function runStepsSliced<T>(steps: Steps<T>, sliceMs = 8): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
