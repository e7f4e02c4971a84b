/** The embedding API of Scimulator. */
export { createApp, runtimeOf } from './http/app.js';
export { startServer, type RunningServer } from './server.js';
export { DEFAULT_TOKEN, DEFAULT_OPTIONS, type ScimulatorOptions, type AuthMode } from './config.js';
export { Scimulator } from './runtime.js';
export { ScimError } from './scim/errors.js';
