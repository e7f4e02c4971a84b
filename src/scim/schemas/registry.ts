/**
 * The schemas and resource types one tenant serves. The built-in ones come from RFC 7643; a seed file may add
 * extension schemas and whole resource types, which every engine then handles like the built-in ones.
 */
import { ResourceSchema } from '../attributes.js';
import { badRequest } from '../errors.js';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from './core.js';
import type { ResourceTypeDef, SchemaDef } from './types.js';

export class SchemaRegistry {
  private readonly schemasById = new Map<string, SchemaDef>();
  private readonly typesByName = new Map<string, ResourceSchema>();
  private readonly typesByEndpoint = new Map<string, ResourceSchema>();
  /** What the registry was built with; everything added or replaced later is "custom" (a snapshot carries it). */
  private readonly initial: { schemas: readonly SchemaDef[]; resourceTypes: readonly ResourceTypeDef[] };

  constructor(schemas: readonly SchemaDef[], resourceTypes: readonly ResourceTypeDef[]) {
    this.initial = { schemas: [...schemas], resourceTypes: [...resourceTypes] };
    for (const schema of schemas) this.schemasById.set(schema.id.toLowerCase(), schema);
    for (const type of resourceTypes) this.addResourceType(type);
  }

  /** Schemas and resource types added or replaced since construction (e.g. User re-registered with an extension). */
  custom(): { schemas: SchemaDef[]; resourceTypes: ResourceTypeDef[] } {
    return {
      schemas: this.schemas().filter((s) => !this.initial.schemas.includes(s)),
      resourceTypes: this.resourceTypes().map((t) => t.resourceType).filter((t) => !this.initial.resourceTypes.includes(t)),
    };
  }

  /**
   * Back to the construction-time schemas and resource types, then adds `schemas` and registers
   * `resourceTypes` (a type named like an existing one replaces it). The caller has checked the definitions.
   */
  replaceCustom(schemas: readonly SchemaDef[], resourceTypes: readonly ResourceTypeDef[]): void {
    const current = this.custom();
    if (current.schemas.length === 0 && current.resourceTypes.length === 0 && schemas.length === 0 && resourceTypes.length === 0) return;
    this.schemasById.clear();
    this.typesByName.clear();
    this.typesByEndpoint.clear();
    for (const schema of this.initial.schemas) this.schemasById.set(schema.id.toLowerCase(), schema);
    for (const type of this.initial.resourceTypes) this.addResourceType(type);
    for (const schema of schemas) this.addSchema(schema);
    for (const type of resourceTypes) this.addResourceType(type);
  }

  /** The RFC 7643 User (with the enterprise extension) and Group. */
  static builtIn(): SchemaRegistry {
    return new SchemaRegistry([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA], [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE]);
  }

  addSchema(schema: SchemaDef): void {
    this.schemasById.set(schema.id.toLowerCase(), schema);
  }

  addResourceType(type: ResourceTypeDef): void {
    const core = this.schema(type.schema);
    if (!core) throw badRequest('invalidValue', `Resource type "${type.name}" names the unknown schema "${type.schema}".`);
    const extensions = type.schemaExtensions.map((ext) => {
      const schema = this.schema(ext.schema);
      if (!schema) throw badRequest('invalidValue', `Resource type "${type.name}" names the unknown extension "${ext.schema}".`);
      return schema;
    });
    const resourceSchema = new ResourceSchema(type, core, extensions, COMMON_ATTRIBUTES);
    const replaced = this.typesByName.get(type.name.toLowerCase());
    if (replaced) this.typesByEndpoint.delete(replaced.resourceType.endpoint.toLowerCase());
    this.typesByName.set(type.name.toLowerCase(), resourceSchema);
    this.typesByEndpoint.set(type.endpoint.toLowerCase(), resourceSchema);
  }

  schema(id: string): SchemaDef | undefined {
    return this.schemasById.get(id.toLowerCase());
  }

  schemas(): SchemaDef[] {
    return [...this.schemasById.values()];
  }

  resourceType(name: string): ResourceSchema | undefined {
    return this.typesByName.get(name.toLowerCase());
  }

  /** "/Users" (case-insensitive) -> the User resource type. */
  byEndpoint(endpoint: string): ResourceSchema | undefined {
    return this.typesByEndpoint.get(endpoint.toLowerCase());
  }

  resourceTypes(): ResourceSchema[] {
    return [...this.typesByName.values()];
  }
}

/**
 * The attributes a resource type keeps an O(1) index on: id and externalId always, plus every top-level
 * string attribute with server or global uniqueness (userName) and the Group displayName (looked up by every IdP).
 */
export function indexedAttributes(type: ResourceSchema): string[] {
  const names = ['id', 'externalId'];
  for (const def of type.core.attributes) {
    if (def.type !== 'string' || def.multiValued) continue;
    if (def.uniqueness !== 'none' || (def.name === 'displayName' && type.core.id === GROUP_SCHEMA.id)) names.push(def.name);
  }
  return names;
}
