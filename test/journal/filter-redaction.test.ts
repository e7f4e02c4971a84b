/**
 * A filter may compare the password (RFC 7643 4.1.1: "compare (i.e., filter for equality)"): the value a client
 * sends is the password itself, and the journal keeps no secret. In the query (GET, answered 403 sensitive but
 * recorded), in a SearchRequest body (POST /.search, answered), and in a body that is not JSON, the compared
 * value is "[REDACTED]" in every view of the journal: entries, the HAR export, the NDJSON export.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';

const SECRET = 'Tr0ub4dor&3';
const AUTH = 'Bearer scimulator-dev-token';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describe('the journal redacts the values a filter compares the password with', () => {
  it('in the query, a SearchRequest body and a body that is not JSON; other filters stay as sent', async () => {
    const app = createApp();
    const api = request(app);
    const filter = `userName eq "bjensen" and password eq "${SECRET}"`;
    expect((await api.get('/scim/v2/Users').query({ filter }).set('Authorization', AUTH)).status).toBe(403);
    const searched = await api.post('/scim/v2/Users/.search').set('Authorization', AUTH).set('Content-Type', 'application/scim+json').send(JSON.stringify({ schemas: [SEARCH], filter: `urn:ietf:params:scim:schemas:core:2.0:User:password ne "${SECRET}"` }));
    expect(searched.status).toBe(200);
    const broken = await api.post('/scim/v2/Users/.search').set('Authorization', AUTH).set('Content-Type', 'application/scim+json').send(`{"schemas":["${SEARCH}"],"filter":"password eq \\"${SECRET}\\"",}`);
    expect(broken.status).toBe(400);
    await api.get('/scim/v2/Users').query({ filter: 'userName eq "password"' }).set('Authorization', AUTH).expect(200);

    const { requests } = (await api.get('/_mock/requests?order=asc')).body as { requests: Array<{ query: Record<string, unknown>; requestBody: unknown }> };
    expect(requests).toHaveLength(4);
    expect(requests[0]!.query).toEqual({ filter: 'userName eq "bjensen" and password eq "[REDACTED]"' });
    expect(requests[1]!.requestBody).toEqual({ schemas: [SEARCH], filter: 'urn:ietf:params:scim:schemas:core:2.0:User:password ne "[REDACTED]"' });
    expect(String(requests[2]!.requestBody)).toContain('password eq \\"[REDACTED]\\"');
    expect(requests[3]!.query).toEqual({ filter: 'userName eq "password"' });
    for (const path of ['/_mock/requests', '/_mock/requests/export?format=har', '/_mock/requests/export?format=ndjson']) {
      const text = (await api.get(path)).text;
      expect(text.length, path).toBeGreaterThan(100);
      expect(text, path).not.toContain(SECRET);
      expect(text, path).not.toContain(encodeURIComponent(SECRET));
    }
  });
});
