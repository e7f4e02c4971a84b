/**
 * HAR export of a body that is not text: the bytes survive the round trip through the HAR file. HAR 1.2 gives
 * response.content an `encoding` ("base64"); postData has none in 1.2, so the export writes it as the HAR 1.3
 * proposal and tools that keep binary request bodies do (postData.encoding "base64").
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { HarLog } from '../../src/journal/journal.js';

const AUTH = { Authorization: 'Bearer scimulator-dev-token' };

/** A request body's bytes as a HAR reader gets them back. */
function postDataBytes(postData: { text: string; encoding?: string } | undefined): Buffer {
  if (!postData) return Buffer.alloc(0);
  return Buffer.from(postData.text, postData.encoding === 'base64' ? 'base64' : 'utf8');
}

async function exportHar(app: ReturnType<typeof createApp>, query = ''): Promise<HarLog> {
  const res = await request(app).get(`/_mock/requests/export?format=har${query}`).expect(200);
  return JSON.parse(res.text) as HarLog;
}

describe('HAR export of bodies that are not text', () => {
  it('a POST of bytes that are not UTF-8 comes back byte for byte (postData.encoding "base64")', async () => {
    const app = createApp();
    // Every byte value, invalid UTF-8 sequences (0xc3 0x28, a lone 0xff) and a NUL among them.
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    await request(app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/octet-stream').send(bytes).expect(415);
    const har = await exportHar(app);
    const entry = har.log.entries.at(-1)!;
    expect(entry.request.method).toBe('POST');
    expect(entry.request.postData?.encoding).toBe('base64');
    expect(entry.request.postData?.mimeType).toBe('application/octet-stream');
    const back = postDataBytes(entry.request.postData);
    expect(back.equals(bytes), 'the bytes read back from the HAR file are those sent').toBe(true);
    expect(entry.request.bodySize).toBe(bytes.length);
    expect(entry.request.postData?.comment).toMatch(/base64/);
  });

  it('a text body stays plain text without an encoding, so HAR 1.2 readers read it as before', async () => {
    const app = createApp();
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'zoë.text@example.com' });
    await request(app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(body).expect(201);
    const entry = (await exportHar(app)).log.entries.at(-1)!;
    expect(entry.request.postData).not.toHaveProperty('encoding');
    expect(JSON.parse(entry.request.postData!.text)).toEqual(JSON.parse(body));
    expect(postDataBytes(entry.request.postData).equals(Buffer.from(body))).toBe(true);
    // The response (always text from this server) is plain text as well.
    expect(entry.response.content).not.toHaveProperty('encoding');
    expect(JSON.parse(entry.response.content.text!)).toMatchObject({ userName: 'zoë.text@example.com' });
  });
});
