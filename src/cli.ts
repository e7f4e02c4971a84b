#!/usr/bin/env node
/** The `scimulator` command: parse flags, call the library, print, exit codes (2 = bad usage, 1 = failure, 4 = --out not writable; report: see report()). */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ScimulatorClient, ScimulatorControlError } from './client.js';
import { AUTH_MODES, DEFAULT_CLIENT_SECRET, DEFAULT_OPTIONS, DEFAULT_TOKEN, type AuthMode, type ScimulatorOptions, type SeedingOptions } from './config.js';
import { PERSONA_NAMES, PERSONAS } from './personas/index.js';
import { failingChecks, FAIL_ON_LEVELS, oneLine, renderReport, REPORT_FORMATS, type ConformanceReport, type FailOn, type ReportFormat } from './journal/report.js';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthProblem, setHeapGrowth } from './heap.js';
import { VERSION } from './version.js';

// serve and seed load the server and the generator when they run: `scimulator report` in a CI step needs neither.
const serverModules = () => Promise.all([import('./seed/progress.js'), import('./seed/scenario.js'), import('./seed/seed.js'), import('./server.js'), import('./store/persist.js')]);

function fail(message: string, code: number): never {
  process.stderr.write(`scimulator: ${message}\n`);
  process.exit(code);
}

/** The seeding flags given (--seed, --users, --groups, --seed-file), or undefined when none is. */
function seedingFlags(argv: Record<string, unknown>): SeedingOptions | undefined {
  const spec: SeedingOptions = {};
  if (argv['seed-file'] !== undefined) spec.file = argv['seed-file'] as string;
  for (const key of ['seed', 'users', 'groups'] as const) if (argv[key] !== undefined) spec[key] = argv[key] as number;
  return Object.keys(spec).length ? spec : undefined;
}

async function serve(argv: Record<string, unknown>): Promise<void> {
  // Read before start-up: a parent that ends while the server starts (after its banner, even) is still seen.
  const parentAtStart = process.ppid;
  const heapGrowth = argv['heap-growth'] as number;
  const heapProblem = heapGrowthProblem(heapGrowth);
  if (heapProblem) fail(heapProblem, 2);
  setHeapGrowth(heapGrowth);
  const [{ createProgressReporter }, { ScenarioError }, { describeCounts }, { startServer }, { DataFileError }] = await serverModules();
  const seeding = seedingFlags(argv);
  const options: Partial<ScimulatorOptions> = {
    port: argv.port as number,
    host: argv.host as string,
    basePath: argv['base-path'] as string,
    auth: argv.auth as AuthMode,
    token: argv.token as string,
    basicUser: argv['basic-user'] as string | undefined,
    basicPassword: argv['basic-password'] as string | undefined,
    clientId: argv['client-id'] as string,
    clientSecret: argv['client-secret'] as string,
    tokenLifetime: argv['token-lifetime'] as number,
    data: argv.data as string | undefined,
    maxBody: argv['max-body'] as number,
    profile: argv.profile as ScimulatorOptions['profile'],
    defaultPageSize: argv['default-page-size'] as number,
    maxPageSize: argv['max-page-size'] as number,
    cursorTimeout: argv['cursor-timeout'] as number,
    warningsHeader: argv['warnings-header'] as boolean,
    control: argv.control as boolean,
    controlPath: argv['control-path'] as string,
    controlToken: argv['control-token'] as string | undefined,
    journal: argv.journal as boolean,
    journalCapacity: argv['journal-capacity'] as number,
    journalMaxBytes: argv['journal-max-bytes'] as number,
    journalFile: argv['journal-file'] as string | undefined,
    latency: argv.latency as string | undefined,
    failRate: argv['fail-rate'] as string | undefined,
    rateLimit: argv['rate-limit'] as string | undefined,
    saveDelayMs: argv['save-delay'] as number,
    dataSync: argv['data-sync'] as boolean,
    maxJsonDepth: argv['max-json-depth'] as number,
    maxQueryParams: argv['max-query-params'] as number,
    maxUrlLength: argv['max-url-length'] as number,
    maxHeaderSize: argv['max-header-size'] as number,
    headersTimeout: argv['headers-timeout'] as number,
    requestTimeout: argv['request-timeout'] as number,
    keepAliveTimeout: argv['keep-alive-timeout'] as number,
    shutdownGraceMs: argv['shutdown-grace'] as number,
    cors: argv.cors as string | undefined,
    bulkMaxOperations: argv['bulk-max-operations'] as number,
    maxPatchOperations: argv['max-patch-operations'] as number,
    bulkMaxPayload: argv['bulk-max-payload'] as number | undefined,
    advertisePagination: argv['advertise-pagination'] as boolean,
    memberPolicy: argv['member-policy'] as ScimulatorOptions['memberPolicy'],
    groupDisplayNameUnique: argv['group-display-name-unique'] as boolean,
    persona: argv.persona as string | undefined,
    seed: argv.seed as number | undefined,
    seeding,
  };
  let running;
  const progress = createProgressReporter(process.stderr, 'Seeding');
  try {
    running = await startServer(options, { onSeedProgress: (done, total) => progress.update(done, total) });
  } catch (err) {
    progress.done();
    if (err instanceof ScenarioError) fail(err.message, 2);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(`port ${options.port} on ${options.host} is already in use; pick another with --port (0 picks a free one)`, 1);
    if (err instanceof DataFileError) fail(err.message, 1);
    if (e.code === undefined && err instanceof Error && !(err instanceof DataFileError)) fail(err.message, 2);
    fail(e.message, 1);
  }
  progress.done();
  const { options: o } = running.runtime;
  const auth = running.runtime.defaultTenant.auth;
  const lines = [`Scimulator ${VERSION} listening`, `  SCIM base URL: ${running.baseUrl}`];
  if (!o.control) lines.push('  Control API:   off (--no-control)');
  else lines.push(`  Control API:   ${running.url}${o.controlPath}${o.controlToken ? ' (bearer token as given by --control-token; not printed)' : ''}`);
  if (o.control) lines.push(`  Dashboard:     ${running.url}${o.controlPath}/ui/${o.controlToken ? ' (asks for the control token)' : ''}`);
  // Only the documented development token is printed; a secret the operator chose is never written out.
  if (auth.mode === 'bearer') lines.push(`  Bearer token:  ${auth.token === DEFAULT_TOKEN ? auth.token : '(as given by --token or the seed file; not printed)'}`);
  else if (auth.mode === 'basic') lines.push(`  Basic auth:    ${auth.basicUser} / (password as given; not printed)`);
  else if (auth.mode === 'oauth') {
    lines.push(`  OAuth 2.0:     POST ${running.url}/oauth/token (grant_type=client_credentials, tokens live ${auth.tokenLifetime} s)`);
    lines.push(`  Client:        ${auth.clientId} / ${auth.clientSecret === DEFAULT_CLIENT_SECRET ? auth.clientSecret : '(secret as given; not printed)'}`);
  }
  else lines.push('  Auth:          none (every request is accepted)');
  if (auth.mode === 'none' && !['127.0.0.1', 'localhost', '::1'].includes(o.host)) {
    process.stderr.write(`scimulator: warning: --auth none on ${o.host} lets anyone who can reach this address read and change the directory\n`);
  }
  if (o.data) lines.push(`  Data file:     ${o.data}${o.dataSync ? ' (every write fsynced before its response)' : ` (saved within ${o.saveDelayMs} ms of a write)`}`);
  if (o.cors) lines.push(`  CORS origins:  ${o.cors}`);
  if (running.seeded) {
    lines.push(`  Directory:     ${describeCounts(running.seeded.counts)} from ${running.seeded.source} (seeded in ${formatMs(running.seeded.ms)})`);
  }
  for (const note of running.notes) process.stderr.write(`scimulator: note: ${note}\n`);
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  /** `why` begins the line the server prints: "Received SIGTERM". */
  const stop = (why: string) => {
    if (stopping) process.exit(1); // a second signal: leave at once
    stopping = true;
    // close() stops listening before it returns (its first await comes after server.close()), so whoever reads
    // this line can count on new connections being refused.
    const closed = running.close();
    process.stdout.write(`${why}, finishing in-flight requests\n`);
    closed.then(
      () => process.exit(0),
      (err) => fail(`error while stopping: ${(err as Error).message}`, 1),
    );
  };
  process.on('SIGTERM', () => stop('Received SIGTERM'));
  process.on('SIGINT', () => stop('Received SIGINT'));
  if ((argv['stop-with-parent'] as boolean | undefined) ?? process.env.npm_command !== undefined) stopWithParent(stop, parentAtStart);
}

/**
 * Stops the server, as SIGTERM does, once the process that started it has gone. `npx scimulator serve` runs the
 * server under `sh -c` under npm; on SIGTERM npm passes the signal to that shell only, the shell dies, and the
 * server would go on running, holding its port, after the job that started it killed what it started. So under
 * npm (which sets npm_command for what it runs) this is on by default; `--no-stop-with-parent` keeps the server.
 * A parent that goes away is seen as a new parent process id (the orphan is adopted by init or a subreaper);
 * `parent` is the id read when the process started, so a parent that ended during start-up is seen too.
 */
function stopWithParent(stop: (why: string) => void, parent: number): void {
  if (parent <= 1) return; // started by init: no parent to follow
  const ended = () => stop(`Parent process ${parent} ended`);
  if (process.ppid !== parent) return ended();
  const poll = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(poll); // once: a second stop() would mean "leave at once"
    ended();
  }, PARENT_POLL_MS).unref();
}

const PARENT_POLL_MS = 500;

const formatMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** `scimulator seed`: writes the snapshot document of a generated directory (or scenario), without serving. */
async function seed(argv: Record<string, unknown>): Promise<void> {
  const [{ createProgressReporter }, { defaultTenantConfig, mergeScenarioOptions, scenarioFor, ScenarioError }, { buildDirectory, describeCounts, seedTargetOf, snapshotDocumentChunks }] = await serverModules();
  const out = argv.out as string;
  if (out === '') fail('--out must name a file (or "-" for standard output)', 2);
  const spec = seedingFlags(argv) ?? {};
  if (spec.file === '') fail('--seed-file must name a file', 2);
  let scenario;
  try {
    scenario = await scenarioFor(spec);
  } catch (err) {
    if (err instanceof ScenarioError) fail(err.message, 2);
    if (err instanceof RangeError) fail(`--${err.message}`, 2);
    throw err;
  }
  const progress = createProgressReporter(process.stderr, 'Seeding');
  let snapshot;
  try {
    const { groupDisplayNameUnique, persona } = mergeScenarioOptions(defaultTenantConfig(), scenario);
    const target = seedTargetOf(persona);
    snapshot = buildDirectory(scenario, { groupDisplayNameUnique, ...(target ? { target } : {}), onProgress: (done, total) => progress.update(done, total) });
  } catch (err) {
    if (err instanceof ScenarioError) fail(err.message, 2);
    throw err;
  } finally {
    progress.done();
  }
  const counts: Record<string, number> = {};
  for (const [type, list] of Object.entries(snapshot.resources)) counts[type] = list.length;
  const summary = `${describeCounts(counts)}${spec.file ? ` from ${spec.file}` : ''}`;
  const ignored = scenario.options || scenario.faults.length ? 'the seed file\'s options and faults are not part of a snapshot; pass --seed-file again when serving it' : undefined;
  if (out === '-') {
    // A reader that stops early (| head) is not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
    for (const chunk of snapshotDocumentChunks(snapshot)) {
      if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
    process.stderr.write(`scimulator: wrote ${summary} to standard output\n`);
  } else {
    // Written next to the target, then renamed over it: a reader never sees half a file.
    const temporary = `${out}.${process.pid}.tmp`;
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = createWriteStream(temporary);
        stream.on('error', reject);
        stream.on('finish', resolve);
        (async () => {
          for (const chunk of snapshotDocumentChunks(snapshot)) {
            if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
          }
          stream.end();
        })().catch(reject);
      });
      await rename(temporary, out);
    } catch (err) {
      // Nothing to remove when the directory is missing or is a file (rm's ENOTDIR would hide the reason).
      await rm(temporary, { force: true }).catch(() => undefined);
      // 4, as `report` answers an --out it cannot write: the step is broken, not the directory.
      fail(`cannot write ${out}: ${writeFailure(err, out, temporary)}`, 4);
    }
    process.stdout.write(`Wrote ${out}: ${summary}\n`);
  }
  if (ignored) process.stderr.write(`scimulator: note: ${ignored}\n`);
}

/**
 * Why `out` could not be written, said of the path the user gave: node's message names the temporary file written
 * beside it ("ENOENT: no such file or directory, open 'missing/dir.json.4242.tmp'").
 */
function writeFailure(err: unknown, out: string, temporary: string): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const where = dirname(out);
  switch (code) {
    case 'ENOENT':
      return `ENOENT: the directory ${where} does not exist; create it first`;
    case 'ENOTDIR':
      return `ENOTDIR: ${where} is not a directory (a part of that path is a file)`;
    case 'EISDIR':
      return `EISDIR: ${out} is a directory; name a file`;
    case 'EACCES':
    case 'EPERM':
      return `${code}: no permission to write in ${where}`;
    default:
      return String(message).split(temporary).join(out);
  }
}

/**
 * `scimulator report`: fetches the conformance report of a running server, writes it (stdout or --out) and exits 1
 * when --fail-on is met; 2 on bad usage; 3 when no report could be had (server unreachable, control API refused); 4
 * when the report could not be written (--out unwritable). Each code means one thing, so a CI step can tell a
 * failing client (1) from a broken step (2, 3, 4).
 */
async function report(argv: Record<string, unknown>): Promise<void> {
  const url = argv.url as string;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    /* reported below */
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) fail(`--url must be the server's http(s) address, such as http://127.0.0.1:8080, got ${JSON.stringify(url)}`, 2);
  // fetch refuses a URL with credentials, and its message would print them back.
  if (parsed!.username || parsed!.password) fail(`--url must not hold credentials (${parsed!.protocol}//${parsed!.host} without "user:password@"); the control API's token goes in --control-token`, 2);
  const out = argv.out as string | undefined;
  if (out === '') fail('--out must name a file', 2);
  if (argv.tenant === '') fail('--tenant must name a tenant; leave it out for every tenant', 2);
  const controlPath = argv['control-path'] as string;
  // As the server's --control-path: a path, not a URL or a bare name (which would not parse as a URL below).
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(controlPath)) {
    fail(`--control-path must be the server's control path, starting with "/" (such as /_mock), got ${JSON.stringify(controlPath)}${/^[A-Za-z0-9._~-]/.test(controlPath) ? `; did you mean /${controlPath}?` : ''}`, 2);
  }
  const format = argv.format as ReportFormat;
  const failOn = argv['fail-on'] as FailOn | undefined;
  const tenant = argv.tenant as string | undefined;
  // The same variable as the server's --control-token, so one CI setting serves both.
  const controlToken = (argv['control-token'] as string | undefined) ?? process.env.SCIMULATOR_CONTROL_TOKEN;
  const client = new ScimulatorClient(url, { controlToken, controlPath: controlPath.replace(/\/+$/, '') });
  let model: ConformanceReport;
  try {
    model = await (tenant === undefined ? client : client.tenant(tenant)).conformanceReport();
  } catch (err) {
    const cause = (err as { cause?: Error }).cause; // fetch's "fetch failed" says why in its cause
    let why = err instanceof ScimulatorControlError ? `the control API answered ${err.status}: ${err.message}` : `${(err as Error).message}${cause ? ` (${cause.message})` : ''}`;
    // An answer without the control API's {"error"}: something else is at that address, so say what to change.
    if (err instanceof ScimulatorControlError && /^GET \S+ answered \d+$/.test(err.message)) {
      const asked = `${url.replace(/\/+$/, '')}${controlPath.replace(/\/+$/, '')}${tenant === undefined ? '' : `/tenants/${encodeURIComponent(tenant)}`}/conformance`;
      why = `the control API answered ${err.status}: GET ${asked} answered ${err.status} without a control API error, so no Scimulator control API is there: ${parsed!.pathname.replace(/\/+$/, '') !== ''
        ? `--url is the server's address without a path, such as ${parsed!.origin}, not its SCIM base URL`
        : `is ${controlPath} the server's --control-path?`}`;
    }
    fail(`no conformance report from ${url}: ${why}`, 3);
  }
  if (!Array.isArray(model?.tenants)) fail(`no conformance report from ${url}: the answer is not a Scimulator report (is --control-path right?)`, 3);
  const document = renderReport(model, format);
  const passed = model.tests - model.failures - model.skipped;
  const summary = `${model.failures} failed, ${passed} passed, ${model.skipped} skipped in ${model.tenants.length} tenant${model.tenants.length === 1 ? '' : 's'}`;
  if (out === undefined) {
    process.stdout.write(document);
  } else {
    try {
      await writeFile(out, document);
    } catch (err) {
      fail(`cannot write the report to ${out}: ${(err as Error).message}`, 4);
    }
    process.stdout.write(`Wrote ${out}: ${summary}\n`);
  }
  if (model.tests > 0 && model.skipped === model.tests) process.stderr.write('scimulator: warning: the server records no requests (--no-journal), so nothing was checked\n');
  if (failOn) {
    const failing = failingChecks(model, failOn);
    if (failing.length > 0) {
      const list = failing.map((c) => `${c.code} (tenant ${c.tenant}: ${c.count}x, first ${c.first ? `${c.first.method} ${c.first.path} ${c.first.id}` : '?'})`);
      process.stderr.write(oneLine(`scimulator: --fail-on ${failOn}: ${failing.length} check${failing.length === 1 ? '' : 's'} failed: ${list.join('; ')}`) + '\n');
      process.exit(1);
    }
  }
}

/**
 * `scimulator serve ...` runs as the default command: yargs renders the whole help text up front for a command
 * named explicitly (about 100 ms of start-up that a server does not need). Help and odd command lines keep the
 * command name, so yargs treats them exactly as before.
 */
function argsOf(argv: string[]): string[] {
  const plain = argv[0] === 'serve' && !['serve', 'seed', 'report'].includes(argv[1] ?? '') && !argv.some((a) => a === '--help' || a === '-h');
  return plain ? argv.slice(1) : argv;
}

const ENV_PREFIX = 'SCIMULATOR_';
/** SCIMULATOR_SEED_FILE -> seed-file, and back. */
const flagOfEnv = (name: string) => name.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '-');
const envOfFlag = (flag: string) => `${ENV_PREFIX}${flag.toUpperCase().replace(/-/g, '_')}`;

/**
 * SCIMULATOR_<FLAG> variables that name no option of the command: said on stderr and ignored. A CI job or a
 * container often carries variables of that prefix meant for something else (SCIMULATOR_URL for the client under
 * test, a serve flag when running `seed`), and yargs' strict parsing would otherwise stop with "Unknown argument".
 * Called at the end of a command's builder: yargs reads the environment after it.
 *
 * SCIMULATOR_NO_<FLAG> of a boolean flag is its --no-<flag> form: true or 1 turns the flag off, false or 0 on (it
 * becomes SCIMULATOR_<FLAG>, which yargs reads). Any other value, or SCIMULATOR_<FLAG> set as well, is bad usage.
 */
function ignoreForeignEnv<T>(y: Argv<T>, command: string): Argv<T> {
  const options = optionsOf(y);
  const known = new Set(Object.keys(options.key));
  const booleans = new Set(options.boolean.filter((key) => key !== 'help' && key !== 'version'));
  for (const name of Object.keys(process.env)) {
    if (!name.startsWith(ENV_PREFIX) || name.length === ENV_PREFIX.length) continue;
    const flag = flagOfEnv(name);
    if (known.has(flag)) continue;
    const negated = flag.startsWith('no-') ? flag.slice(3) : '';
    if (booleans.has(negated)) {
      const given = process.env[name]!;
      const on = /^(false|0)$/i.test(given.trim()) ? 'true' : /^(true|1)$/i.test(given.trim()) ? 'false' : undefined;
      if (on === undefined) fail(`${name} must be true or 1 (meaning --no-${negated}) or false or 0 (meaning --${negated}), got ${JSON.stringify(given)}`, 2);
      const positive = envOfFlag(negated);
      if (process.env[positive] !== undefined) fail(`${name} and ${positive} are both set; they are the same flag (--${negated}), so set one of them`, 2);
      process.env[positive] = on;
      delete process.env[name];
      continue;
    }
    process.stderr.write(`scimulator: ignoring ${name}: \`${command}\` has no --${flag} option\n`);
    delete process.env[name];
  }
  return checkArgs(y);
}

type YargsOptions = { key: Record<string, unknown>; boolean: string[]; number: string[] };
/** yargs' own getOptions() (not in its type declarations): the options defined so far, by name. */
const optionsOf = <T>(y: Argv<T>): YargsOptions => (y as unknown as { getOptions(): YargsOptions }).getOptions();

/**
 * What yargs would read wrongly from the command line and the environment, as bad usage naming the flag. Called at
 * the end of a command's builder (the command's options are known then, and yargs reads the arguments after it):
 * - a number flag without a value: yargs reads `--port ''`, `--port=` and an empty `SCIMULATOR_PORT=` (a CI variable
 *   declared but not set) as 0, and `--users` with no value after it as not given, so the server would pick a random
 *   port or generate no users (or 50) without a word;
 * - a flag given twice: yargs collects the values in an array that no option takes (`--token a --token b` served a
 *   token nobody could send, `--out a --out b` failed inside node), or keeps the last one when the first is 0.
 */
function checkArgs<T>(y: Argv<T>): Argv<T> {
  const options = optionsOf(y);
  const numbers = new Set(options.number);
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value.trim() !== '') continue;
    const flag = flagOfEnv(name);
    if (numbers.has(flag)) fail(`${name} is empty: --${flag} needs a number (unset the variable for the default)`, 2);
  }
  const known = new Set(Object.keys(options.key));
  const booleans = new Set(options.boolean);
  const given = new Map<string, string[]>();
  const args = hideBin(process.argv);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    const match = /^--([A-Za-z][\w-]*)(=[\s\S]*)?$/.exec(arg);
    if (!match) continue;
    const flag = match[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (!known.has(flag) || booleans.has(flag)) continue;
    let value: string | undefined = match[2] !== undefined ? match[2].slice(1) : args[i + 1];
    if (match[2] === undefined && value !== undefined && value.startsWith('--')) value = undefined;
    if (numbers.has(flag)) {
      if (value === undefined) fail(`--${flag} needs a number after it`, 2);
      if (value.trim() === '') fail(`--${flag} needs a number, got an empty value`, 2);
    }
    given.set(flag, [...(given.get(flag) ?? []), value ?? '']);
  }
  for (const [flag, values] of given) {
    if (values.length > 1) fail(`--${flag} is given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}); give it once`, 2);
  }
  return y;
}

const parser = yargs(argsOf(hideBin(process.argv)))
  .scriptName('scimulator')
  .env('SCIMULATOR')
  .strict()
  .version(VERSION)
  .help()
  .command(
    ['serve', '$0'],
    'Start the SCIM 2.0 service',
    (y) =>
      ignoreForeignEnv(y
        .option('port', { type: 'number', default: DEFAULT_OPTIONS.port, describe: 'TCP port (0 picks a free one)' })
        .option('host', { type: 'string', default: DEFAULT_OPTIONS.host, describe: 'Address to bind' })
        .option('base-path', { type: 'string', default: DEFAULT_OPTIONS.basePath, describe: 'SCIM base path' })
        .option('auth', { choices: AUTH_MODES, default: DEFAULT_OPTIONS.auth, describe: 'Authentication scheme (oauth: OAuth 2.0 client credentials tokens from /oauth/token)' })
        .option('token', { type: 'string', default: DEFAULT_OPTIONS.token, describe: 'Bearer token (auth bearer)' })
        .option('basic-user', { type: 'string', describe: 'User name (auth basic)' })
        .option('basic-password', { type: 'string', describe: 'Password (auth basic)' })
        .option('client-id', { type: 'string', default: DEFAULT_OPTIONS.clientId, describe: 'OAuth 2.0 client_id (auth oauth)' })
        .option('client-secret', { type: 'string', default: DEFAULT_OPTIONS.clientSecret, describe: 'OAuth 2.0 client_secret (auth oauth)' })
        .option('token-lifetime', { type: 'number', default: DEFAULT_OPTIONS.tokenLifetime, describe: 'Seconds an OAuth 2.0 access token lives, on the tenant clock (auth oauth)' })
        .option('data', { type: 'string', describe: 'JSON data file: loaded at start, saved after writes' })
        .option('data-sync', { type: 'boolean', default: DEFAULT_OPTIONS.dataSync, describe: 'Make every write durable (fsync) before its response is sent' })
        .option('save-delay', { type: 'number', default: DEFAULT_OPTIONS.saveDelayMs, describe: 'ms writes are coalesced before the data file is saved (what a crash may lose without --data-sync)' })
        .option('max-body', { type: 'number', default: DEFAULT_OPTIONS.maxBody, describe: 'Maximum request body in bytes' })
        .option('max-json-depth', { type: 'number', default: DEFAULT_OPTIONS.maxJsonDepth, describe: 'Deepest nesting of objects and arrays in a request body' })
        .option('max-query-params', { type: 'number', default: DEFAULT_OPTIONS.maxQueryParams, describe: 'Most query parameters per request' })
        .option('max-url-length', { type: 'number', default: DEFAULT_OPTIONS.maxUrlLength, describe: 'Longest request URL in bytes (414 above)' })
        .option('max-header-size', { type: 'number', default: DEFAULT_OPTIONS.maxHeaderSize, describe: 'Largest request line plus headers in bytes (431 above)' })
        .option('headers-timeout', { type: 'number', default: DEFAULT_OPTIONS.headersTimeout, describe: 'ms a client has to send the request headers' })
        .option('request-timeout', { type: 'number', default: DEFAULT_OPTIONS.requestTimeout, describe: 'ms a client has to send the whole request' })
        .option('keep-alive-timeout', { type: 'number', default: DEFAULT_OPTIONS.keepAliveTimeout, describe: 'ms an idle keep-alive connection stays open between requests' })
        .option('shutdown-grace', { type: 'number', default: DEFAULT_OPTIONS.shutdownGraceMs, describe: 'ms in-flight requests get to finish on SIGTERM/SIGINT' })
        .option('stop-with-parent', { type: 'boolean', describe: 'Stop (as on SIGTERM) when the process that started the server ends (default: on when run by npm/npx)' })
        .option('cors', { type: 'string', describe: 'Allow browser calls from these origins (comma-separated, or "*"); CORS is off without it' })
        .option('profile', { choices: ['lenient', 'rfc', 'entra', 'okta'], default: DEFAULT_OPTIONS.profile, describe: 'IdP profile: which client quirks are tolerated' })
        .option('default-page-size', { type: 'number', default: DEFAULT_OPTIONS.defaultPageSize, describe: 'Page size of a list without count' })
        .option('max-page-size', { type: 'number', default: DEFAULT_OPTIONS.maxPageSize, describe: 'Largest page a list returns' })
        .option('cursor-timeout', { type: 'number', default: DEFAULT_OPTIONS.cursorTimeout, describe: 'Seconds an idle pagination cursor stays valid' })
        .option('warnings-header', { type: 'boolean', default: DEFAULT_OPTIONS.warningsHeader, describe: 'Return conformance warnings in a Scimulator-Warning header' })
        .option('control', { type: 'boolean', default: true, describe: 'Serve the control API (--no-control turns it off)' })
        .option('control-path', { type: 'string', default: DEFAULT_OPTIONS.controlPath, describe: 'Path of the control API' })
        .option('control-token', { type: 'string', describe: 'Bearer token the control API requires (none: open)' })
        .option('journal', { type: 'boolean', default: true, describe: 'Record requests in the journal (--no-journal turns it off)' })
        .option('journal-capacity', { type: 'number', default: DEFAULT_OPTIONS.journalCapacity, describe: 'Journal entries kept per tenant' })
        .option('journal-max-bytes', { type: 'number', default: DEFAULT_OPTIONS.journalMaxBytes, describe: 'Journal bytes kept per tenant (oldest entries evicted beyond)' })
        .option('journal-file', { type: 'string', describe: 'Also append every journal entry to this NDJSON file' })
        .option('latency', { type: 'string', describe: 'Delay every request: "200" ms or "100-800" (uniform)' })
        .option('fail-rate', { type: 'string', describe: 'Fail a share of requests: "0.1:503"' })
        .option('rate-limit', { type: 'string', describe: 'Token bucket: "10/s", "600/min"' })
        .option('max-patch-operations', { type: 'number', default: DEFAULT_OPTIONS.maxPatchOperations, describe: 'Most operations one PATCH request may carry' })
        .option('bulk-max-operations', { type: 'number', default: DEFAULT_OPTIONS.bulkMaxOperations, describe: 'Most operations in one POST /Bulk' })
        .option('bulk-max-payload', { type: 'number', describe: `Largest POST /Bulk body in bytes (default ${DEFAULT_OPTIONS.bulkMaxPayload}, at most --max-body)` })
        .option('advertise-pagination', { type: 'boolean', default: DEFAULT_OPTIONS.advertisePagination, describe: 'Advertise RFC 9865 "pagination" in ServiceProviderConfig (cursor requests work either way)' })
        .option('persona', { choices: [...PERSONA_NAMES], describe: `Behave like a documented SCIM target: ${PERSONAS.map((p) => `${p.name} (${p.title})`).join(', ')}` })
        .option('member-policy', { choices: ['accept', 'reject', 'notFound', 'drop'], default: DEFAULT_OPTIONS.memberPolicy, describe: 'Group members naming no User or Group: store (accept), 400 (reject), 404 (notFound) or discard (drop)' })
        .option('group-display-name-unique', { type: 'boolean', default: DEFAULT_OPTIONS.groupDisplayNameUnique, describe: 'A Group displayName another Group has is 409 uniqueness (off: groups may share one, as RFC 7643 allows)' })
        .option('heap-growth', { type: 'number', default: DEFAULT_HEAP_GROWTH_PERCENT, describe: 'Per cent the heap may grow over the live data between full garbage collections (0: V8\'s own, faster and up to 4x the memory)' })
        .option('seed', { type: 'number', describe: 'Generate a directory with this seed (default 1); also seeds the ids of created resources' })
        .option('users', { type: 'number', describe: 'Generate this many users (default 50 when generating)' })
        .option('groups', { type: 'number', describe: 'Generate this many groups (default 8 when generating)' })
        .option('seed-file', { type: 'string', describe: 'Scenario file to seed from (seeds/*.json); --seed/--users/--groups override its generate block' }), 'serve'),
    (argv) => serve(argv as Record<string, unknown>),
  )
  .command(
    'seed',
    'Write a seeded directory as a snapshot document (serve it with --data), without serving',
    (y) =>
      ignoreForeignEnv(y
        .option('seed', { type: 'number', describe: 'Generator seed (default 1)' })
        .option('users', { type: 'number', describe: 'Users to generate (default 50)' })
        .option('groups', { type: 'number', describe: 'Groups to generate (default 8)' })
        .option('seed-file', { type: 'string', describe: 'Scenario file (seeds/*.json); --seed/--users/--groups override its generate block' })
        .option('out', { type: 'string', nargs: 1, demandOption: true, describe: 'Output file ("-" for standard output)' }), 'seed'),
    (argv) => seed(argv as Record<string, unknown>),
  )
  .command(
    'report',
    'Fetch the conformance report of a running server; exit 1 when --fail-on is met (2 bad usage, 3 no report, 4 not written)',
    (y) =>
      checkArgs(y
        .env(false)
        .option('url', { type: 'string', demandOption: true, describe: 'The server, e.g. http://127.0.0.1:8080' })
        .option('tenant', { type: 'string', describe: 'Only this tenant (default: every tenant)' })
        .option('control-token', { type: 'string', describe: 'Bearer token of the control API (default: $SCIMULATOR_CONTROL_TOKEN)' })
        .option('control-path', { type: 'string', default: DEFAULT_OPTIONS.controlPath, describe: 'Path of the control API' })
        .option('format', { choices: REPORT_FORMATS, default: 'text' as ReportFormat, describe: 'junit (XML for CI), json or text' })
        .option('fail-on', { choices: FAIL_ON_LEVELS, describe: 'Exit 1 when a client triggered any warning, or any RFC deviation' })
        .option('out', { type: 'string', nargs: 1, describe: 'Write the report to this file (default: standard output)' })),
    (argv) => report(argv as Record<string, unknown>),
  )
  .fail((message, err) => {
    fail((message || err?.message || 'invalid usage').replace(/\s*\n\s*/g, ' '), 2);
  });

await parser.parseAsync();
