/**
 * Allow-lists of the attribute names RFC 7643 defines for the discovery documents (sections 5-7, the common
 * attributes of 3.1) and RFC 7644's ListResponse (3.4.2), and a recursive check against them.
 */
export type Shape = { keys: readonly string[]; children?: Record<string, Shape> };

/** RFC 7643 section 3.1: meta. */
const META: Shape = { keys: ['resourceType', 'created', 'lastModified', 'location', 'version'] };
const SUPPORTED: Shape = { keys: ['supported'] };

/** RFC 7643 section 7: an attribute definition; sub-attributes have the same characteristics. */
const ATTRIBUTE: Shape = {
  keys: ['name', 'type', 'subAttributes', 'multiValued', 'description', 'required', 'canonicalValues', 'caseExact', 'mutability', 'returned', 'uniqueness', 'referenceTypes'],
};
ATTRIBUTE.children = { subAttributes: ATTRIBUTE };

/** RFC 7643 section 5. `primary` is the RFC 7643 2.4 sub-attribute of every multi-valued attribute (section 8.5 uses it here). */
export const SERVICE_PROVIDER_CONFIG: Shape = {
  keys: ['schemas', 'id', 'externalId', 'meta', 'documentationUri', 'patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag', 'authenticationSchemes'],
  children: {
    meta: META,
    patch: SUPPORTED,
    changePassword: SUPPORTED,
    sort: SUPPORTED,
    etag: SUPPORTED,
    bulk: { keys: ['supported', 'maxOperations', 'maxPayloadSize'] },
    filter: { keys: ['supported', 'maxResults'] },
    authenticationSchemes: { keys: ['type', 'name', 'description', 'specUri', 'documentationUri', 'primary'] },
  },
};

/** RFC 7643 section 6. */
export const RESOURCE_TYPE: Shape = {
  keys: ['schemas', 'id', 'externalId', 'meta', 'name', 'description', 'endpoint', 'schema', 'schemaExtensions'],
  children: { meta: META, schemaExtensions: { keys: ['schema', 'required'] } },
};

/** RFC 7643 section 7. */
export const SCHEMA: Shape = {
  keys: ['schemas', 'id', 'externalId', 'meta', 'name', 'description', 'attributes'],
  children: { meta: META, attributes: ATTRIBUTE },
};

/** RFC 7644 section 3.4.2 (no RFC 9865 cursor fields: discovery lists are never paged by cursor). */
export const listOf = (item: Shape): Shape => ({ keys: ['schemas', 'totalResults', 'Resources', 'startIndex', 'itemsPerPage'], children: { Resources: item } });

/** Every key that the shape does not allow, as paths ("bulk.foo", "attributes[3].subAttributes[0].bar"). */
export function extraKeys(value: unknown, shape: Shape, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((element, i) => extraKeys(element, shape, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const extra: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = at ? `${at}.${key}` : key;
    if (!shape.keys.includes(key)) extra.push(path);
    else if (shape.children?.[key]) extra.push(...extraKeys(v, shape.children[key]!, path));
  }
  return extra;
}

