import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
// Built apart from dist/, so this file and test/cli (which rebuilds dist/) never read each other's half-written
// output. The layout mirrors the package: <build>/dist, <build>/package.json, <build>/seeds/scenario.schema.json.
const BUILD = join(ROOT, '.tmp', `seed-cli-${process.pid}`);
const CLI = join(BUILD, 'dist/cli.js');
const TOKEN = { Authorization: 'Bearer scimulator-dev-token' };
const dir = mkdtempSync(join(tmpdir(), 'scimulator-seed-cli-'));

beforeAll(() => {
  // The CLI is tested as users run it: the compiled entry point.
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(BUILD, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  mkdirSync(join(BUILD, 'seeds'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  copyFileSync(join(ROOT, 'seeds/scenario.schema.json'), join(BUILD, 'seeds/scenario.schema.json'));
  // A preload that moves the clock 400 days ahead, to run the CLI "on another day".
  writeFileSync(
    join(dir, 'later.mjs'),
    `const Real = Date; const shift = 400 * 86400000;
     class Later extends Real { constructor(...a) { if (a.length === 0) super(Real.now() + shift); else super(...a); } static now() { return Real.now() + shift; } }
     globalThis.Date = Later;\n`,
  );
}, 120_000);

afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(args: string[], options: { env?: Record<string, string>; nodeArgs?: string[]; cwd?: string } = {}) {
  return spawnSync(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...options.env },
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Starts `serve` and resolves with the base URL it prints. */
function start(args: string[]): Promise<{ child: ChildProcess; baseUrl: string; out: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (/SCIM base URL: (\S+)[\s\S]*\n$/.test(out)) {
        clearTimeout(timer);
        resolve({ child, baseUrl: /SCIM base URL: (\S+)/.exec(out)![1]!, out: () => out });
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const getJson = async (url: string) => {
  const res = await fetch(url, { headers: TOKEN });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('scimulator seed', { timeout: 90_000 }, () => {
  it('writes byte-identical files on different days and in different time zones; another seed differs', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const c = join(dir, 'c.json');
    const first = run(['seed', '--users', '2000', '--groups', '50', '--seed', '42', '--out', a], { env: { TZ: 'UTC' } });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`Wrote ${a}: 2000 users, 50 groups\n`);
    const later = run(['seed', '--users', '2000', '--groups', '50', '--seed', '42', '--out', b], { env: { TZ: 'Pacific/Kiritimati' }, nodeArgs: ['--import', pathToFileURL(join(dir, 'later.mjs')).href] });
    expect(later.status, later.stderr).toBe(0);
    expect(sha256(b)).toBe(sha256(a));
    expect(run(['seed', '--users', '2000', '--groups', '50', '--seed', '43', '--out', c]).status).toBe(0);
    expect(sha256(c)).not.toBe(sha256(a));

    const text = readFileSync(a, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['format', 'version', 'sequence', 'resources']);
    expect(doc.resources.User).toHaveLength(2000);
    expect(doc.resources.Group).toHaveLength(50);
    expect(doc.sequence).toBe(2050);
  });

  it('serve --data serves the written directory', async () => {
    const file = join(dir, 'served.json');
    expect(run(['seed', '--users', '120', '--seed', '7', '--out', file]).status).toBe(0);
    const before = sha256(file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const { baseUrl } = await start(['serve', '--port', '0', '--data', file]);
    const list = await getJson(`${baseUrl}/Users?count=1`);
    expect(list.body.totalResults).toBe(120);
    const one = await getJson(`${baseUrl}/Users/${doc.resources.User[5].id}`);
    expect(one.body.userName).toBe(doc.resources.User[5].userName);
    // The stored version, and (a user in groups) a digest of the groups it shows.
    const stored = doc.resources.User[5].meta.version as string;
    expect(one.body.meta.version).toMatch(new RegExp(`^${stored.slice(0, -1).replace(/[/\\]/g, '\\$&')}(\\.[0-9a-z]+)?"$`));
    expect((await getJson(`${baseUrl}/Groups?count=1`)).body.totalResults).toBe(8);
    expect(sha256(file)).toBe(before); // reading does not rewrite the file
  });

  it('writes custom schemas with --seed-file, and to standard output with --out -', async () => {
    const res = run(['seed', '--seed-file', 'seeds/custom-device.json', '--out', '-']);
    expect(res.status, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.resourceTypes.map((t: { name: string }) => t.name)).toEqual(['User', 'Device']);
    expect(doc.resources.Device).toHaveLength(3);
    expect(res.stderr).toBe('scimulator: wrote 22 users, 5 groups, 3 Devices from seeds/custom-device.json to standard output\n');

    const file = join(dir, 'custom.json');
    writeFileSync(file, res.stdout);
    const { baseUrl } = await start(['serve', '--port', '0', '--data', file]);
    expect((await getJson(`${baseUrl}/Devices/d-001`)).body.serialNumber).toBe('C02XK1ZZJGH5');
  });

  it('notes that options and faults of a seed file are not part of a snapshot', () => {
    const res = run(['seed', '--seed-file', 'seeds/okta-like.json', '--users', '3', '--groups', '1', '--out', join(dir, 'okta.json')]);
    expect(res.status).toBe(0);
    expect(res.stderr).toContain("note: the seed file's options and faults are not part of a snapshot");
  });

  it('exits 2 with one line on bad usage', () => {
    const cases: Array<[string[], RegExp]> = [
      [['seed', '--users', '10'], /Missing required argument: out/],
      [['seed', '--users', '-1', '--out', join(dir, 'x.json')], /^scimulator: --users must be an integer from 0 to 1000000, got -1$/],
      [['seed', '--users', 'abc', '--out', join(dir, 'x.json')], /^scimulator: --users must be an integer from 0 to 1000000, got NaN$/],
      [['seed', '--bogus', '--out', join(dir, 'x.json')], /Unknown argument: bogus/],
      [['serve', '--users', '-5', '--port', '0'], /^scimulator: --users must be an integer from 0 to 1000000, got -5$/],
    ];
    for (const [args, pattern] of cases) {
      const res = run(args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
      expect(res.stderr.trim()).toMatch(pattern);
    }
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });

  it('exits 4 with one line when --out cannot be written, as `report` does', () => {
    const out = join(dir, 'missing', 'x.json');
    const res = run(['seed', '--users', '2', '--groups', '0', '--out', out]);
    expect(res.status, res.stderr).toBe(4);
    expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
    expect(res.stderr.startsWith(`scimulator: cannot write ${out}: ENOENT`), res.stderr).toBe(true);
    expect(res.stdout).toBe('');
  });

  it('says why --out cannot be written in terms of the path given, not of the temporary file written beside it', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const cases: Array<[string, string]> = [
      [join(dir, 'missing', 'x.json'), `ENOENT: the directory ${join(dir, 'missing')} does not exist; create it first`],
      [join(file, 'x.json'), `ENOTDIR: ${file} is not a directory (a part of that path is a file)`],
      [dir, `EISDIR: ${dir} is a directory; name a file`],
    ];
    for (const [out, reason] of cases) {
      const res = run(['seed', '--users', '2', '--groups', '0', '--out', out]);
      expect(res.status, res.stderr).toBe(4);
      expect(res.stderr, out).toBe(`scimulator: cannot write ${out}: ${reason}\n`);
    }
  });
});

describe('serve with seeding flags', { timeout: 90_000 }, () => {
  it('a malformed seed file fails start-up with the file, the pointer and the reason on one line, exit 2', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ generate: { users: -3, groups: 1 } }));
    for (const args of [['serve', '--seed-file', bad, '--port', '0'], ['seed', '--seed-file', bad, '--out', join(dir, 'never.json')]]) {
      const res = run(args);
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toBe(`scimulator: ${bad}: /generate/users: must be a non-negative integer\n`);
    }
    const syntax = join(dir, 'syntax.json');
    writeFileSync(syntax, '{\n  "generate": { "users": 3, }\n}\n');
    const res = run(['serve', '--seed-file', syntax, '--port', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`scimulator: ${syntax}: /: is not valid JSON at line 2, column 29: expected a property name in double quotes\n`);
    const missing = run(['serve', '--seed-file', join(dir, 'missing.json'), '--port', '0']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`scimulator: ${join(dir, 'missing.json')}: /: no such file: looked for ${join(dir, 'missing.json')}; check the file name\n`);
  });

  it('a seed file that is not there is reported with the absolute path looked up, the directory a relative path is read from, and what to do', () => {
    // The package's own seeds/okta-like.json, as the README's `--seed-file seeds/okta-like.json` names it.
    copyFileSync(join(ROOT, 'seeds/okta-like.json'), join(BUILD, 'seeds/okta-like.json'));
    const project = mkdtempSync(join(tmpdir(), 'scimulator-project-'));
    for (const args of [['serve', '--seed-file', 'seeds/okta-like.json', '--port', '0'], ['seed', '--seed-file', 'seeds/okta-like.json', '--out', '-']]) {
      const res = run(args, { cwd: project });
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toBe(
        `scimulator: seeds/okta-like.json: /: no such file: looked for ${join(project, 'seeds/okta-like.json')} (a relative path is read from the working directory, ${project}); ` +
          `run scimulator from the directory the path is relative to, or give an absolute path; a scenario of that name ships with scimulator: ${join(BUILD, 'seeds/okta-like.json')}\n`,
      );
    }
    const absent = join(dir, 'no-such-dir', 'scenario.json');
    const res = run(['serve', '--seed-file', absent, '--port', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`scimulator: ${absent}: /: no such file: looked for ${absent} (the directory ${join(dir, 'no-such-dir')} does not exist either); check the path\n`);
  });

  it('serve --seed-file seeds/okta-like.json serves its users with the okta profile', async () => {
    const { baseUrl, out } = await start(['serve', '--seed-file', 'seeds/okta-like.json', '--port', '0']);
    expect(out()).toMatch(/Directory: {5}200 users, 16 groups from seeds\/okta-like\.json \(seeded in \d+(\.\d)? m?s\)/);
    const list = await getJson(`${baseUrl}/Users?count=5`);
    expect(list.body.totalResults).toBe(200);
    for (const user of list.body.Resources) expect(user.externalId).toMatch(/^00u[0-9A-Za-z]{17}$/);
    const origin = new URL(baseUrl).origin;
    expect((await getJson(`${origin}/_mock/config`)).body.profile).toBe('okta');
  });

  it('--users without --seed generates with seed 1, like the seed command', async () => {
    const file = join(dir, 'seed1.json');
    expect(run(['seed', '--users', '15', '--groups', '2', '--out', file]).status).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const { baseUrl } = await start(['serve', '--users', '15', '--groups', '2', '--port', '0']);
    const list = await getJson(`${baseUrl}/Users?count=100`);
    expect(list.body.Resources.map((u: { id: string }) => u.id)).toEqual(doc.resources.User.map((u: { id: string }) => u.id));
  });

  it('--data plus seeding flags: seeds and saves a new file; an existing file wins, with a note', async () => {
    const file = join(dir, 'data.json');
    const first = await start(['serve', '--port', '0', '--data', file, '--users', '5', '--groups', '1']);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).resources.User).toHaveLength(5);
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start(['serve', '--port', '0', '--data', file, '--users', '9']);
    // On stderr: the start-up line came on stdout, another pipe, which the test may read first.
    await expect.poll(second.out).toContain(`scimulator: note: data file ${file} exists, so its directory is served and the seeding flags are ignored; remove the file to seed again`);
    expect((await getJson(`${second.baseUrl}/Users?count=1`)).body.totalResults).toBe(5);
  });
});
