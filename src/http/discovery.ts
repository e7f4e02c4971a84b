/**
 * The discovery documents of RFC 7644 section 4, generated from the tenant's schema data and the features
 * this build really implements, so every `supported` flag tells the truth.
 */
import type { ResourceSchema } from '../scim/attributes.js';
import { ScimError } from '../scim/errors.js';
import { PROFILES } from '../profiles/profiles.js';
import {
  COMMON_ATTRIBUTES,
  RESOURCE_TYPE_SCHEMA_ID,
  SCHEMA_SCHEMA_ID,
  SERVICE_PROVIDER_CONFIG_SCHEMA_ID,
} from '../scim/schemas/core.js';
import type { AttributeDef, SchemaDef } from '../scim/schemas/types.js';
import type { Tenant } from '../tenant.js';
import { LIST_RESPONSE_SCHEMA } from './respond.js';

export const DOCUMENTATION_URI = 'https://github.com/scimulator/scimulator#readme';

export function serviceProviderConfig(tenant: Tenant, baseUrl: string): Record<string, unknown> {
  const features = tenant.features;
  const schemes: Record<string, unknown>[] = [];
  if (tenant.auth.mode === 'bearer') {
    schemes.push({
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication with a bearer token in the Authorization header (RFC 6750).',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true,
    });
  } else if (tenant.auth.mode === 'oauth') {
    // OAuth 2.0 client credentials: the client sends the access token it got from the token endpoint as a Bearer
    // token (RFC 6750), the scheme RFC 7643 section 8.5 calls "oauthbearertoken".
    schemes.push({
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication with an OAuth 2.0 access token (client credentials grant, RFC 6749 section 4.4, at the token endpoint <server>/oauth/token or /tenants/{id}/oauth/token) sent as a bearer token in the Authorization header (RFC 6750).',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true,
    });
  } else if (tenant.auth.mode === 'basic') {
    schemes.push({
      type: 'httpbasic',
      name: 'HTTP Basic',
      description: 'Authentication with HTTP Basic credentials (RFC 7617).',
      specUri: 'https://www.rfc-editor.org/info/rfc7617',
      primary: true,
    });
  } else {
    // --auth none. RFC 7643 section 5 makes authenticationSchemes REQUIRED, and an empty list is unassigned (2.5), so
    // a strict client refuses []; RFC 7643 has no "none" type. What the tenant accepts is any credentials, the two a
    // connector is configured with included: both are listed, bearer (what IdPs send) first, each saying it is not checked.
    const unchecked = 'Not checked: this tenant runs without authentication (--auth none) and accepts every request, with these credentials, any others or none.';
    schemes.push(
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token (not checked)', description: `${unchecked} (A bearer token in the Authorization header, RFC 6750.)`, specUri: 'https://www.rfc-editor.org/info/rfc6750', primary: true },
      { type: 'httpbasic', name: 'HTTP Basic (not checked)', description: `${unchecked} (HTTP Basic credentials, RFC 7617.)`, specUri: 'https://www.rfc-editor.org/info/rfc7617', primary: false },
    );
  }
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA_ID],
    documentationUri: features.documentationUri ?? DOCUMENTATION_URI,
    patch: { supported: features.patch },
    bulk: { supported: features.bulk.supported, maxOperations: features.bulk.maxOperations, maxPayloadSize: features.bulk.maxPayloadSize },
    filter: { supported: features.filter.supported, maxResults: features.filter.maxResults },
    changePassword: { supported: features.changePassword },
    sort: { supported: features.sort },
    etag: { supported: features.etag },
    authenticationSchemes: schemes,
    ...(features.pagination ? { pagination: features.pagination } : {}),
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  };
}

export function resourceTypeDocument(type: ResourceSchema, baseUrl: string): Record<string, unknown> {
  const def = type.resourceType;
  return {
    schemas: [RESOURCE_TYPE_SCHEMA_ID],
    id: def.name,
    name: def.name,
    endpoint: def.endpoint,
    description: def.description,
    schema: def.schema,
    schemaExtensions: def.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${def.name}` },
  };
}

/**
 * A schema as /Schemas serves it. `common`: the common attributes (RFC 7643 section 3.1) the tenant's profile
 * lists in the core schema of a resource type (PROFILES[...].schemaCommonAttributes), first, as section 3.1 gives them.
 */
export function schemaDocument(schema: SchemaDef, baseUrl: string, common: readonly AttributeDef[] = []): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA_ID],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: common.length ? [...common, ...schema.attributes] : schema.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export function listOf(resources: unknown[]): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

export function findResourceType(tenant: Tenant, name: string): ResourceSchema {
  const type = tenant.registry.resourceType(name);
  if (!type) throw new ScimError(404, undefined, `There is no resource type "${name}"; GET /ResourceTypes lists them.`);
  return type;
}

/** The common attributes the tenant's profile lists in `schema` when it is the core schema of a resource type. */
export function listedCommonAttributes(tenant: Tenant, schema: SchemaDef): readonly AttributeDef[] {
  const names = PROFILES[tenant.config.profile]?.schemaCommonAttributes ?? [];
  if (!names.length) return [];
  const type = tenant.registry.resourceTypes().find((t) => t.core.id === schema.id);
  return type ? COMMON_ATTRIBUTES.filter((a) => names.includes(a.name)) : [];
}

export function findSchema(tenant: Tenant, id: string): SchemaDef {
  const schema = tenant.registry.schema(id);
  if (!schema) throw new ScimError(404, undefined, `There is no schema "${id}"; GET /Schemas lists them.`);
  return schema;
}
