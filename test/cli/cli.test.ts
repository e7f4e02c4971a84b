import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli.js');

beforeAll(() => {
  // The CLI is tested as users run it: the compiled entry point.
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}, 180_000);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the CLI and resolves with the base URL it prints. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; baseUrl: string; out: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /SCIM base URL: (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, baseUrl: match[1]!, out: () => out });
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// Each test spawns the CLI several times, one after another; a loaded 2-core CI machine takes seconds for each
// node start (20 s was too little for six of them).
describe('scimulator CLI', { timeout: 90_000 }, () => {
  it('serves on a free port, prints the base URL and token, and exits 0 on SIGTERM', async () => {
    const { child, baseUrl, out } = await start(['serve', '--port', '0']);
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    expect(out()).toContain('Bearer token:  scimulator-dev-token');
    const res = await fetch(`${baseUrl}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer scimulator-dev-token' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    const created = await fetch(`${baseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: 'Bearer scimulator-dev-token', 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'cli' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(new RegExp(`^${baseUrl}/Users/[0-9a-f-]{36}$`));
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('prints the dashboard URL next to the base URL; the built CLI serves it; --no-control prints none', async () => {
    const { baseUrl, out } = await start(['serve', '--port', '0']);
    const dashboard = /Dashboard: +(\S+)/.exec(out())?.[1];
    expect(dashboard).toBe(`${new URL(baseUrl).origin}/_mock/ui/`);
    const page = await fetch(dashboard!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="main.js">');
    expect((await fetch(`${dashboard}main.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const guarded = await start(['serve', '--port', '0', '--control-token', 'ctl']);
    expect(guarded.out()).toMatch(/Dashboard: +\S+\/_mock\/ui\/ \(asks for the control token\)/);
    expect(guarded.out()).not.toContain('ctl\n');
    const off = await start(['serve', '--port', '0', '--no-control']);
    expect(off.out()).not.toContain('Dashboard');
  });

  it('reads flags from SCIMULATOR_* environment variables', async () => {
    const { baseUrl } = await start([], { SCIMULATOR_PORT: '0', SCIMULATOR_TOKEN: 'from-env', SCIMULATOR_BASE_PATH: '/api/scim' });
    expect(baseUrl).toMatch(/\/api\/scim$/);
    const res = await fetch(`${baseUrl}/Users`, { headers: { Authorization: 'Bearer from-env' } });
    expect(res.status).toBe(200);
  });

  it('ignores, and names on stderr, a SCIMULATOR_* variable that is no option of the command (a CI job sets SCIMULATOR_URL for its client)', async () => {
    const { baseUrl, out } = await start([], { SCIMULATOR_PORT: '0', SCIMULATOR_URL: 'http://127.0.0.1:8080/scim/v2', SCIMULATOR_TOKEN: 'from-env' });
    // On stderr: the start-up line came on stdout, another pipe, which the test may read first.
    await expect.poll(out).toContain('scimulator: ignoring SCIMULATOR_URL: `serve` has no --url option');
    expect((await fetch(`${baseUrl}/Users`, { headers: { Authorization: 'Bearer from-env' } })).status).toBe(200);
    // A serve flag in the environment of `seed`: ignored too; a flag on the command line stays strict.
    const seeded = spawnSync(process.execPath, [CLI, 'seed', '--users', '2', '--groups', '1', '--out', '-'], { encoding: 'utf8', env: { ...process.env, SCIMULATOR_PORT: '9999' } });
    expect(seeded.status).toBe(0);
    expect(seeded.stderr).toContain('scimulator: ignoring SCIMULATOR_PORT: `seed` has no --port option');
    expect((JSON.parse(seeded.stdout) as { resources: { User: unknown[] } }).resources.User).toHaveLength(2);
    const strict = spawnSync(process.execPath, [CLI, 'serve', '--url', 'x'], { encoding: 'utf8' });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/Unknown argument: url/);
  });

  it('SCIMULATOR_NO_<FLAG>=true|1 is --no-<flag> of a boolean flag, =false|0 is --<flag>; a bad value or both forms is bad usage', async () => {
    const journalOff = async (env: Record<string, string>) => {
      const { baseUrl, out } = await start(['--port', '0'], env);
      expect(out()).not.toContain('ignoring');
      const report = await (await fetch(`${new URL(baseUrl).origin}/_mock/conformance?format=text`)).text();
      return report.includes('the journal is off (--no-journal)');
    };
    expect(await journalOff({ SCIMULATOR_NO_JOURNAL: 'true' })).toBe(true);
    expect(await journalOff({ SCIMULATOR_NO_JOURNAL: '1' })).toBe(true);
    expect(await journalOff({ SCIMULATOR_NO_JOURNAL: 'false' })).toBe(false);
    expect(await journalOff({ SCIMULATOR_JOURNAL: 'false' })).toBe(true);
    const { baseUrl } = await start(['--port', '0'], { SCIMULATOR_NO_CONTROL: '1' });
    expect((await fetch(`${new URL(baseUrl).origin}/_mock/config`)).status).toBe(404);
    const bad = spawnSync(process.execPath, [CLI, '--port', '0'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, SCIMULATOR_NO_JOURNAL: 'yes' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('scimulator: SCIMULATOR_NO_JOURNAL must be true or 1 (meaning --no-journal) or false or 0 (meaning --journal), got "yes"\n');
    const both = spawnSync(process.execPath, [CLI, '--port', '0'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, SCIMULATOR_NO_JOURNAL: 'true', SCIMULATOR_JOURNAL: 'true' } });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('SCIMULATOR_NO_JOURNAL and SCIMULATOR_JOURNAL are both set');
  });

  it('--auth oauth: prints the token endpoint, issues tokens for the client credentials, never prints a chosen secret', async () => {
    const { baseUrl, out } = await start(['serve', '--port', '0', '--auth', 'oauth', '--client-id', 'ci-connector', '--client-secret', 'hunter2-secret', '--token-lifetime', '120']);
    const origin = new URL(baseUrl).origin;
    expect(out()).toContain(`OAuth 2.0:     POST ${origin}/oauth/token (grant_type=client_credentials, tokens live 120 s)`);
    expect(out()).toContain('Client:        ci-connector / (secret as given; not printed)');
    expect(out()).not.toContain('hunter2-secret');
    expect((await fetch(`${baseUrl}/Users`, { headers: { Authorization: 'Bearer scimulator-dev-token' } })).status).toBe(401);
    const issued = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from('ci-connector:hunter2-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(issued.status).toBe(200);
    const token = (await issued.json()) as { access_token: string; expires_in: number };
    expect(token.expires_in).toBe(120);
    expect((await fetch(`${baseUrl}/Users`, { headers: { Authorization: `Bearer ${token.access_token}` } })).status).toBe(200);
    const run = spawnSync(process.execPath, [CLI, '--auth', 'oauth', '--token-lifetime', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^scimulator: --token-lifetime must be a whole number of seconds/);
  });

  it('exits 2 with a one-line reason on an invalid flag', () => {
    for (const args of [['--bogus'], ['--port', 'abc'], ['--auth', 'magic'], ['--port', '70000']]) {
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^scimulator: /);
    }
  });

  it('a number flag without a value is bad usage, not 0 (a random port) or its default: on the command line and as an empty SCIMULATOR_* variable', () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['serve', '--port', ''], {}, 'scimulator: --port needs a number, got an empty value'],
      [['serve', '--port='], {}, 'scimulator: --port needs a number, got an empty value'],
      [['serve', '--port', ' '], {}, 'scimulator: --port needs a number, got an empty value'],
      [['serve', '--port', '0', '--users'], {}, 'scimulator: --users needs a number after it'],
      [['serve', '--users', '--port', '0'], {}, 'scimulator: --users needs a number after it'],
      [['serve', '--port', '0', '--users', ''], {}, 'scimulator: --users needs a number, got an empty value'],
      [['serve'], { SCIMULATOR_PORT: '' }, 'scimulator: SCIMULATOR_PORT is empty: --port needs a number (unset the variable for the default)'],
      [['seed', '--out', '-'], { SCIMULATOR_USERS: '' }, 'scimulator: SCIMULATOR_USERS is empty: --users needs a number (unset the variable for the default)'],
      [['seed', '--groups=', '--out', '-'], {}, 'scimulator: --groups needs a number, got an empty value'],
    ];
    for (const [args, env, message] of cases) {
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
      expect(run.status, `${args.join(' ')} ${JSON.stringify(env)}: ${run.stdout}`).toBe(2);
      expect(run.stderr).toBe(`${message}\n`);
      expect(run.stdout).toBe('');
    }
  });

  it('a flag given twice is bad usage naming it, not an array that fails inside node or a token nobody can send', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-twice-'));
    const cases: Array<[string[], string]> = [
      [['serve', '--port', '0', '--token', 'a', '--token', 'b'], 'scimulator: --token is given 2 times ("a", "b"); give it once'],
      [['serve', '--port', '0', '--data', join(dir, 'a.json'), '--data', join(dir, 'b.json')], `scimulator: --data is given 2 times (${JSON.stringify(join(dir, 'a.json'))}, ${JSON.stringify(join(dir, 'b.json'))}); give it once`],
      [['serve', '--port', '0', '--port', '1'], 'scimulator: --port is given 2 times ("0", "1"); give it once'],
      [['seed', '--users', '1', '--out', join(dir, 'a.json'), '--out', join(dir, 'b.json')], `scimulator: --out is given 2 times (${JSON.stringify(join(dir, 'a.json'))}, ${JSON.stringify(join(dir, 'b.json'))}); give it once`],
      [['report', '--url', 'http://127.0.0.1:9', '--url', 'http://127.0.0.1:10'], 'scimulator: --url is given 2 times ("http://127.0.0.1:9", "http://127.0.0.1:10"); give it once'],
    ];
    for (const [args, message] of cases) {
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
      expect(run.status, `${args.join(' ')}: ${run.stdout}`).toBe(2);
      expect(run.stderr).toBe(`${message}\n`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an empty --host (every interface) and --auth basic without both credentials are bad usage', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--host', ''], /^scimulator: --host must name the address to bind, such as 127\.0\.0\.1/],
      [['--auth', 'basic'], /^scimulator: --auth basic needs --basic-user and --basic-password$/],
      [['--auth', 'basic', '--basic-user', 'ops'], /^scimulator: --auth basic needs --basic-user and --basic-password$/],
    ];
    for (const [args, pattern] of cases) {
      const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 15_000 });
      expect(run.status, `${args.join(' ')}: ${run.stdout}`).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(pattern);
    }
  });

  it('an empty --control-token, --data or --journal-file (a CI variable declared but not set) is bad usage, not "none"', () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--control-token', ''], {}, 'scimulator: --control-token must not be empty; leave it out for an open control API'],
      [[], { SCIMULATOR_CONTROL_TOKEN: '' }, 'scimulator: --control-token must not be empty; leave it out for an open control API'],
      [['--data', ''], {}, 'scimulator: --data must name a file; leave it out to keep the directory in memory'],
      [['--journal-file='], {}, 'scimulator: --journal-file must name a file'],
    ];
    for (const [args, env, message] of cases) {
      const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
      expect(run.status, `${args.join(' ')} ${JSON.stringify(env)}: ${run.stdout}`).toBe(2);
      expect(run.stderr).toBe(`${message}\n`);
    }
    const seed = spawnSync(process.execPath, [CLI, 'seed', '--seed-file', '', '--out', '-'], { encoding: 'utf8', timeout: 15_000 });
    expect(seed.status).toBe(2);
    expect(seed.stderr).toBe('scimulator: --seed-file must name a file\n');
  });

  it('--heap-growth: a whole per cent from 0 to 400 serves (also from SCIMULATOR_HEAP_GROWTH); anything else exits 2 saying the range', async () => {
    for (const value of ['-1', '1.5', '401', 'lots']) {
      const run = spawnSync(process.execPath, [CLI, '--heap-growth', value], { encoding: 'utf8' });
      expect(run.status, value).toBe(2);
      expect(run.stderr, value).toMatch(/^scimulator: --heap-growth must be a whole number of per cent from 0 \(V8's own heuristic\) to 400/);
    }
    for (const [args, env] of [[['--heap-growth', '0'], {}], [[], { SCIMULATOR_HEAP_GROWTH: '50' }]] as const) {
      const { child, baseUrl } = await start(['serve', '--port', '0', ...args], env);
      const res = await fetch(`${baseUrl}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer scimulator-dev-token' } });
      expect(res.status).toBe(200);
      child.kill('SIGKILL');
    }
  });

  it('prints --version and --help', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).stdout.trim()).toBe(pkg.version);
    expect(spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout).toContain('--base-path');
  });

  it('the README "Flags" table lists exactly the flags of `serve --help`, with the defaults --help shows', () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout;
    // --help: a flag's block runs from its line (two spaces, --name) to the next; yargs ends it with [type] and
    // [default: X] when it has one.
    const fromHelp = new Map<string, { boolean: boolean; default?: string }>();
    for (const block of help.split(/\n(?= {2}--)/).filter((b) => /^ {2}--/.test(b))) {
      const name = /^ {2}--([a-z-]+)/.exec(block)![1]!;
      if (name === 'help' || name === 'version') continue;
      const def = /\[default: ("?)(.*?)\1\]/.exec(block.replace(/\s+/g, ' '));
      fromHelp.set(name, { boolean: block.includes('[boolean]'), ...(def ? { default: def[2] } : {}) });
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| flag | default | meaning |'), readme.indexOf('\nExit codes:'));
    const fromReadme = new Map<string, string | undefined>();
    for (const row of table.split('\n').slice(2).filter((line) => line.startsWith('| `--'))) {
      const [flagsCell, defaultsCell] = row.split(' | ');
      const flags = [...flagsCell!.matchAll(/`--([a-z-]+)`/g)].map((m) => m[1]!);
      const defaults = defaultsCell!.split(', ').map((d) => d.replace(/\s*\(.*\)$/, '').trim());
      // One default per flag, in order (`--client-id`, `--client-secret` | scimulator, scimulator-dev-secret).
      flags.forEach((flag, i) => fromReadme.set(flag, defaults[i]));
    }
    // A flag on by default appears in the table as its --no- form.
    const expected = [...fromHelp.keys()].map((name) => (fromHelp.get(name)!.default === 'true' ? `no-${name}` : name)).sort();
    expect([...fromReadme.keys()].sort()).toEqual(expected);
    for (const [name, { boolean, default: def }] of fromHelp) {
      if (def === undefined || def === 'true') continue;
      expect(`--${name}: ${fromReadme.get(name)}`).toBe(`--${name}: ${boolean && def === 'false' ? 'off' : def}`);
    }
  });

  it('an unknown --persona or --member-policy exits 2 naming the choices', () => {
    for (const args of [['--persona', 'okta-target'], ['--member-policy', 'lax']]) {
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^scimulator: .*Choices:/);
    }
  });

  it('--help lists the personas with their titles, and --persona serves that target', async () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    for (const text of ['--persona', 'aws (AWS IAM Identity Center)', 'github (GitHub Enterprise Managed Users)', 'slack (Slack)', 'atlassian (Atlassian Cloud)', 'zoom (Zoom)', '--member-policy', '--advertise-pagination']) {
      expect(help).toContain(text);
    }
    const { baseUrl } = await start(['--port', '0', '--persona', 'aws', '--advertise-pagination']);
    const spc = (await (await fetch(`${baseUrl}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer scimulator-dev-token' } })).json()) as Record<string, any>;
    expect(spc.bulk.supported).toBe(false);
    expect(spc.pagination).toMatchObject({ cursor: true, index: false, defaultPaginationMethod: 'cursor', maxPageSize: 100 });
  });

  it('persists to --data across restarts, and refuses a corrupt data file without touching it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-'));
    const file = join(dir, 'data.json');
    const first = await start(['--port', '0', '--data', file]);
    const created = await fetch(`${first.baseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: 'Bearer scimulator-dev-token', 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kept' }),
    });
    const user = (await created.json()) as { id: string; meta: { version: string } };
    const exit = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await exit).toBe(0);

    const second = await start(['--port', '0', '--data', file]);
    const read = await fetch(`${second.baseUrl}/Users/${user.id}`, { headers: { Authorization: 'Bearer scimulator-dev-token' } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { meta: { version: string } }).meta.version).toBe(user.meta.version);

    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "scimulator-snapshot", ');
    const run = spawnSync(process.execPath, [CLI, '--port', '0', '--data', corrupt], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(corrupt);
    expect(readFileSync(corrupt, 'utf8')).toBe('{"format": "scimulator-snapshot", ');
  });

  /**
   * The server under a shell that is killed, as `npx scimulator serve` is (npm passes SIGTERM to its `sh -c` only):
   * resolves with the server's base URL and pid, and whether its output ended (the pipe closes once it exits).
   */
  async function serveUnderKilledShell(args: string[], env: Record<string, string | undefined>) {
    const script = `"${process.execPath}" "${CLI}" serve --port 0 ${args.join(' ')} & echo "pid $!"; wait`;
    const shell = spawn('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(shell);
    let out = '';
    shell.stderr!.on('data', (chunk) => (out += chunk));
    const ended = new Promise<void>((resolve) => shell.stdout!.on('end', resolve));
    const started = await new Promise<{ baseUrl: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 15_000);
      shell.stdout!.on('data', (chunk) => {
        out += chunk;
        const url = /SCIM base URL: (\S+)/.exec(out)?.[1];
        const pid = /^pid (\d+)$/m.exec(out)?.[1];
        if (url && pid) {
          clearTimeout(timer);
          resolve({ baseUrl: url, pid: Number(pid) });
        }
      });
    });
    shell.kill('SIGTERM');
    return { ...started, ended, out: () => out };
  }

  const killQuietly = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  };

  const answers = (baseUrl: string) =>
    fetch(`${baseUrl}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer scimulator-dev-token' } }).then(
      (res) => res.status === 200,
      () => false,
    );

  it('run by npm (npx), stops like on SIGTERM when its parent shell is killed; --no-stop-with-parent and a plain start keep serving', async () => {
    const underNpx = await serveUnderKilledShell([], { npm_command: 'exec' });
    try {
      // Generous: the server looks every 500 ms; a loaded CI machine may take seconds to run the shutdown.
      const stopped = await Promise.race([underNpx.ended.then(() => true), new Promise((resolve) => setTimeout(resolve, 30_000, false))]);
      expect(stopped, `still running 30 s after its parent was killed: ${underNpx.out()}`).toBe(true);
      expect(underNpx.out()).toMatch(/Parent process \d+ ended, finishing in-flight requests/);
      expect(await answers(underNpx.baseUrl)).toBe(false);
    } finally {
      killQuietly(underNpx.pid);
    }

    for (const [args, env] of [
      [['--no-stop-with-parent'], { npm_command: 'exec' }],
      [[], { npm_command: undefined }],
    ] as const) {
      const server = await serveUnderKilledShell([...args], { ...env });
      try {
        // Three times the interval at which the server looks at its parent.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(await answers(server.baseUrl)).toBe(true);
        expect(server.out()).not.toContain('Parent process');
      } finally {
        killQuietly(server.pid);
      }
    }
  }, 90_000);

  it('--group-display-name-unique makes a second Group with a taken displayName 409 uniqueness; without it (the default) groups may share one', async () => {
    const headers = { Authorization: 'Bearer scimulator-dev-token', 'Content-Type': 'application/scim+json' };
    const group = (baseUrl: string, displayName: string) =>
      fetch(`${baseUrl}/Groups`, { method: 'POST', headers, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName }) });
    const config = async (baseUrl: string) => ((await (await fetch(`${new URL(baseUrl).origin}/_mock/config`)).json()) as { groupDisplayNameUnique: boolean }).groupDisplayNameUnique;

    const plain = await start(['--port', '0']);
    expect(await config(plain.baseUrl)).toBe(false);
    expect((await group(plain.baseUrl, 'Engineering')).status).toBe(201);
    expect((await group(plain.baseUrl, 'Engineering')).status).toBe(201);

    for (const [args, env] of [
      [['--group-display-name-unique'], {}],
      [[], { SCIMULATOR_GROUP_DISPLAY_NAME_UNIQUE: 'true' }],
    ] as const) {
      const unique = await start(['--port', '0', ...args], env);
      expect(await config(unique.baseUrl)).toBe(true);
      expect((await group(unique.baseUrl, 'Engineering')).status).toBe(201);
      const clash = await group(unique.baseUrl, 'engineering');
      expect(clash.status).toBe(409);
      const body = (await clash.json()) as { scimType: string; detail: string };
      expect(body.scimType).toBe('uniqueness');
      expect(body.detail).toMatch(/^displayName "engineering" is already taken by Group "[^"]+" \(compared case-insensitively\)\.$/);
    }
  });

  it('a port already in use is a one-line error and exit code 1', async () => {
    const { baseUrl } = await start(['--port', '0']);
    const port = new URL(baseUrl).port;
    const run = spawnSync(process.execPath, [CLI, '--port', port], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/already in use/);
  });
});
