/**
 * The RFC 7643 schema representation (section 7), used as data by every engine:
 * validation, projection, filtering, sorting, PATCH, discovery and the seed generator.
 */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'binary'
  | 'reference'
  | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

export interface SchemaDef {
  /** The schema URN, e.g. urn:ietf:params:scim:schemas:core:2.0:User */
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export interface SchemaExtensionRef {
  schema: string;
  required: boolean;
}

export interface ResourceTypeDef {
  /** Also the value of meta.resourceType, e.g. "User". */
  name: string;
  /** The path under the base path, e.g. "/Users". */
  endpoint: string;
  description: string;
  /** URN of the core schema. */
  schema: string;
  schemaExtensions: SchemaExtensionRef[];
}
