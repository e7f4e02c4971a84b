/**
 * The client quirks Scimulator recognises, as data: the codes are stable API (they appear in the journal, in
 * GET /_mock/conformance and in Scimulator-Warning headers), and the README table is generated from this list.
 *
 * Two kinds:
 * - "deviation": the request breaks a MUST of the RFC. Profiles that tolerate the code rewrite the request into
 *   RFC shape; the others answer 400 with `scimType` and a detail that names the RFC section.
 * - "informational": the request is legal (the RFC allows it, or says SHOULD), but a connector developer will want
 *   to know. Always accepted, under every profile, and normalised where that is harmless.
 */
import type { ScimType } from '../scim/errors.js';

export type QuirkKind = 'deviation' | 'informational';

export interface QuirkInfo {
  code: string;
  kind: QuirkKind;
  /** The RFC section the quirk concerns, as warnings carry it: "RFC 7644 3.5.2". */
  rfc: string;
  /** scimType of the 400 when a profile does not tolerate the deviation (informational quirks are never 400). */
  scimType?: ScimType;
  /** What the client sends. */
  sent: string;
  /** What Scimulator does when the profile tolerates it. */
  rewrite: string;
}

export const QUIRKS = [
  {
    code: 'op-case',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2',
    scimType: 'invalidSyntax',
    sent: 'PATCH op in another letter case: "Replace", "Add", "Remove" (Entra ID)',
    rewrite: 'op in lower case',
  },
  {
    code: 'boolean-string',
    kind: 'deviation',
    rfc: 'RFC 7643 2.3.2',
    scimType: 'invalidValue',
    sent: '"True", "False", "true", "false" as JSON strings where the schema says boolean (active, emails.primary, ...)',
    rewrite: 'JSON true / false (schema-aware: only attributes of type boolean)',
  },
  {
    code: 'number-string',
    kind: 'deviation',
    rfc: 'RFC 7643 2.3.4',
    scimType: 'invalidValue',
    sent: 'a number as a JSON string ("42") where the schema says integer or decimal',
    rewrite: 'a JSON number',
  },
  {
    code: 'complex-as-string',
    kind: 'deviation',
    rfc: 'RFC 7643 2.3.8',
    scimType: 'invalidValue',
    sent: 'a string where the schema has a complex attribute with a "value" sub-attribute, e.g. Entra ID\'s enterprise manager: "manager": "<id>"',
    rewrite: '{"value": "<id>"}',
  },
  {
    code: 'complex-empty',
    kind: 'deviation',
    rfc: 'RFC 7643 4.3',
    scimType: 'invalidValue',
    sent: 'an empty string, or {"value": ""} (beside it only sub-attributes that add nothing: "$ref": null as Entra ID sends it, another "", a readOnly "displayName"), for a single-valued complex attribute with a "value" sub-attribute, to clear it: Entra ID\'s {"op":"Replace","path":"urn:...:enterprise:2.0:User:manager","value":""}; the same under a path-less add or replace (the URN key "urn:...:User:manager", or {"urn:...:User": {"manager": ""}}, as Entra ID sends with aadOptscim062020), a replace of "manager.value" with "", and "manager": "" in a POST or PUT body; manager.value is the id of a User, and "" names none',
    rewrite: 'PATCH: a remove of the attribute, {"op":"remove","path":"urn:...:enterprise:2.0:User:manager"} (RFC 7644 3.5.2.2), after the rest of the value; POST / PUT: the attribute left out (absent; a PUT removes it)',
  },
  {
    code: 'remove-with-value',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2.2',
    scimType: 'invalidSyntax',
    sent: 'Entra ID\'s {"op":"Remove","path":"members","value":[{"value":"<id>"}]}: a remove of a whole multi-valued attribute that carries the values to remove (an RFC server would remove every member)',
    rewrite: 'one remove per value with a value filter: {"op":"remove","path":"members[value eq \\"<id>\\"]"}',
  },
  {
    code: 'dotted-keys',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2.3',
    scimType: 'invalidValue',
    sent: 'attribute paths as keys of a value object: "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" (Entra ID with aadOptscim062020); an extension URN key whose value is an object is legal and not reported',
    rewrite: 'nested objects: {"name": {"givenName": ...}}, {"urn:...:enterprise:2.0:User": {"employeeNumber": ...}}',
  },
  {
    code: 'missing-schemas',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2',
    scimType: 'invalidSyntax',
    sent: 'a PatchOp, SearchRequest or BulkRequest without "schemas" (absent, null, [], or the URN as a bare string); other URNs without the message URN are left for the routes to reject',
    rewrite: '"schemas": [the message URN]',
  },
  {
    code: 'extra-schema-urn',
    kind: 'deviation',
    rfc: 'RFC 7643 3',
    scimType: 'invalidValue',
    sent: 'a "schemas" URN that is not a schema of the resource type (Entra ID\'s "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"), or extra URNs beside a message URN',
    rewrite: 'the unknown URNs removed',
  },
  {
    code: 'filter-unquoted',
    kind: 'deviation',
    rfc: 'RFC 7644 3.4.2.2',
    scimType: 'invalidFilter',
    sent: 'string values without quotes in a filter or PATCH path filter: userName eq bjensen',
    rewrite: 'the filter re-serialised with JSON strings: userName eq "bjensen"',
  },
  {
    code: 'empty-operations',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2',
    scimType: 'invalidSyntax',
    sent: 'a PatchOp whose "Operations" is an empty array (Microsoft\'s SCIM validator)',
    rewrite: 'passed on: the PATCH returns the unchanged resource',
  },
  {
    code: 'patch-readonly',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2',
    scimType: 'mutability',
    sent: 'a path-less PATCH value that repeats the resource\'s own "id" (Okta renames groups with {"id", "displayName"})',
    rewrite: '"id" dropped from the value (an "id" that differs from the URL is left for the PATCH engine to reject)',
  },
  {
    code: 'filter-on-single-valued',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2',
    scimType: 'invalidPath',
    sent: 'a value filter on a single-valued complex attribute in the path of a PATCH remove: {"op":"Remove","path":"urn:...:enterprise:2.0:User:manager[value eq \\"<id>\\"]"} (Entra ID); value filters select values of multi-valued attributes. In an add or replace the filter is a condition on the stored value: 400 under every profile, the detail saying what to send',
    rewrite: 'the filter dropped: the operation applies to the attribute\'s one value (whether or not the filter would match it); removes only',
  },
  {
    code: 'member-bare-string',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2.1',
    scimType: 'invalidValue',
    sent: 'a bare string as the value of an "add" on members: {"op":"add","path":"members","value":"<id>"} (conformance tools)',
    rewrite: 'one member with that id: "value": [{"value": "<id>"}]',
  },
  {
    code: 'attribute-value-filter',
    kind: 'deviation',
    rfc: 'RFC 7644 3.4.2.5',
    scimType: 'invalidValue',
    sent: 'a value filter in "attributes" or "excludedAttributes": attributes=emails[type eq "work"] (Microsoft\'s test collection)',
    rewrite: 'none needed: "attributes" keeps only the matching values, "excludedAttributes" drops them',
  },
  {
    code: 'add-single-valued',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2.1',
    sent: '"add" whose path names a single-valued attribute that is not complex (Entra ID uses Add and Replace interchangeably); an add to a complex one such as "name" merges sub-attributes and is not noted',
    rewrite: 'none needed: the RFC says add replaces a single value',
  },
  {
    code: 'remove-value-ignored',
    kind: 'informational',
    rfc: 'RFC 7644 3.5.2.2',
    sent: 'a "value" on a remove whose path already selects what to remove (a value filter, or a single-valued attribute)',
    rewrite: 'the value dropped, as an RFC server ignores it',
  },
  {
    code: 'ref-null',
    kind: 'informational',
    rfc: 'RFC 7643 2.5',
    sent: '"$ref": null in members and other references (Entra ID); null means unassigned, so it is legal',
    rewrite: 'the null "$ref" dropped',
  },
  {
    code: 'attribute-case',
    kind: 'informational',
    rfc: 'RFC 7643 2.1',
    sent: 'attribute names in another letter case: "UserName", "name.FamilyName", "operations" (Microsoft\'s test collection); names are case-insensitive',
    rewrite: 'message attributes (schemas, Operations, op, path, value) renamed to their canonical spelling; resource attributes left to the case-insensitive core',
  },
  {
    code: 'extension-unqualified',
    kind: 'informational',
    rfc: 'RFC 7644 3.10',
    sent: 'an extension attribute without its schema URN in a PATCH path or filter: {"op":"Remove","path":"manager"} (Entra ID); clients SHOULD qualify extension attributes',
    rewrite: 'none needed: the name is resolved to the one extension attribute of that name (a name a core attribute or a second extension also has is not)',
  },
  {
    code: 'replace-no-target',
    kind: 'deviation',
    rfc: 'RFC 7644 3.5.2.3',
    scimType: 'noTarget',
    sent: 'a PATCH "replace" of a sub-attribute behind a value filter that matches no value: {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"x"} on a user without a work email (Entra ID)',
    rewrite: 'the value added, built from the filter\'s "eq" comparisons, as "add" with the same path does (detected by the PATCH engine, which sees the stored resource)',
  },
  {
    code: 'content-type',
    kind: 'informational',
    rfc: 'RFC 7644 8.1',
    sent: 'a request body sent as application/json (or another +json type) instead of application/scim+json',
    rewrite: 'none needed: the body is parsed as JSON',
  },
  {
    code: 'readonly-ignored',
    kind: 'informational',
    rfc: 'RFC 7644 3.3',
    sent: 'readOnly attributes (id, meta, groups) in a POST body (Entra ID sends meta.resourceType, Okta groups: [])',
    rewrite: 'none needed: the server ignores them',
  },
] as const satisfies readonly QuirkInfo[];

export type QuirkCode = (typeof QUIRKS)[number]['code'];

export const QUIRK_BY_CODE: ReadonlyMap<string, QuirkInfo> = new Map(QUIRKS.map((q) => [q.code, q as QuirkInfo]));

export const DEVIATION_CODES: readonly QuirkCode[] = QUIRKS.filter((q) => q.kind === 'deviation').map((q) => q.code);

/** "RFC 7644 3.5.2" -> "RFC 7644 section 3.5.2" (the wording of error details). */
export function rfcSection(rfc: string): string {
  return rfc.replace(/^(RFC \d+) (\d[\d.]*)$/, '$1 section $2');
}
