/**
 * The CI recipes users copy (examples/ci): valid YAML read by a real parser, the shape each CI expects, and only
 * flags and SCIMULATOR_* variables the CLI has (asked of the compiled CLI's --help, per command).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, ROOT } from '../harden/cli.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const COMMANDS = ['serve', 'seed', 'report'] as const;
type Command = (typeof COMMANDS)[number];
const options = {} as Record<Command, Set<string>>;

/** Flags of other tools that the recipes use, by tool, so that every other --flag must be Scimulator's. */
const OTHER_TOOLS = new Map([
  ['--health-interval', 'docker run (GitHub service options)'],
  ['--health-timeout', 'docker run (GitHub service options)'],
  ['--health-retries', 'docker run (GitHub service options)'],
  ['--save-dev', 'npm install'],
  ['--rm', 'docker run'],
]);

beforeAll(async () => {
  await buildCli();
  for (const command of COMMANDS) {
    const help = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    options[command] = new Set([...help.stdout.matchAll(/^ {2}--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!));
  }
}, 240_000);

const parse = (path: string) => {
  const doc = parseDocument(read(path), { strict: true, uniqueKeys: true });
  expect(doc.errors, path).toEqual([]);
  expect(doc.warnings, path).toEqual([]);
  return doc.toJS() as Record<string, any>;
};

/** Each `scimulator <command> ...` in a shell script (line continuations joined), with its flags. */
function invocations(script: string): Array<{ command: Command; flags: string[]; text: string }> {
  const found = [];
  for (const line of script.replace(/\\\n\s*/g, ' ').split('\n')) {
    for (const m of line.matchAll(/\bscimulator((?:\s+[^\s|&;>]+)*)/g)) {
      const words = m[1]!.trim().split(/\s+/).filter(Boolean);
      const command = (COMMANDS as readonly string[]).includes(words[0] ?? '') ? (words.shift() as Command) : 'serve';
      found.push({ command, flags: words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=')[0]!), text: m[0] });
    }
  }
  return found;
}

const isOption = (command: Command, flag: string) => options[command].has(flag) || (flag.startsWith('no-') && options[command].has(flag.slice(3)));

/** Checks every Scimulator invocation, every other --flag and every SCIMULATOR_* name in a text. */
function checkText(path: string, text: string, scripts: string[]): number {
  let checked = 0;
  for (const script of scripts) {
    for (const call of invocations(script)) {
      for (const flag of call.flags) {
        expect(isOption(call.command, flag), `${path}: "${call.text}": --${flag} is not an option of scimulator ${call.command}`).toBe(true);
        checked++;
      }
    }
  }
  const anyCommand = (flag: string) => COMMANDS.some((c) => isOption(c, flag));
  for (const m of text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)) {
    expect(anyCommand(m[1]!) || OTHER_TOOLS.has(`--${m[1]}`), `${path}: --${m[1]} is neither a Scimulator flag nor a listed flag of another tool`).toBe(true);
    checked++;
  }
  for (const m of text.matchAll(/\bSCIMULATOR_([A-Z][A-Z0-9_]*)/g)) {
    const flag = m[1]!.toLowerCase().replace(/_/g, '-');
    expect(options.serve.has(flag), `${path}: ${m[0]} is no flag of scimulator serve (--${flag})`).toBe(true);
    checked++;
  }
  return checked;
}

describe('examples/ci/github-actions.yml', () => {
  it('is valid YAML with a service-container job and an npx job that waits on /_mock/health', () => {
    const wf = parse('examples/ci/github-actions.yml');
    const service = wf.jobs['service-container'];
    const scim = service.services.scim;
    expect(scim.image).toMatch(/scimulator:\d+\.\d+\.\d+$/);
    expect(scim.ports).toContain('8080:8080');
    expect(Object.keys(scim.env).every((k) => k.startsWith('SCIMULATOR_'))).toBe(true);
    const npxSteps: Array<{ run?: string }> = wf.jobs.npx.steps;
    const start = npxSteps.findIndex((s) => /npx scimulator serve .*&\s*$/s.test(s.run ?? ''));
    const wait = npxSteps.findIndex((s) => (s.run ?? '').includes('http://127.0.0.1:8080/_mock/health'));
    const tests = npxSteps.findIndex((s) => s.run === 'npm test');
    expect(start).toBeGreaterThan(-1);
    expect(wait).toBe(start + 1);
    expect(tests).toBeGreaterThan(wait);
    for (const job of [service, wf.jobs.npx]) {
      const report = (job.steps as Array<{ run?: string; if?: string }>).find((s) => s.run?.includes('scimulator report'));
      expect(report).toMatchObject({ if: 'always()' });
      expect(report!.run).toMatch(/--format junit --out scim-conformance\.xml --fail-on warning/);
    }
  });

  it('uses only flags and SCIMULATOR_* variables the CLI has', () => {
    const text = read('examples/ci/github-actions.yml');
    const wf = parse('examples/ci/github-actions.yml');
    const scripts = Object.values(wf.jobs).flatMap((job: any) => job.steps.map((s: { run?: string }) => s.run ?? ''));
    expect(checkText('github-actions.yml', text, scripts)).toBeGreaterThan(10);
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  it('is valid YAML with Scimulator as a service, a health wait and a JUnit report artifact', () => {
    const ci = parse('examples/ci/gitlab-ci.yml');
    const job = ci['scim-client'];
    expect(job.services[0]).toMatchObject({ alias: 'scim' });
    expect(job.services[0].name).toMatch(/scimulator:\d+\.\d+\.\d+$/);
    expect(job.artifacts).toEqual({ when: 'always', reports: { junit: 'scim-conformance.xml' } });
    const script: string[] = job.script;
    const wait = script.findIndex((line) => line.includes("fetch('http://scim:8080/_mock/health')"));
    expect(wait).toBeGreaterThan(-1);
    expect(script.indexOf('npm test')).toBeGreaterThan(wait);
    expect(script.at(-1)).toMatch(/^npx scimulator report --url http:\/\/scim:8080 .*--fail-on warning$/);
  });

  it('uses only flags and SCIMULATOR_* variables the CLI has', () => {
    const ci = parse('examples/ci/gitlab-ci.yml');
    const job = ci['scim-client'];
    expect(checkText('gitlab-ci.yml', read('examples/ci/gitlab-ci.yml'), [...job.script, ...job.after_script])).toBeGreaterThan(5);
  });

  it('health-wait one-liner is valid JavaScript', () => {
    const line: string = parse('examples/ci/gitlab-ci.yml')['scim-client'].script.find((l: string) => l.startsWith('node -e'));
    const source = /^node -e "(.*)"$/s.exec(line)![1]!;
    expect(() => new Function(`return async () => {}; ${source}`)).not.toThrow();
  });
});

describe('the other files that configure Scimulator', () => {
  it('the Testcontainers snippet, Dockerfile, container smoke test and README name only real variables and flags', () => {
    const snippet = read('examples/ci/testcontainers.ts');
    expect(snippet).toContain("Wait.forHttp('/_mock/health', 8080).forStatusCode(200)");
    checkText('testcontainers.ts', snippet, []);
    for (const path of ['Dockerfile', 'scripts/container-smoke.sh']) {
      const text = read(path);
      for (const m of text.matchAll(/\bSCIMULATOR_([A-Z][A-Z0-9_]*)/g)) {
        expect(options.serve.has(m[1]!.toLowerCase().replace(/_/g, '-')), `${path}: ${m[0]}`).toBe(true);
      }
    }
    const readme = read('README.md');
    const ci = readme.slice(readme.indexOf('## Use in CI'), readme.indexOf('\n## ', readme.indexOf('## Use in CI') + 5));
    expect(ci.length).toBeGreaterThan(500);
    const commands = [...ci.matchAll(/```(?:sh|yaml|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    checkText('README.md "Use in CI"', commands.join('\n'), commands);
  });
});
