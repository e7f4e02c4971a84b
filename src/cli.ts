#!/usr/bin/env node
/** The `scimulator` command: parse flags, call the library, print, exit codes (2 = bad usage, 1 = failure). */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_OPTIONS, type AuthMode, type ScimulatorOptions } from './config.js';
import { startServer } from './server.js';
import { DataFileError } from './store/persist.js';

import { VERSION } from './version.js';

function fail(message: string, code: number): never {
  process.stderr.write(`scimulator: ${message}\n`);
  process.exit(code);
}

async function serve(argv: Record<string, unknown>): Promise<void> {
  const options: Partial<ScimulatorOptions> = {
    port: argv.port as number,
    host: argv.host as string,
    basePath: argv['base-path'] as string,
    auth: argv.auth as AuthMode,
    token: argv.token as string,
    basicUser: argv['basic-user'] as string | undefined,
    basicPassword: argv['basic-password'] as string | undefined,
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
    journalFile: argv['journal-file'] as string | undefined,
    latency: argv.latency as string | undefined,
    failRate: argv['fail-rate'] as string | undefined,
    rateLimit: argv['rate-limit'] as string | undefined,
  };
  let running;
  try {
    running = await startServer(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(`port ${options.port} on ${options.host} is already in use; pick another with --port (0 picks a free one)`, 1);
    if (err instanceof DataFileError) fail(err.message, 1);
    if (e.code === undefined && err instanceof Error && !(err instanceof DataFileError)) fail(err.message, 2);
    fail(e.message, 1);
  }
  const { options: o } = running.runtime;
  const lines = [`Scimulator ${VERSION} listening`, `  SCIM base URL: ${running.baseUrl}`];
  if (o.auth === 'bearer') lines.push(`  Bearer token:  ${o.token}`);
  else if (o.auth === 'basic') lines.push(`  Basic auth:    ${o.basicUser} / ${o.basicPassword}`);
  else lines.push('  Auth:          none (every request is accepted)');
  if (o.auth === 'none' && !['127.0.0.1', 'localhost', '::1'].includes(o.host)) {
    process.stderr.write(`scimulator: warning: --auth none on ${o.host} lets anyone who can reach this address read and change the directory\n`);
  }
  if (o.data) lines.push(`  Data file:     ${o.data}`);
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: leave at once
    stopping = true;
    process.stdout.write(`Received ${signal}, finishing in-flight requests\n`);
    running.close().then(
      () => process.exit(0),
      (err) => fail(`error while stopping: ${(err as Error).message}`, 1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const parser = yargs(hideBin(process.argv))
  .scriptName('scimulator')
  .env('SCIMULATOR')
  .strict()
  .version(VERSION)
  .help()
  .command(
    ['serve', '$0'],
    'Start the SCIM 2.0 service',
    (y) =>
      y
        .option('port', { type: 'number', default: DEFAULT_OPTIONS.port, describe: 'TCP port (0 picks a free one)' })
        .option('host', { type: 'string', default: DEFAULT_OPTIONS.host, describe: 'Address to bind' })
        .option('base-path', { type: 'string', default: DEFAULT_OPTIONS.basePath, describe: 'SCIM base path' })
        .option('auth', { choices: ['bearer', 'basic', 'none'], default: DEFAULT_OPTIONS.auth, describe: 'Authentication scheme' })
        .option('token', { type: 'string', default: DEFAULT_OPTIONS.token, describe: 'Bearer token (auth bearer)' })
        .option('basic-user', { type: 'string', describe: 'User name (auth basic)' })
        .option('basic-password', { type: 'string', describe: 'Password (auth basic)' })
        .option('data', { type: 'string', describe: 'JSON data file: loaded at start, saved after writes' })
        .option('max-body', { type: 'number', default: DEFAULT_OPTIONS.maxBody, describe: 'Maximum request body in bytes' })
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
        .option('journal-file', { type: 'string', describe: 'Also append every journal entry to this NDJSON file' })
        .option('latency', { type: 'string', describe: 'Delay every request: "200" ms or "100-800" (uniform)' })
        .option('fail-rate', { type: 'string', describe: 'Fail a share of requests: "0.1:503"' })
        .option('rate-limit', { type: 'string', describe: 'Token bucket: "10/s", "600/min"' }),
    (argv) => serve(argv as Record<string, unknown>),
  )
  .fail((message, err) => {
    fail((message || err?.message || 'invalid usage').replace(/\s*\n\s*/g, ' '), 2);
  });

await parser.parseAsync();
