/** The embedding API of Scimulator. */
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
export { createApp, runtimeOf } from './http/app.js';
export { startServer, type RunningServer } from './server.js';
export { DEFAULT_TOKEN, DEFAULT_CLIENT_SECRET, DEFAULT_OPTIONS, type ScimulatorOptions, type AuthMode } from './config.js';
export { Scimulator } from './runtime.js';
export { ScimError } from './scim/errors.js';
export type { FaultRule, FaultRuleInput, FaultAction, FaultMatch, FaultRuleState, BulkOperationMatch } from './faults/types.js';
export type { JournalEntry, JournalQuery, ConformanceSummary, CommittedEntry } from './journal/journal.js';
export type { SnapshotDocument } from './store/snapshot.js';
export type { TenantConfig, TenantAuth } from './tenant.js';
