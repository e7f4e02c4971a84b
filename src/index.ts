/**
 * The embedding API of Scimulator. Its declarations reference only this package's own files and Node's built-in
 * modules (@types/node): express's types are not a dependency of the package, so createApp is typed here as
 * the Node request handler it returns (a test checks that an installed copy type-checks with skipLibCheck off).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { StartOptions } from './config.js';
import { createApp as createExpressApp, runtimeOf as expressRuntimeOf } from './http/app.js';
import type { Scimulator } from './runtime.js';

export { startScimulator, ScimulatorHandle } from './embed.js';
export {
  ScimulatorClient,
  TenantControl,
  ScimulatorControlError,
  type TenantInfo,
  type TenantSpecInput,
  type ClientOptions,
  type TenantConfigPatch,
  type OAuthInfo,
} from './client.js';
export { startServer, type RunningServer } from './server.js';
export { DEFAULT_TOKEN, DEFAULT_CLIENT_SECRET, DEFAULT_OPTIONS, type ScimulatorOptions, type ScimulatorFlagOptions, type StartOptions, type SeedingOptions, type AuthMode } from './config.js';
export { Scimulator } from './runtime.js';
export { ScimError } from './scim/errors.js';
export type { FaultRule, FaultRuleInput, FaultAction, FaultMatch, FaultRuleState, BulkOperationMatch } from './faults/types.js';
export type { JournalEntry, JournalQuery, ConformanceSummary, CommittedEntry } from './journal/journal.js';
export type { ConformanceReport, TenantConformanceReport, ConformanceCheck, ConformanceCheckStatus, FailOn, ReportFormat } from './journal/report.js';
export { CONFORMANCE_CODES, type ConformanceCode } from './conformance-codes.js';
export type { SnapshotDocument } from './store/snapshot.js';
export type { TenantConfig, TenantAuth } from './tenant.js';
export type { BehaviourFinding } from './request-context.js';
export type { BehaviourReport, ClientReport, RecordedFinding, BehaviourCodeSummary } from './behaviour/analyser.js';
export { BEHAVIOUR_CODES, BEHAVIOUR_CODE_INFO, type BehaviourCode, type BehaviourConfig } from './behaviour/codes.js';

/**
 * The app createApp returns: an express application, typed as what it is to Node. Hand it to supertest
 * (`request(app)`), to `http.createServer(app)`, call `app.listen(port)`, or mount it in your own express app.
 */
export interface ScimulatorApp {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  listen(port: number, callback?: () => void): Server;
  listen(port: number, hostname: string, callback?: () => void): Server;
}

/** Builds the app for one Scimulator (its options, or a running instance) without listening: for supertest. */
export const createApp: (options?: StartOptions | Scimulator) => ScimulatorApp = (options) => createExpressApp(options);

/** The instance behind an app made by createApp. */
export const runtimeOf = (app: ScimulatorApp): Scimulator => expressRuntimeOf(app as Parameters<typeof expressRuntimeOf>[0]);
