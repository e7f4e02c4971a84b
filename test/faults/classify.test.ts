import { describe, expect, it } from 'vitest';
import { classifyScimRequest } from '../../src/http/classify.js';

const TYPES = [
  { name: 'User', endpoint: '/Users' },
  { name: 'Group', endpoint: '/Groups' },
];

describe('classifyScimRequest', () => {
  const cases: Array<[string, string, string, string | undefined]> = [
    ['GET', '/Users', 'list', 'User'],
    ['GET', '/Users/', 'list', 'User'],
    ['HEAD', '/Users', 'list', 'User'],
    ['POST', '/Users', 'create', 'User'],
    ['GET', '/Users/2819c223', 'get', 'User'],
    ['PUT', '/Users/2819c223', 'replace', 'User'],
    ['PATCH', '/Groups/abc', 'patch', 'Group'],
    ['DELETE', '/Groups/abc', 'delete', 'Group'],
    ['POST', '/Users/.search', 'search', 'User'],
    ['GET', '/Users/.search', 'unknown', 'User'],
    ['POST', '/.search', 'search', undefined],
    ['GET', '/.search', 'unknown', undefined],
    ['POST', '/Bulk', 'bulk', undefined],
    ['GET', '/Me', 'me', undefined],
    ['PATCH', '/Me', 'me', undefined],
    ['GET', '/ServiceProviderConfig', 'discovery', undefined],
    ['GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', 'discovery', undefined],
    ['GET', '/ResourceTypes/User', 'discovery', undefined],
    ['GET', '/ResourceTypes', 'discovery', undefined],
    ['GET', '/', 'list', undefined],
    ['DELETE', '/', 'unknown', undefined],
    ['GET', '', 'list', undefined],
    ['GET', '/Devices', 'unknown', undefined],
    ['PUT', '/Users', 'unknown', 'User'],
    ['POST', '/Users/abc', 'unknown', 'User'],
    ['GET', '/Users/abc/extra', 'unknown', 'User'],
    // endpoint names are case-insensitive, and so is the method
    ['get', '/users/abc', 'get', 'User'],
    ['patch', '/GROUPS/abc', 'patch', 'Group'],
    ['GET', '/serviceproviderconfig', 'discovery', undefined],
    ['post', '/bulk', 'bulk', undefined],
    // a query string is ignored
    ['GET', '/Users?filter=userName%20eq%20%22x%22', 'list', 'User'],
  ];
  it.each(cases)('%s %s -> %s (%s)', (method, path, operation, resourceType) => {
    const got = classifyScimRequest(method, path, TYPES);
    expect(got.operation).toBe(operation);
    expect(got.resourceType).toBe(resourceType);
  });

  it('reads endpoints from the resource types given (custom types, endpoints without a slash)', () => {
    const types = [...TYPES, { name: 'Device', endpoint: 'Devices' }];
    expect(classifyScimRequest('GET', '/Devices/d1', types)).toEqual({ operation: 'get', resourceType: 'Device' });
  });
});
