/**
 * The RFC 7643 schemas as data: the resource schemas of section 8.7.1 (User, Group, EnterpriseUser),
 * the service provider schemas of section 8.7.2 (ServiceProviderConfig, ResourceType, Schema), the
 * common attributes of section 3.1 (id, externalId, meta) and the resource types of section 8.6.
 *
 * This is the single source of truth for validation, filtering, sorting, projection, PATCH, discovery
 * and the seed generator. Every attribute carries every characteristic of AttributeDef explicitly.
 *
 * Transcription rules (where the RFC's JSON and its text disagree, the text wins, and the choice is
 * noted next to the attribute):
 * - Characteristics the JSON omits take the section 2.2 defaults: required false, caseExact false,
 *   mutability readWrite, returned default, uniqueness none, multiValued false.
 * - Section 2.3.6: "binary" is case exact; section 2.3.7: "A reference is case exact." (erratum 6000 for
 *   x509Certificates.value, erratum 6001 for reference attributes). The JSON marks several of them
 *   caseExact false; they are caseExact true here.
 * - Section 2.3.2 / 2.3.8: booleans and complex attributes have no case sensitivity or uniqueness; they
 *   get caseExact false and uniqueness none (erratum 6004 removed uniqueness from complex attributes).
 * - Verified errata applied: 5368 (Group.displayName required), 5606 / 8415 (binary in the "type"
 *   canonical values, no complex sub-attributes), 5607 (referenceTypes is multi-valued), 7522
 *   (schemaExtensions is multi-valued), 8471 (groups.$ref refers to Group only), 8472 (manager.value is
 *   case exact).
 * - `canonicalValues: []` in the RFC JSON (roles.type, x509Certificates.type) means "none assigned"
 *   (section 2.2) and is omitted rather than published as an empty list.
 * - Descriptions are the RFC's own (including its "READ-ONLY" wording on display sub-attributes whose
 *   mutability is readWrite, erratum 8358 is only held for a future update).
 *
 * The exported values are plain JSON-compatible objects, deep-frozen so no engine can mutate the shared
 * definitions by accident (copy before changing, e.g. with structuredClone).
 */
import type {
  AttributeDef,
  AttributeType,
  Mutability,
  ResourceTypeDef,
  Returned,
  SchemaDef,
  Uniqueness,
} from './types.js';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SERVICE_PROVIDER_CONFIG_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

// ---------------------------------------------------------------------------------------------------
// Builder with the RFC 7643 section 2.2 defaults (plus the type rules of 2.3.6 / 2.3.7).

interface Overrides {
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: Mutability;
  returned?: Returned;
  uniqueness?: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

function attr(name: string, type: AttributeType, description: string, o: Overrides = {}): AttributeDef {
  if ((type === 'complex') !== (o.subAttributes !== undefined)) {
    throw new Error(`schema data: ${name}: subAttributes must be given exactly for complex attributes`);
  }
  if (o.referenceTypes !== undefined && type !== 'reference') {
    throw new Error(`schema data: ${name}: referenceTypes only apply to reference attributes`);
  }
  const def: AttributeDef = {
    name,
    type,
    multiValued: o.multiValued ?? false,
    description,
    required: o.required ?? false,
    // Section 2.3.6 (binary) and 2.3.7 (reference): case exact. Everything else: section 2.2 default.
    caseExact: o.caseExact ?? (type === 'binary' || type === 'reference'),
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
  };
  if (o.canonicalValues !== undefined) def.canonicalValues = [...o.canonicalValues];
  if (o.referenceTypes !== undefined) def.referenceTypes = [...o.referenceTypes];
  if (o.subAttributes !== undefined) def.subAttributes = o.subAttributes;
  return def;
}

/** Freezes a definition and everything in it (schema data is shared by every tenant). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

// Shared description texts of RFC 7643 section 8.7.1.
const DISPLAY_DESC = 'A human-readable name, primarily used for display purposes.  READ-ONLY.';
const PRIMARY_DESC = (example: string): string =>
  `A Boolean value indicating the 'primary' or preferred attribute value for this attribute${example}.  ` +
  "The primary attribute value 'true' MUST appear no more than once.";

// ---------------------------------------------------------------------------------------------------
// Section 3.1: common attributes (id, externalId, meta). Not part of any schema's "attributes" list.

export const COMMON_ATTRIBUTES: AttributeDef[] = deepFreeze([
  // Section 3.1 states caseExact true, mutability readOnly, returned always. "Unique across the SCIM
  // service provider's entire set of resources": uniqueness server. It never gives a "required"
  // characteristic: the service provider always assigns it and clients MUST NOT send it, so it is not
  // required input (required false); it is present in every representation the server returns.
  attr(
    'id',
    'string',
    'A unique identifier for a SCIM resource as defined by the service provider.  Each representation of ' +
      'the resource MUST include a non-empty "id" value.  This identifier MUST be unique across the SCIM ' +
      "service provider's entire set of resources.  It MUST be a stable, non-reassignable identifier that " +
      'does not change when the same resource is returned in subsequent requests.  The value of the "id" ' +
      'attribute is always issued by the service provider and MUST NOT be specified by the client.  The ' +
      'string "bulkId" is a reserved keyword and MUST NOT be used within any unique identifier value.',
    { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' },
  ),
  // Section 3.1: caseExact true, mutability readWrite, OPTIONAL; "the server does not enforce
  // uniqueness" (uniqueness none).
  attr(
    'externalId',
    'string',
    'A String that is an identifier for the resource as defined by the provisioning client.  The ' +
      '"externalId" may simplify identification of a resource between the provisioning client and the ' +
      'service provider by allowing the client to use a filter to locate the resource with an identifier ' +
      "from the provisioning domain, obviating the need to store a local mapping between the provisioning " +
      "domain's identifier of the resource and the identifier used by the service provider (e.g., the SCIM " +
      '"id").  Each resource MAY include a non-empty "externalId" value.  The value of the "externalId" ' +
      'attribute is always issued by the provisioning client and MUST NOT be specified by the service ' +
      'provider.  The service provider MUST always interpret the externalId as scoped to the provisioning ' +
      "domain.  While the server does not enforce uniqueness, it is assumed that the value's uniqueness is " +
      'controlled by the client setting the value.',
    { caseExact: true },
  ),
  // Section 3.1: every meta sub-attribute is assigned by the service provider (readOnly) and returned
  // "default"; meta SHALL be ignored when provided by clients.
  attr(
    'meta',
    'complex',
    'A complex attribute containing resource metadata.  All "meta" sub-attributes are assigned by the ' +
      'service provider (have a "mutability" of "readOnly"), and all of these sub-attributes have a ' +
      '"returned" characteristic of "default".  This attribute SHALL be ignored when provided by clients.',
    {
      mutability: 'readOnly',
      subAttributes: [
        attr('resourceType', 'string', 'The name of the resource type of the resource.', {
          caseExact: true,
          mutability: 'readOnly',
        }),
        attr('created', 'dateTime', 'The "DateTime" that the resource was added to the service provider.', {
          mutability: 'readOnly',
        }),
        attr(
          'lastModified',
          'dateTime',
          'The most recent DateTime that the details of this resource were updated at the service ' +
            'provider.  If this resource has never been modified since its initial creation, the value ' +
            'MUST be the same as the value of "created".',
          { mutability: 'readOnly' },
        ),
        // A reference (section 2.3.7, case exact) to the resource itself; section 3.1 names no
        // referenceTypes, "uri" is the closest of section 7's values for "the URI of the resource".
        attr(
          'location',
          'reference',
          'The URI of the resource being returned.  This value MUST be the same as the ' +
            '"Content-Location" HTTP response header (see Section 3.1.4.2 of [RFC7231]).',
          { mutability: 'readOnly', referenceTypes: ['uri'] },
        ),
        attr(
          'version',
          'string',
          'The version of the resource being returned.  This value must be the same as the entity-tag ' +
            '(ETag) HTTP response header (see Sections 2.1 and 2.3 of [RFC7232]).',
          { caseExact: true, mutability: 'readOnly' },
        ),
      ],
    },
  ),
]);

// ---------------------------------------------------------------------------------------------------
// Section 8.7.1: User.

export const USER_SCHEMA: SchemaDef = deepFreeze({
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr(
      'userName',
      'string',
      'Unique identifier for the User, typically used by the user to directly authenticate to the service ' +
        'provider.  Each User MUST include a non-empty userName value.  This identifier MUST be unique ' +
        "across the service provider's entire set of Users.  REQUIRED.",
      { required: true, uniqueness: 'server' },
    ),
    attr(
      'name',
      'complex',
      "The components of the user's real name.  Providers MAY return just the full name as a single string " +
        'in the formatted sub-attribute, or they MAY return just the individual component attributes using ' +
        'the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be ' +
        'describing the same name, with the formatted name indicating how the component attributes should ' +
        'be combined.',
      {
        subAttributes: [
          attr(
            'formatted',
            'string',
            'The full name, including all middle names, titles, and suffixes as appropriate, formatted for ' +
              "display (e.g., 'Ms. Barbara J Jensen, III').",
          ),
          attr(
            'familyName',
            'string',
            "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the " +
              "full name 'Ms. Barbara J Jensen, III').",
          ),
          attr(
            'givenName',
            'string',
            "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the " +
              "full name 'Ms. Barbara J Jensen, III').",
          ),
          attr(
            'middleName',
            'string',
            "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
          ),
          attr(
            'honorificPrefix',
            'string',
            "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the " +
              "full name 'Ms. Barbara J Jensen, III').",
          ),
          attr(
            'honorificSuffix',
            'string',
            "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the " +
              "full name 'Ms. Barbara J Jensen, III').",
          ),
        ],
      },
    ),
    attr(
      'displayName',
      'string',
      'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the ' +
        'User being described, if known.',
    ),
    attr(
      'nickName',
      'string',
      "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This " +
        "attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
    ),
    // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
    attr(
      'profileUrl',
      'reference',
      "A fully qualified URL pointing to a page representing the User's online profile.",
      { referenceTypes: ['external'] },
    ),
    attr('title', 'string', 'The user\'s title, such as "Vice President."'),
    attr(
      'userType',
      'string',
      'Used to identify the relationship between the organization and the user.  Typical values used ' +
        "might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may " +
        'be used.',
    ),
    attr(
      'preferredLanguage',
      'string',
      "Indicates the User's preferred written or spoken language.  Generally used for selecting a " +
        "localized user interface; e.g., 'en_US' specifies the language English and country US.",
    ),
    attr(
      'locale',
      'string',
      "Used to indicate the User's default location for purposes of localizing items such as currency, " +
        'date time format, or numerical representations.',
    ),
    attr(
      'timezone',
      'string',
      "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    ),
    attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
    // Section 4.1.1 and 8.7.1: writeOnly, returned never (never output, never matched by filters).
    attr(
      'password',
      'string',
      "The User's cleartext password.  This attribute is intended to be used as a means to specify an " +
        "initial password when creating a new User or to reset an existing User's password.",
      { mutability: 'writeOnly', returned: 'never' },
    ),
    attr(
      'emails',
      'complex',
      "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., " +
        "'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  Canonical type values of 'work', 'home', " +
        "and 'other'.",
      {
        multiValued: true,
        subAttributes: [
          attr(
            'value',
            'string',
            "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, " +
              "e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  Canonical type values of " +
              "'work', 'home', and 'other'.",
          ),
          attr('display', 'string', DISPLAY_DESC),
          attr('type', 'string', "A label indicating the attribute's function, e.g., 'work' or 'home'.", {
            canonicalValues: ['work', 'home', 'other'],
          }),
          attr(
            'primary',
            'boolean',
            PRIMARY_DESC(', e.g., the preferred mailing address or primary email address'),
          ),
        ],
      },
    ),
    attr(
      'phoneNumbers',
      'complex',
      'Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according ' +
        "to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'.  Canonical type values of " +
        "'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      {
        multiValued: true,
        subAttributes: [
          attr('value', 'string', 'Phone number of the User.'),
          attr('display', 'string', DISPLAY_DESC),
          attr(
            'type',
            'string',
            "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
            { canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'] },
          ),
          attr('primary', 'boolean', PRIMARY_DESC(', e.g., the preferred phone number or primary phone number')),
        ],
      },
    ),
    attr('ims', 'complex', 'Instant messaging addresses for the User.', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'Instant messaging address for the User.'),
        attr('display', 'string', DISPLAY_DESC),
        attr('type', 'string', "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.", {
          canonicalValues: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
        }),
        attr('primary', 'boolean', PRIMARY_DESC(', e.g., the preferred messenger or primary messenger')),
      ],
    }),
    attr('photos', 'complex', 'URLs of photos of the User.', {
      multiValued: true,
      subAttributes: [
        // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
        attr('value', 'reference', 'URL of a photo of the User.', { referenceTypes: ['external'] }),
        attr('display', 'string', DISPLAY_DESC),
        attr('type', 'string', "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", {
          canonicalValues: ['photo', 'thumbnail'],
        }),
        attr('primary', 'boolean', PRIMARY_DESC(', e.g., the preferred photo or thumbnail')),
      ],
    }),
    attr(
      'addresses',
      'complex',
      "A physical mailing address for this User.  Canonical type values of 'work', 'home', and 'other'.  " +
        'This attribute is a complex type with the following sub-attributes.',
      {
        multiValued: true,
        subAttributes: [
          attr(
            'formatted',
            'string',
            'The full mailing address, formatted for display or use with a mailing label.  This attribute ' +
              'MAY contain newlines.',
          ),
          attr(
            'streetAddress',
            'string',
            'The full street address component, which may include house number, street name, P.O. box, ' +
              'and multi-line extended street address information.  This attribute MAY contain newlines.',
          ),
          attr('locality', 'string', 'The city or locality component.'),
          attr('region', 'string', 'The state or region component.'),
          attr('postalCode', 'string', 'The zip code or postal code component.'),
          attr('country', 'string', 'The country name component.'),
          attr('type', 'string', "A label indicating the attribute's function, e.g., 'work' or 'home'.", {
            canonicalValues: ['work', 'home', 'other'],
          }),
          // Not in the section 8.7.1 JSON, but "primary" is a default sub-attribute of every multi-valued
          // attribute (section 2.4), section 4.1.2 describes it for addresses and the section 8.2 example
          // sends "primary": true on an address; clients (Entra, Okta) send it too.
          attr(
            'primary',
            'boolean',
            PRIMARY_DESC(', e.g., the preferred mailing address or primary email address'),
          ),
        ],
      },
    ),
    // Computed by the service provider from group memberships: the attribute and every sub-attribute are
    // readOnly (section 4.1.2: "membership changes MUST be applied via the Group Resource").
    attr(
      'groups',
      'complex',
      'A list of groups to which the user belongs, either through direct membership, through nested ' +
        'groups, or dynamically calculated.',
      {
        multiValued: true,
        mutability: 'readOnly',
        subAttributes: [
          attr('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
          // RFC JSON: referenceTypes ["User", "Group"], caseExact false; verified erratum 8471 narrows it
          // to "Group" (it is "A list of groups"), section 2.3.7 makes it case exact.
          attr(
            '$ref',
            'reference',
            "The URI of the corresponding 'Group' resource to which the user belongs.",
            { referenceTypes: ['Group'], mutability: 'readOnly' },
          ),
          attr('display', 'string', DISPLAY_DESC, { mutability: 'readOnly' }),
          attr(
            'type',
            'string',
            "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
            { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' },
          ),
        ],
      },
    ),
    attr('entitlements', 'complex', 'A list of entitlements for the User that represent a thing the User has.', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'The value of an entitlement.'),
        attr('display', 'string', DISPLAY_DESC),
        attr('type', 'string', "A label indicating the attribute's function."),
        attr('primary', 'boolean', PRIMARY_DESC('')),
      ],
    }),
    attr(
      'roles',
      'complex',
      "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      {
        multiValued: true,
        subAttributes: [
          attr('value', 'string', 'The value of a role.'),
          attr('display', 'string', DISPLAY_DESC),
          // RFC JSON: "canonicalValues" : [] (none assigned), omitted.
          attr('type', 'string', "A label indicating the attribute's function."),
          attr('primary', 'boolean', PRIMARY_DESC('')),
        ],
      },
    ),
    attr('x509Certificates', 'complex', 'A list of certificates issued to the User.', {
      multiValued: true,
      subAttributes: [
        // RFC JSON: caseExact false; section 2.3.6 ("binary ... is case exact") and erratum 6000 win.
        attr('value', 'binary', 'The value of an X.509 certificate.'),
        attr('display', 'string', DISPLAY_DESC),
        // RFC JSON: "canonicalValues" : [] (none assigned), omitted.
        attr('type', 'string', "A label indicating the attribute's function."),
        attr('primary', 'boolean', PRIMARY_DESC('')),
      ],
    }),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.7.1: Group.

export const GROUP_SCHEMA: SchemaDef = deepFreeze({
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group',
  attributes: [
    // RFC JSON: required false although the description (and section 4.2) say REQUIRED; verified
    // erratum 5368 makes it required true. Uniqueness none: a per-tenant option may enforce it.
    attr('displayName', 'string', 'A human-readable name for the Group.  REQUIRED.', { required: true }),
    // Section 4.2: "While values MAY be added or removed, sub-attributes of members are 'immutable'":
    // the members list itself is readWrite, a member value is added or removed whole, never edited.
    attr('members', 'complex', 'A list of members of the Group.', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
        attr('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        // Not in the section 8.7.1 JSON (erratum 6011, reported): "display" is a default sub-attribute of
        // multi-valued attributes with mutability "immutable" (section 2.4), and the section 8.4 example
        // uses it; description from section 2.4.
        attr('display', 'string', 'A human-readable name, primarily used for display purposes.', {
          mutability: 'immutable',
        }),
        attr('type', 'string', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.7.1: EnterpriseUser extension.

export const ENTERPRISE_USER_SCHEMA: SchemaDef = deepFreeze({
  id: ENTERPRISE_USER_SCHEMA_ID,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr(
      'employeeNumber',
      'string',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or ' +
        'association with an organization.',
    ),
    attr('costCenter', 'string', 'Identifies the name of a cost center.'),
    attr('organization', 'string', 'Identifies the name of an organization.'),
    attr('division', 'string', 'Identifies the name of a division.'),
    attr('department', 'string', 'Identifies the name of a department.'),
    attr(
      'manager',
      'complex',
      "The User's manager.  A complex type that optionally allows service providers to represent " +
        "organizational hierarchy by referencing the 'id' attribute of another User.",
      {
        subAttributes: [
          // The descriptions say REQUIRED but the RFC JSON has required false for value and $ref; kept
          // false (the manager itself is optional and IdPs send {"value": id} alone). caseExact true by
          // verified erratum 8472 (it holds an "id", which is case exact).
          attr('value', 'string', "The id of the SCIM resource representing the User's manager.  REQUIRED.", {
            caseExact: true,
          }),
          // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
          attr('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.  REQUIRED.", {
            referenceTypes: ['User'],
          }),
          attr('displayName', 'string', "The displayName of the User's manager.  OPTIONAL and READ-ONLY.", {
            mutability: 'readOnly',
          }),
        ],
      },
    ),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.7.2: ServiceProviderConfig.

const supported = (): AttributeDef =>
  attr('supported', 'boolean', 'A Boolean value specifying whether or not the operation is supported.', {
    required: true,
    mutability: 'readOnly',
  });

const capability = (name: string, description: string, extra: AttributeDef[] = []): AttributeDef =>
  attr(name, 'complex', description, {
    required: true,
    mutability: 'readOnly',
    subAttributes: [supported(), ...extra],
  });

export const SERVICE_PROVIDER_CONFIG_SCHEMA: SchemaDef = deepFreeze({
  id: SERVICE_PROVIDER_CONFIG_SCHEMA_ID,
  name: 'Service Provider Configuration',
  description: "Schema for representing the service provider's configuration",
  attributes: [
    // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
    attr(
      'documentationUri',
      'reference',
      "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.",
      { referenceTypes: ['external'], mutability: 'readOnly' },
    ),
    capability('patch', 'A complex type that specifies PATCH configuration options.'),
    capability('bulk', 'A complex type that specifies bulk configuration options.', [
      attr('maxOperations', 'integer', 'An integer value specifying the maximum number of operations.', {
        required: true,
        mutability: 'readOnly',
      }),
      attr('maxPayloadSize', 'integer', 'An integer value specifying the maximum payload size in bytes.', {
        required: true,
        mutability: 'readOnly',
      }),
    ]),
    capability('filter', 'A complex type that specifies FILTER options.', [
      attr(
        'maxResults',
        'integer',
        'An integer value specifying the maximum number of resources returned in a response.',
        { required: true, mutability: 'readOnly' },
      ),
    ]),
    capability('changePassword', 'A complex type that specifies configuration options related to changing a password.'),
    capability('sort', 'A complex type that specifies sort result options.'),
    capability('etag', 'A complex type that specifies ETag result options.'),
    attr(
      'authenticationSchemes',
      'complex',
      'A complex type that specifies supported authentication scheme properties.',
      {
        multiValued: true,
        required: true,
        mutability: 'readOnly',
        subAttributes: [
          // Not in the section 8.7.2 JSON, but section 5 defines "type" as REQUIRED with these values
          // and the section 8.5 example sends it.
          attr(
            'type',
            'string',
            'The authentication scheme.  This specification defines the values "oauth", "oauth2", ' +
              '"oauthbearertoken", "httpbasic", and "httpdigest".  REQUIRED.',
            {
              required: true,
              mutability: 'readOnly',
              canonicalValues: ['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'],
            },
          ),
          attr('name', 'string', 'The common authentication scheme name, e.g., HTTP Basic.', {
            required: true,
            mutability: 'readOnly',
          }),
          attr('description', 'string', 'A description of the authentication scheme.', {
            required: true,
            mutability: 'readOnly',
          }),
          // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
          attr(
            'specUri',
            'reference',
            "An HTTP-addressable URL pointing to the authentication scheme's specification.",
            { referenceTypes: ['external'], mutability: 'readOnly' },
          ),
          attr(
            'documentationUri',
            'reference',
            "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.",
            { referenceTypes: ['external'], mutability: 'readOnly' },
          ),
          // Not in the section 8.7.2 JSON: the section 8.5 example marks one scheme "primary": true, and
          // "primary" is a default sub-attribute of multi-valued attributes (section 2.4).
          attr(
            'primary',
            'boolean',
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  " +
              "The primary attribute value 'true' MUST appear no more than once.",
            { mutability: 'readOnly' },
          ),
        ],
      },
    ),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.7.2: ResourceType.

export const RESOURCE_TYPE_SCHEMA: SchemaDef = deepFreeze({
  id: RESOURCE_TYPE_SCHEMA_ID,
  name: 'ResourceType',
  description: 'Specifies the schema that describes a SCIM resource type',
  attributes: [
    attr('id', 'string', "The resource type's server unique id.  May be the same as the 'name' attribute.", {
      mutability: 'readOnly',
    }),
    attr(
      'name',
      'string',
      "The resource type name.  When applicable, service providers MUST specify the name, e.g., 'User'.",
      { required: true, mutability: 'readOnly' },
    ),
    attr(
      'description',
      'string',
      "The resource type's human-readable description.  When applicable, service providers MUST specify " +
        'the description.',
      { mutability: 'readOnly' },
    ),
    // RFC JSON: caseExact false; section 2.3.7 (reference is case exact) wins.
    attr(
      'endpoint',
      'reference',
      "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.",
      { required: true, referenceTypes: ['uri'], mutability: 'readOnly' },
    ),
    attr('schema', 'reference', "The resource type's primary/base schema URI.", {
      required: true,
      referenceTypes: ['uri'],
      mutability: 'readOnly',
    }),
    // RFC JSON: multiValued false (verified erratum 7522: true) and required true, but section 6 says
    // schemaExtensions is OPTIONAL and the section 8.6 Group example has none: required false.
    attr('schemaExtensions', 'complex', "A list of URIs of the resource type's schema extensions.", {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        attr('schema', 'reference', 'The URI of a schema extension.', {
          required: true,
          referenceTypes: ['uri'],
          mutability: 'readOnly',
        }),
        attr(
          'required',
          'boolean',
          'A Boolean value that specifies whether or not the schema extension is required for the resource ' +
            'type.  If true, a resource of this type MUST include this schema extension and also include any ' +
            'attributes declared as required in this schema extension.  If false, a resource of this type MAY ' +
            'omit this schema extension.',
          { required: true, mutability: 'readOnly' },
        ),
      ],
    }),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.7.2: Schema. Its "attributes" describe attribute definitions (section 7); the RFC itself
// nests the complex "subAttributes" inside the complex "attributes", the one place where a complex
// sub-attribute exists (the schema of schemas, not a resource schema).

const TYPE_VALUES_WITH_COMPLEX = ['string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'];
const TYPE_VALUES_NO_COMPLEX = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'];

function attributeDefinitionCharacteristics(nested: boolean): AttributeDef[] {
  const typeValues = nested ? TYPE_VALUES_NO_COMPLEX : TYPE_VALUES_WITH_COMPLEX;
  return [
    attr('name', 'string', "The attribute's name.", { required: true, caseExact: true, mutability: 'readOnly' }),
    // Verified errata 5606 (add "binary") and, for sub-attributes, 8415 (remove "complex", section 2.3.8).
    attr(
      'type',
      'string',
      "The attribute's data type. Valid values include " +
        typeValues.map((t) => `'${t}'`).join(', ') +
        '.',
      { required: true, canonicalValues: typeValues, mutability: 'readOnly' },
    ),
    attr('multiValued', 'boolean', "A Boolean value indicating an attribute's plurality.", {
      required: true,
      mutability: 'readOnly',
    }),
    attr('description', 'string', 'A human-readable description of the attribute.', {
      caseExact: true,
      mutability: 'readOnly',
    }),
    attr('required', 'boolean', 'A boolean value indicating whether or not the attribute is required.', {
      mutability: 'readOnly',
    }),
    attr(
      'canonicalValues',
      'string',
      "A collection of canonical values.  When applicable, service providers MUST specify the canonical " +
        "types, e.g., 'work', 'home'.",
      { multiValued: true, caseExact: true, mutability: 'readOnly' },
    ),
    attr('caseExact', 'boolean', 'A Boolean value indicating whether or not a string attribute is case sensitive.', {
      mutability: 'readOnly',
    }),
    attr('mutability', 'string', 'Indicates whether or not an attribute is modifiable.', {
      caseExact: true,
      mutability: 'readOnly',
      canonicalValues: ['readOnly', 'readWrite', 'immutable', 'writeOnly'],
    }),
    attr('returned', 'string', 'Indicates when an attribute is returned in a response (e.g., to a query).', {
      caseExact: true,
      mutability: 'readOnly',
      canonicalValues: ['always', 'never', 'default', 'request'],
    }),
    attr('uniqueness', 'string', 'Indicates how unique a value must be.', {
      caseExact: true,
      mutability: 'readOnly',
      canonicalValues: ['none', 'server', 'global'],
    }),
    // RFC JSON: multiValued false; verified erratum 5607 (it is a list, section 7).
    attr(
      'referenceTypes',
      'string',
      "Used only with an attribute of type 'reference'.  Specifies a SCIM resourceType that a reference " +
        "attribute MAY refer to, e.g., 'User'.",
      { multiValued: true, caseExact: true, mutability: 'readOnly' },
    ),
  ];
}

export const SCHEMA_SCHEMA: SchemaDef = deepFreeze({
  id: SCHEMA_SCHEMA_ID,
  name: 'Schema',
  description: 'Specifies the schema that describes a SCIM schema',
  attributes: [
    attr(
      'id',
      'string',
      'The unique URI of the schema.  When applicable, service providers MUST specify the URI.',
      { required: true, mutability: 'readOnly' },
    ),
    attr(
      'name',
      'string',
      "The schema's human-readable name.  When applicable, service providers MUST specify the name, " +
        "e.g., 'User'.",
      { required: true, mutability: 'readOnly' },
    ),
    attr(
      'description',
      'string',
      "The schema's human-readable description.  When applicable, service providers MUST specify the " +
        'description.',
      { mutability: 'readOnly' },
    ),
    attr('attributes', 'complex', 'A complex attribute that includes the attributes of a schema.', {
      multiValued: true,
      required: true,
      mutability: 'readOnly',
      subAttributes: [
        ...attributeDefinitionCharacteristics(false),
        attr('subAttributes', 'complex', 'Used to define the sub-attributes of a complex attribute.', {
          multiValued: true,
          mutability: 'readOnly',
          subAttributes: attributeDefinitionCharacteristics(true),
        }),
      ],
    }),
  ],
});

// ---------------------------------------------------------------------------------------------------
// Section 8.6: resource types.

// The section 8.6 example marks the enterprise extension required true; this service provider does not
// require it (a User without enterprise attributes is valid), so required false.
export const USER_RESOURCE_TYPE: ResourceTypeDef = deepFreeze({
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_ID,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }],
});

export const GROUP_RESOURCE_TYPE: ResourceTypeDef = deepFreeze({
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_ID,
  schemaExtensions: [],
});
