/** The embedding API of Scimulator. */
export { startScimulator, ScimulatorHandle } from './embed.js';
export { ScimulatorClient, TenantControl, ScimulatorControlError, type TenantInfo, type TenantSpecInput, type ClientOptions } from './client.js';
export { createApp, runtimeOf } from './http/app.js';
export { startServer, type RunningServer } from './server.js';
export { DEFAULT_TOKEN, DEFAULT_OPTIONS, type ScimulatorOptions, type AuthMode } from './config.js';
export { Scimulator } from './runtime.js';
export { ScimError } from './scim/errors.js';
export type { FaultRule, FaultRuleInput, FaultAction, FaultMatch } from './faults/types.js';
export type { JournalEntry, JournalQuery, ConformanceSummary } from './journal/journal.js';
export type { SnapshotDocument } from './store/snapshot.js';
export type { TenantConfig } from './tenant.js';
export type { BehaviourFinding } from './request-context.js';
export type { BehaviourReport, ClientReport, RecordedFinding, BehaviourCodeSummary } from './behaviour/analyser.js';
export { BEHAVIOUR_CODES, BEHAVIOUR_CODE_INFO, type BehaviourCode, type BehaviourConfig } from './behaviour/codes.js';
