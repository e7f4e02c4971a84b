/**
 * Every code the conformance report knows, in one list: what GET /_mock/conformance?format=junit turns into one test
 * case each (passed where no request triggered it, so a report also shows what was checked).
 *
 * Sources, each declared where its codes are produced:
 * - the IdP quirks of the profile layer (src/profiles/quirks.ts, stable API);
 * - the notes of the SCIM core on requests it accepts (PATCH, filters, SearchRequest), listed below;
 * - the behaviour analyser's findings (src/behaviour/codes.ts), judged across requests.
 * A test checks that every code the sources emit is listed here. A code seen in the journal that is not listed
 * still fails the report (as "unlisted"), so nothing a client triggered is hidden.
 */
import { BEHAVIOUR_CODE_INFO, BEHAVIOUR_CODES } from './behaviour/codes.js';
import { QUIRKS } from './profiles/quirks.js';

export interface ConformanceCode {
  code: string;
  /**
   * deviation: the request breaks a MUST of the RFC (a strict profile answers 400), or, for a behaviour finding,
   * the client's conduct across requests ignores what the service told it or loses data;
   * informational: legal or tolerated by every profile, but worth knowing.
   */
  kind: 'deviation' | 'informational';
  /** A behaviour finding: journal entries carry it in `findings` (findingCode), not in `warnings`. */
  finding?: true;
  /** The section warnings carry by default: "RFC 7644 3.5.2". */
  rfc: string;
  /** What the check looks for in a client's requests. */
  checks: string;
}

/** Notes of the SCIM core (src/scim): accepted under every profile, so informational. */
export const CORE_WARNING_CODES: readonly ConformanceCode[] = [
  {
    code: 'patch-unknown-attribute',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2',
    checks: 'a path-less PATCH value names an attribute (or sub-attribute) the resource type does not define; it is ignored',
  },
  {
    code: 'patch-filter-key',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2',
    checks: 'a path-less PATCH value uses a path with a value filter as a key ("emails[type eq \\"work\\"].value"); it is applied as a path',
  },
  {
    code: 'patch-readonly-ignored',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2',
    checks: 'a PATCH sends a readOnly attribute with its current value, which changes nothing',
  },
  {
    code: 'ref-ignored',
    kind: 'informational',
    rfc: 'RFC 7643 2.3.7',
    checks: 'a Group member\'s or the enterprise manager\'s "$ref" names another resource than its "value"; the service answers with the URI of the resource the value names',
  },
  {
    code: 'manager-value-derived',
    kind: 'informational',
    rfc: 'RFC 7643 4.3',
    checks: 'the enterprise manager is sent with "$ref" alone (legal: "value" and "$ref" are both RECOMMENDED); the service derives "value", the id of the User the "$ref" names, so "manager.value" reads and filters find it',
  },
  {
    code: 'patch-add-created-value',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2.1',
    checks: '"add" with a value-filter path that matched nothing, so a new value was created (RFC 7644 does not define add with a filter)',
  },
  {
    code: 'filter-undefined-attribute',
    kind: 'informational',
    rfc: 'RFC 7644 3.4.2.1',
    checks: 'a filter names an attribute the resource type does not define (treated as having no value)',
  },
  {
    code: 'member-unknown',
    kind: 'informational',
    rfc: 'RFC 7643 4.2',
    checks: 'a Group member names no User or Group; the member policy "accept" stores it as sent (src/profiles/README.md)',
  },
  {
    code: 'member-dropped',
    kind: 'informational',
    rfc: 'RFC 7643 4.2',
    checks: 'a Group member names no User or Group; the member policy "drop" discarded it',
  },
  {
    code: 'search-unknown-field',
    kind: 'informational',
    rfc: 'RFC 7644 3.4.3',
    checks: 'a SearchRequest carries a field RFC 7644 3.4.3 and RFC 9865 do not define; it is ignored',
  },
];

const quirkCodes: readonly ConformanceCode[] = QUIRKS.map((q) => ({ code: q.code, kind: q.kind, rfc: q.rfc, checks: q.sent }));

const behaviourCodes: readonly ConformanceCode[] = BEHAVIOUR_CODES.map((code) => {
  const info = BEHAVIOUR_CODE_INFO[code];
  return { code, kind: info.informational ? 'informational' : 'deviation', rfc: info.rfc, checks: info.title, finding: true };
});

/** The known codes, in report order: the IdP quirks, the core's notes, then the behaviour findings. */
export const CONFORMANCE_CODES: readonly ConformanceCode[] = [...quirkCodes, ...CORE_WARNING_CODES, ...behaviourCodes];
