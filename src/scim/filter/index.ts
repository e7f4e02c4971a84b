/** The SCIM filter language (RFC 7644 section 3.4.2.2): parse, compile against a schema, plan index lookups. */
export type {
  AttributePath,
  ComparisonNode,
  ComparisonOperator,
  FilterLiteral,
  FilterNode,
  FilterWarning,
  LogicalNode,
  NotNode,
  PatchPath,
  PresentNode,
  ValuePathNode,
} from './ast.js';
export { formatAttributePath, formatFilter } from './ast.js';
export {
  DEFAULT_MAX_FILTER_DEPTH,
  DEFAULT_MAX_FILTER_LENGTH,
  nodePosition,
  parseFilter,
  parsePatchPath,
  type ParseOptions,
} from './parser.js';
export { compileFilter, type CompileOptions, type ResourcePredicate } from './evaluate.js';
export { planFilter, type IndexPlan } from './plan.js';
export { keepBounded, parseFilterCached } from './cache.js';
