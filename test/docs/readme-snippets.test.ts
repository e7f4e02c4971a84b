/**
 * The README's TypeScript snippets (```ts blocks) type-check as a consumer's code: `scimulator` and
 * `scimulator/vitest` are mapped (tsconfig `paths`) to the package's entry points, src/index.ts and src/vitest.ts,
 * whose declarations are what dist/*.d.ts ship (scripts/pack-check.mjs type-checks those from the packed tarball).
 * No build is needed, so it runs in `npm test`.
 *
 * One block may show several files: a blank line followed by a `//` comment line starts the next file (the vitest
 * block is `// vitest.config.ts`, then the setup file, then a test). A block that is deliberately a fragment is
 * skipped when the line before its fence is `<!-- snippet: not type-checked (why) -->`; the reasons are listed
 * below, and there are none today.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
// Under the repository, so that `vitest` and @types/node resolve from its node_modules as a consumer's would.
const WORK = join(ROOT, '.tmp', `readme-snippets-${process.pid}`);
const SKIP = /^<!-- snippet: not type-checked \((.+)\) -->$/;

interface Snippet {
  /** Line of the opening fence in README.md (1-based). */
  line: number;
  files: Array<{ line: number; text: string }>;
}

/** The ```ts blocks of `markdown`, each split into its files; `skipped` gets the blocks marked as fragments. */
export function tsSnippets(markdown: string, skipped: Array<{ line: number; why: string }> = []): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const marker = SKIP.exec((lines[start - 1] ?? '').trim());
    if (marker) {
      skipped.push({ line: start + 1, why: marker[1]! });
      continue;
    }
    const files: Snippet['files'] = [];
    let current: string[] = [];
    let from = start + 2;
    body.forEach((text, j) => {
      if (j > 0 && body[j - 1]!.trim() === '' && /^\/\//.test(text) && current.some((l) => l.trim() !== '' && !l.startsWith('//'))) {
        files.push({ line: from, text: current.join('\n') });
        current = [];
        from = start + 2 + j;
      }
      current.push(text);
    });
    files.push({ line: from, text: current.join('\n') });
    snippets.push({ line: start + 1, files });
  }
  return snippets;
}

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('README TypeScript snippets', () => {
  it('splits a block into files at a blank line and a comment, and skips a marked fragment', () => {
    const skipped: Array<{ line: number; why: string }> = [];
    const md = ['```ts', '// a.ts', 'const a = 1;', '', '// b.ts', 'const b = 2;', '```', '<!-- snippet: not type-checked (a fragment) -->', '```ts', 'x', '```'].join('\n');
    expect(tsSnippets(md, skipped)).toEqual([{ line: 1, files: [{ line: 2, text: '// a.ts\nconst a = 1;\n' }, { line: 5, text: '// b.ts\nconst b = 2;' }] }]);
    expect(skipped).toEqual([{ line: 9, why: 'a fragment' }]);
  });

  it('type-check against the package\'s own types, imported as `scimulator` and `scimulator/vitest`', () => {
    const skipped: Array<{ line: number; why: string }> = [];
    const snippets = tsSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'), skipped);
    // The embedding API and the vitest global setup, at least; a README without them would pass vacuously.
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    expect(skipped).toEqual([]);
    mkdirSync(WORK, { recursive: true });
    const names: string[] = [];
    const where = new Map<string, number>();
    for (const snippet of snippets) {
      for (const file of snippet.files) {
        const name = `readme-line-${file.line}.ts`;
        // A file of its own (a module): imports and top-level await as in the consumer's file.
        writeFileSync(join(WORK, name), `${file.text}\nexport {};\n`);
        names.push(name);
        where.set(name, file.line);
      }
    }
    writeFileSync(
      join(WORK, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: {
          module: 'esnext',
          moduleResolution: 'bundler',
          noEmit: true,
          // The consumer's view: only the package's entry points, by the names its package.json exports.
          paths: { scimulator: ['../../src/index.ts'], 'scimulator/vitest': ['../../src/vitest.ts'] },
          // Unused names are what a snippet shows (`const { url, baseUrl } = inject(...)`).
          noUnusedLocals: false,
        },
        include: [],
        files: names,
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(WORK, 'tsconfig.json')], { cwd: WORK, encoding: 'utf8' });
    // Errors name README.md lines, not the temporary files.
    const report = `${tsc.stdout}${tsc.stderr}`.replace(/readme-line-(\d+)\.ts\((\d+),(\d+)\)/g, (_, first, line, column) => `README.md:${Number(first) + Number(line) - 1}:${column}`);
    expect(report.trim(), 'the README snippets do not type-check').toBe('');
    expect(tsc.status).toBe(0);
    expect(where.size).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
