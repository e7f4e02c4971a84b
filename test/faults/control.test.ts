import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { faultsControlRouter } from '../../src/faults/control.js';
import { FaultRegistry } from '../../src/faults/registry.js';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { buildApp } from './helpers.js';

describe('fault control API', () => {
  it('POST /faults: 201 with the rule, its id and a Location', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/_mock/faults')
      .send({ name: 'slow users', match: { method: 'GET', path: '/Users/*' }, action: { type: 'latency', ms: 300 } });
    expect(res.status).toBe(201);
    expect(res.headers['location']).toBe('/_mock/faults/fault-1');
    expect(res.body).toEqual({
      id: 'fault-1',
      name: 'slow users',
      match: { method: 'GET', path: '/Users/*' },
      action: { type: 'latency', ms: 300 },
      probability: 1,
      after: 0,
      matched: 0,
      fired: 0,
      retired: false,
      state: 'active',
    });
  });

  it('GET /faults lists in order; GET /faults/:id reads one; unknown ids are 404', async () => {
    const { app } = buildApp();
    await request(app).post('/_mock/faults').send({ action: { type: 'reset' } });
    await request(app).post('/_mock/faults').send({ action: { type: 'hang', maxMs: 100 } });
    const all = await request(app).get('/_mock/faults');
    expect(all.status).toBe(200);
    expect(all.body.faults.map((f: { id: string }) => f.id)).toEqual(['fault-1', 'fault-2']);
    const one = await request(app).get('/_mock/faults/fault-2');
    expect(one.status).toBe(200);
    expect(one.body.action).toEqual({ type: 'hang', maxMs: 100 });
    const missing = await request(app).get('/_mock/faults/fault-9');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'no fault rule has the id "fault-9"', field: 'id' });
  });

  it('DELETE /faults/:id is 204 (404 when unknown); DELETE /faults removes all (204)', async () => {
    const { app } = buildApp();
    await request(app).post('/_mock/faults').send({ action: { type: 'reset' } });
    await request(app).post('/_mock/faults').send({ action: { type: 'reset' } });
    const del = await request(app).delete('/_mock/faults/fault-1');
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await request(app).delete('/_mock/faults/fault-1')).status).toBe(404);
    expect((await request(app).get('/_mock/faults')).body.faults).toHaveLength(1);
    expect((await request(app).delete('/_mock/faults')).status).toBe(204);
    expect((await request(app).get('/_mock/faults')).body).toEqual({ faults: [] });
  });

  it.each([
    [{ action: { type: 'error', status: 700 } }, 'action.status', 'action.status must be an integer from 400 to 599'],
    [{ action: { type: 'nope' } }, 'action.type', /^action\.type must be one of/],
    [{ action: { type: 'reset' }, probability: 2 }, 'probability', 'probability must be a number from 0 to 1'],
    [{ action: { type: 'reset' }, match: { header: {} } }, 'match.header', /not a known match key/],
    [{ action: { type: 'reset' }, match: { headers: { x: { matches: '*' } } } }, 'match.headers.x.matches', /regular expression/],
    [JSON.parse('{"action":{"type":"reset"},"__proto__":{"admin":true}}'), '__proto__', /not allowed/],
  ])('POST /faults with bad input: 400 naming the field (%#)', async (body, field, error) => {
    const { app, faults } = buildApp();
    const res = await request(app).post('/_mock/faults').set('content-type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.error).toMatch(error);
    expect(faults.list()).toEqual([]);
  });

  it('POST /faults with no JSON object: 400', async () => {
    const { app } = buildApp();
    const none = await request(app).post('/_mock/faults');
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/must be a JSON object/);
    const arr = await request(app).post('/_mock/faults').send([{ action: { type: 'reset' } }]);
    expect(arr.status).toBe(400);
  });

  it('duplicate id: 400 naming id', async () => {
    const { app } = buildApp();
    expect((await request(app).post('/_mock/faults').send({ id: 'slow', action: { type: 'reset' } })).status).toBe(201);
    const dup = await request(app).post('/_mock/faults').send({ id: 'slow', action: { type: 'reset' } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error: 'id "slow" is already used by another fault rule', field: 'id' });
  });

  it('acceptance: a rule with times: 2 fires exactly twice, then shows as retired with its counters', async () => {
    const { app } = buildApp();
    await request(app)
      .post('/_mock/faults')
      .send({ match: { operation: 'list', resourceType: 'User' }, action: { type: 'error', status: 503 }, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(app).get('/scim/v2/Users')).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    const rule = (await request(app).get('/_mock/faults/fault-1')).body;
    expect(rule).toMatchObject({ matched: 2, fired: 2, retired: true, times: 2 });
    expect(typeof rule.lastFiredAt).toBe('string');
  });

  it('acceptance: after: 3 lets three matching requests through first', async () => {
    const { app } = buildApp();
    await request(app).post('/_mock/faults').send({ match: { path: '/Groups' }, action: { type: 'error', status: 500 }, after: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await request(app).get('/scim/v2/Groups')).status);
      expect((await request(app).get('/scim/v2/Users')).status).toBe(200);
    }
    expect(statuses).toEqual([200, 200, 200, 500, 500]);
  });

  it('mounts per tenant: resolve sees the parent :id, rule ids come from :faultId', async () => {
    const registries = new Map<string, FaultRegistry>();
    const registryOf = (id: string) => {
      let r = registries.get(id);
      if (!r) registries.set(id, (r = new FaultRegistry({ random: new SeededRandom(id), clock: new ControllableClock() })));
      return r;
    };
    const app = express();
    app.use(express.json());
    app.use('/_mock/tenants/:id', faultsControlRouter((req) => registryOf(String(req.params.id))));
    app.use('/_mock', faultsControlRouter(() => registryOf('default')));
    const created = await request(app).post('/_mock/tenants/acme/faults').send({ action: { type: 'reset' } });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/_mock/tenants/acme/faults/fault-1');
    expect((await request(app).get('/_mock/tenants/acme/faults/fault-1')).status).toBe(200);
    expect((await request(app).get('/_mock/faults')).body).toEqual({ faults: [] });
    expect((await request(app).get('/_mock/tenants/other/faults')).body).toEqual({ faults: [] });
    expect((await request(app).delete('/_mock/tenants/acme/faults/fault-1')).status).toBe(204);
    expect(registryOf('acme').list()).toEqual([]);
  });
});
