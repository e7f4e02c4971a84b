import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressReporter, renderLine } from '../../src/seed/progress.js';

function fakeStream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  const stream = { isTTY, columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

let now = 0;
afterEach(() => {
  vi.restoreAllMocks();
});
function useClock() {
  now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
}

describe('createProgressReporter', () => {
  it('stays silent before the delay, then draws, and clears the line when done', () => {
    useClock();
    const { stream, writes } = fakeStream(true);
    const p = createProgressReporter(stream, 'Seeding', 1000);
    now = 500;
    p.update(10, 100);
    expect(writes).toEqual([]);
    now = 1200;
    p.update(50, 100);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\rSeeding \[=+>? *\]  50% 50\/100$/);
    now = 1210; // redraws are throttled
    p.update(51, 100);
    expect(writes).toHaveLength(1);
    now = 1300;
    p.update(100, 100);
    expect(writes[1]).toContain('100% 100/100');
    p.done();
    expect(writes[writes.length - 1]).toBe('\r\x1b[2K');
    p.update(100, 100);
    p.done();
    expect(writes).toHaveLength(3);
  });

  it('never draws on a non-TTY stream', () => {
    useClock();
    const { stream, writes } = fakeStream(false);
    const p = createProgressReporter(stream, 'Seeding', 0);
    now = 5000;
    p.update(1, 2);
    p.done();
    expect(writes).toEqual([]);
  });

  it('does not clear a line it never drew', () => {
    useClock();
    const { stream, writes } = fakeStream(true);
    const p = createProgressReporter(stream, 'Seeding');
    now = 200;
    p.update(1, 2);
    p.done();
    expect(writes).toEqual([]);
  });
});

describe('renderLine', () => {
  it('draws a bar proportional to progress and clamps odd input', () => {
    expect(renderLine('L', 0, 10)).toBe(`L [>${' '.repeat(29)}]   0% 0/10`);
    expect(renderLine('L', 10, 10)).toBe(`L [${'='.repeat(30)}] 100% 10/10`);
    expect(renderLine('L', 15, 10)).toContain('100%');
    expect(renderLine('L', 0, 0)).toContain('100%');
    expect(renderLine('Seeding users', 1, 3, 20)).toHaveLength(19);
  });
});
