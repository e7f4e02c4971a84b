/**
 * Spawning the real CLI for the crash, durability and lifecycle tests. The CLI is compiled once into
 * .tmp/harden/dist (not dist/, which test/cli rebuilds concurrently); the build is keyed by a hash of the sources
 * and guarded by a lock directory, so parallel test files share one build.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
const BUILD = join(ROOT, '.tmp/harden');
export const CLI = join(BUILD, 'dist/cli.js');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  hash.update(readFileSync(join(ROOT, 'package.json')));
  return hash.digest('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Compiles the CLI unless a build of the current sources exists. */
export async function buildCli(): Promise<string> {
  const want = sourceHash();
  const stamp = join(BUILD, 'stamp');
  const lock = join(BUILD, 'lock');
  mkdirSync(BUILD, { recursive: true });
  for (let waited = 0; ; waited += 200) {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return CLI;
    try {
      mkdirSync(lock);
    } catch {
      // Someone else is building; a lock older than two minutes belongs to a process that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (waited > 180_000) throw new Error('timed out waiting for another test file to build the CLI');
      await sleep(200);
      continue;
    }
    try {
      if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return CLI;
      rmSync(join(BUILD, 'dist'), { recursive: true, force: true });
      // version.ts reads ../package.json; it also marks the build as ESM.
      copyFileSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const run = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(BUILD, 'dist'), '--sourceMap', 'false', '--declaration', 'false'], { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`build failed: ${run.stdout}${run.stderr}`);
      writeFileSync(stamp, want);
      return CLI;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface Started {
  child: ChildProcess;
  baseUrl: string;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI with `args` and resolves once it prints its base URL. */
export function startCli(args: string[], children: ChildProcess[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /SCIM base URL: (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        const baseUrl = match[1]!;
        resolve({ child, baseUrl, url: new URL(baseUrl).origin, out: () => out, exited });
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
}

export const TOKEN = 'scimulator-dev-token';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' };
