/** IdP profiles and the client conformance linter. */
export { QUIRKS, QUIRK_BY_CODE, DEVIATION_CODES, rfcSection, type QuirkCode, type QuirkInfo, type QuirkKind } from './quirks.js';
export { PROFILES, isTolerated, applyProfileDefaults, type ProfileDef } from './profiles.js';
export {
  normaliseRequest,
  findingRfc,
  Findings,
  MAX_FINDINGS_PER_CODE,
  PATCH_OP_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  BULK_REQUEST_SCHEMA,
  type Finding,
  type Normalised,
  type RequestShape,
} from './normalise.js';
export {
  profileMiddleware,
  formatWarningHeader,
  warningHeaderValues,
  rejection,
  toWarning,
  WARNING_HEADER,
  MAX_WARNING_HEADERS,
  MAX_WARNING_HEADER_CHARS,
  type ProfileResolver,
  type ProfileTenant,
} from './middleware.js';
