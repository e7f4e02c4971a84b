/**
 * README "Limits": "a request over [a limit] gets a SCIM error that names the limit and its flag". The Bulk limits
 * named the ServiceProviderConfig value only; a connector developer reading the 413 could not tell which flag (or
 * PATCH /_mock/config field) raises it.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { AUTH, USER_SCHEMA, expectScimError } from '../http/helpers.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const bulkOf = (n: number) => JSON.stringify({ schemas: [BULK], Operations: Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `bulk${i}` } })) });
const post = (app: ReturnType<typeof createApp>, body: string) => request(app).post('/scim/v2/Bulk').set(AUTH).set('Content-Type', 'application/scim+json').send(body);

describe('Bulk limits name their flag', () => {
  it('too many operations: 413 naming maxOperations, its value and --bulk-max-operations', async () => {
    const detail = expectScimError(await post(createApp({ bulkMaxOperations: 3 }), bulkOf(4)), 413).detail;
    expect(detail).toMatch(/4 operations/);
    expect(detail).toMatch(/maxOperations \(3\)/);
    expect(detail).toContain('--bulk-max-operations');
  });

  it('too large a payload: 413 naming maxPayloadSize, its value and --bulk-max-payload', async () => {
    const detail = expectScimError(await post(createApp({ bulkMaxPayload: 2048 }), bulkOf(40)), 413).detail;
    expect(detail).toMatch(/maxPayloadSize \(2048\)/);
    expect(detail).toContain('--bulk-max-payload');
  });
});
