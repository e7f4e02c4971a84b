/**
 * How much the V8 heap may grow over the live data between full collections, for a process the CLI owns.
 *
 * V8 lets the heap grow to up to about 4x the live data after each full collection when the program allocates
 * fast (a server under load does); Scimulator's live data is small next to what a request allocates and throws
 * away, so a loaded server would sit at 2-4x the memory it needs (a 10,000-user server measured 350 MB after the
 * benchmark's workloads with V8's own setting, 181-201 MB with 25-50 %). A test double runs on laptops and CI
 * runners beside the code under test: it takes the small heap and pays a few per cent of CPU for it.
 *
 * Only `scimulator serve` sets it: the embedding API runs inside someone else's process, whose heap is theirs.
 */
import { setFlagsFromString } from 'node:v8';

/** What `--heap-growth` defaults to (per cent over the live data; 0 keeps V8's own heuristic). */
export const DEFAULT_HEAP_GROWTH_PERCENT = 30;
export const MAX_HEAP_GROWTH_PERCENT = 400;

/** Why a `--heap-growth` value is refused, or undefined when it is fine. */
export function heapGrowthProblem(percent: number): string | undefined {
  if (!Number.isInteger(percent) || percent < 0 || percent > MAX_HEAP_GROWTH_PERCENT) {
    return `--heap-growth must be a whole number of per cent from 0 (V8's own heuristic) to ${MAX_HEAP_GROWTH_PERCENT}, got ${percent}`;
  }
  return undefined;
}

/**
 * Sets V8's heap growing factor for this process (1 + percent / 100 over the live data after a full collection).
 * V8 reads it each time it recomputes the heap's limits, so it applies from the next collection on.
 */
export function setHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
