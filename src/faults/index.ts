export * from './types.js';
export { FaultRuleError, validateFaultRule, globToRegExp, pathMatchesGlob, parseBodyPath, selectBodyValues } from './rules.js';
export type { ValidatedFaultRule, RequestPredicate } from './rules.js';
export { FaultRegistry, type FaultRegistryOptions } from './registry.js';
export { faultMiddleware, buildFaultRequestInfo, type FaultTargetResolver } from './middleware.js';
export { faultsControlRouter } from './control.js';
export { SCIM_CONTENT_TYPE } from './responses.js';
export {
  parseLatencyShorthand,
  parseFailRateShorthand,
  parseRateLimitShorthand,
  shorthandRules,
  type FaultShorthands,
} from './shorthands.js';
