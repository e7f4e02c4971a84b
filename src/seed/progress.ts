/**
 * A tiny progress bar for long seeds. It draws only on a TTY and only once `delayMs` have passed since it was
 * created, so quick runs and piped output stay silent. Reading the clock here is fine: it is UI, not data.
 */
export interface ProgressReporter {
  /** Report progress; cheap to call often (redraws at most every ~50 ms). */
  update(done: number, total: number): void;
  /** Clear the bar's line (if one was drawn). Further updates are ignored. */
  done(): void;
}

const REDRAW_MS = 50;
const BAR_WIDTH = 30;

export function createProgressReporter(stream: NodeJS.WriteStream, label: string, delayMs = 1000): ProgressReporter {
  const start = performance.now();
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;

  return {
    update(done: number, total: number): void {
      if (finished || !stream.isTTY) return;
      const now = performance.now();
      if (now - start < delayMs || now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      drawn = true;
      stream.write(`\r${renderLine(label, done, total, stream.columns)}`);
    },
    done(): void {
      if (finished) return;
      finished = true;
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** The text of one bar line, e.g. `Seeding [=========>          ] 31% 31000/100000` (exported for tests). */
export function renderLine(label: string, done: number, total: number, columns?: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : '='.repeat(filled) + '>' + ' '.repeat(BAR_WIDTH - filled - 1);
  const line = `${label} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`;
  return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
}
