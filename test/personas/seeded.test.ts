/**
 * A directory seeded under a persona holds what the target stores: a client's unchanged PUT of a seeded resource is
 * answered as for any resource the target holds (generated resources are made to fit, literal ones that do not fit
 * are refused, naming the persona and the rule).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startScimulator, startServer } from '../../src/index.js';
import { capabilitiesOf, persona as personaNamed, PERSONA_NAMES } from '../../src/personas/index.js';
import { offers } from '../../src/scim/capabilities.js';
import { Scimulator } from '../../src/runtime.js';
import { HOST } from '../seed/helpers.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const dir = mkdtempSync(join(tmpdir(), 'scimulator-seeded-'));
const seedFile = (name: string, doc: unknown) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

/** The resource as a client reads it, sent back whole: meta and the readOnly groups left out. */
const unchanged = (resource: Record<string, unknown>) => {
  const { meta: _meta, groups: _groups, ...body } = resource;
  return body;
};

describe('a directory seeded under a persona', () => {
  it.each(PERSONA_NAMES.flatMap((persona) => (['generic', 'entra', 'okta'] as const).map((shape) => [persona, shape] as const)))(
    '%s, %s shape: every seeded user (and group, where PUT is offered) takes its own unchanged PUT',
    async (persona, shape) => {
      const app = createApp(new Scimulator());
      const created = await request(app).post('/_mock/tenants').set('Host', HOST).send({ id: 't', persona, seedFile: seedFile(`${persona}-${shape}`, { generate: { seed: 3, users: 60, groups: 4, shape } }) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await request(app).delete('/_mock/tenants/t/faults').set('Host', HOST); // the persona's rate limits, not under test
      const scim = (method: 'get' | 'put', path: string) => request(app)[method](`/tenants/t/scim/v2${path}`).set('Host', HOST).set('Authorization', `Bearer ${created.body.token as string}`).set('User-Agent', 'scimulator-tests'); // github refuses requests without one
      const users = (await scim('get', '/Users?count=100')).body.Resources as Array<Record<string, unknown>>;
      expect(users).toHaveLength(60);
      const refused: string[] = [];
      for (const user of users) {
        const res = await scim('put', `/Users/${user.id as string}`).send(unchanged(user));
        if (res.status !== 200) refused.push(`${user.userName as string}: ${res.status} ${res.body.detail as string}`);
      }
      expect(refused).toEqual([]);
      const groups = (await scim('get', '/Groups?count=100')).body.Resources as Array<Record<string, unknown>>;
      expect(groups).toHaveLength(4);
      if (!offers(capabilitiesOf(personaNamed(persona)!), 'replace', 'Group')) return; // aws and zoom offer no PUT of a Group
      for (const group of groups) {
        const res = await scim('put', `/Groups/${group.id as string}`).send(unchanged(group));
        expect(res.status, `${group.displayName as string}: ${res.text}`).toBe(200);
      }
    },
    30_000,
  );

  it('the default tenant seeded at start under --persona aws keeps one email, marked primary', async () => {
    const scim = await startScimulator({ persona: 'aws', users: 40, groups: 2 });
    try {
      const auth = { Authorization: `Bearer ${scim.token}` };
      const list = (await (await fetch(`${scim.baseUrl}/Users?count=100`, { headers: auth })).json()) as { Resources: Array<Record<string, unknown>> };
      expect(list.Resources).toHaveLength(40);
      for (const user of list.Resources) expect(user.emails, user.userName as string).toEqual([expect.objectContaining({ primary: true, type: 'work' })]);
      const first = list.Resources[0]!;
      const put = await fetch(`${scim.baseUrl}/Users/${first.id as string}`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/scim+json' }, body: JSON.stringify(unchanged(first)) });
      expect(put.status).toBe(200);
    } finally {
      await scim.close();
    }
  });

  it('a literal user the persona would not store is refused, naming its place, the persona and the rule; without the persona it is seeded', async () => {
    const app = createApp(new Scimulator());
    const twoEmails = seedFile('two-emails', {
      users: [{ schemas: [USER], userName: 'ada@example.com', displayName: 'Ada', name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: 'ada@example.com', primary: true }, { value: 'ada@example.org' }] }],
    });
    const aws = await request(app).post('/_mock/tenants').set('Host', HOST).send({ id: 'a', persona: 'aws', seedFile: twoEmails });
    expect(aws.status).toBe(400);
    expect(aws.body).toEqual({
      field: 'seedFile',
      error: `seedFile: ${twoEmails}: /users/0: persona aws would not store this User: ValidationException: emails holds 2 values, but this service keeps one value only; send a single emails value; change it in the file, or seed without the persona`,
    });
    const longName = seedFile('long-name', { options: { persona: 'slack' }, users: [{ schemas: [USER], userName: 'ada_lovelace_countess_of_lovelace', emails: [{ value: 'ada@example.com' }] }] });
    const slack = await request(app).post('/_mock/tenants').set('Host', HOST).send({ id: 's', seedFile: longName });
    expect(slack.status).toBe(400);
    expect(slack.body.error).toContain('/users/0: persona slack would not store this User: long_username: userName "ada_lovelace_countess_of_lovelace" is 33 characters long');
    expect((await request(app).get('/_mock/tenants').set('Host', HOST)).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default']);
    expect((await request(app).post('/_mock/tenants').set('Host', HOST).send({ id: 'plain', seedFile: twoEmails })).status).toBe(201);
    // The file's persona replaced by the request's: seeded for the request's.
    expect((await request(app).post('/_mock/tenants').set('Host', HOST).send({ id: 'gh', seedFile: longName, persona: 'github' })).status).toBe(201);
  });

  it('at start, a seed file whose options replace --persona or its page sizes is said in a note naming both', async () => {
    const cases: Array<[string, Record<string, unknown>, string | undefined, Record<string, unknown>]> = [
      ['sized', { defaultPageSize: 25, maxPageSize: 200 }, "sets defaultPageSize 25 and maxPageSize 200 in its options, over persona aws's defaultPageSize 100 and maxPageSize 100; remove them from the file to keep the persona's", { persona: 'aws', defaultPageSize: 25, maxPageSize: 200 }],
      ['other', { persona: 'slack' }, 'sets persona "slack" in its options, which replaces --persona aws; remove one of them', { persona: 'slack', defaultPageSize: 10 }],
      ['same', { persona: 'aws', defaultPageSize: 100 }, undefined, { persona: 'aws', defaultPageSize: 100, maxPageSize: 100 }],
    ];
    for (const [name, options, note, config] of cases) {
      const file = seedFile(`start-${name}`, { options, generate: { users: 2, groups: 0 } });
      const running = await startServer({ port: 0, persona: 'aws', seeding: { file } });
      try {
        expect(running.notes, name).toEqual(note ? [`seed file ${file} ${note}`] : []);
        expect(running.runtime.defaultTenant.config, name).toMatchObject(config);
      } finally {
        await running.close();
      }
    }
  });
});
