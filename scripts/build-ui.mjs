#!/usr/bin/env node
/**
 * Builds the dashboard: src/ui/*.ts transpiled to dist/dashboard/*.js (ES modules the browser loads as they are), and
 * src/ui/*.html, *.css, *.svg copied beside them. Type checking is not done here: `tsc --noEmit` (npm test)
 * checks src/ui with the rest. Run by `npm run build` and, before the tests, by test/dashboard/build.setup.ts; tsc
 * never writes this folder (it emits src/ui/sse.ts, which the typed client imports, to dist/ui), and each file is
 * replaced atomically, so a build running beside a test never shows it half a file. Scripts and
 * static files of an older build whose source is gone are removed.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STATIC = /\.(html|css|svg)$/;

async function writeAtomic(file, content) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

export async function buildUi({ src = join(root, 'src/ui'), out = join(root, 'dist/dashboard') } = {}) {
  await mkdir(out, { recursive: true });
  const files = [];
  for (const name of (await readdir(src)).sort()) {
    const from = join(src, name);
    if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const { outputText, diagnostics } = ts.transpileModule(await readFile(from, 'utf8'), {
        fileName: name,
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, sourceMap: false },
      });
      if (diagnostics?.length) throw new Error(`${name}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
      const js = name.replace(/\.ts$/, '.js');
      await writeAtomic(join(out, js), outputText);
      files.push(js);
    } else if (STATIC.test(name)) {
      await writeAtomic(join(out, name), await readFile(from));
      files.push(name);
    }
  }
  for (const name of await readdir(out)) {
    if ((name.endsWith('.js') || STATIC.test(name)) && !files.includes(name)) await rm(join(out, name), { force: true });
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildUi();
  process.stdout.write(`dashboard: ${files.length} files in dist/dashboard\n`);
}
