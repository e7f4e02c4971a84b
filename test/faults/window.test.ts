/**
 * from / until: an outage window as data, on the tenant clock (frozen here: no sleeps).
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { runtimeOf } from '../../src/http/app.js';
import { client } from '../http/helpers.js';

const T0 = '2030-01-01T00:00:00.000Z';

function setup() {
  const c = client();
  const tenant = runtimeOf(c.app).defaultTenant;
  tenant.clock.freeze(Date.parse(T0));
  const control = () => request(c.app);
  const advance = async (ms: number) => expect((await control().post('/_mock/clock').send({ advance: ms })).status).toBe(200);
  const state = async (id: string) => (await control().get(`/_mock/faults/${id}`)).body.state as string;
  return { c, tenant, control, advance, state };
}

describe('fault windows (from / until)', () => {
  it('an outage window from +1s until +3s answers 503 only inside it; GET /faults shows pending, active, over', async () => {
    const { c, control, advance, state } = setup();
    const added = await control()
      .post('/_mock/faults')
      .send({ name: 'outage', from: '+1s', until: '+3s', action: { type: 'error', status: 503, retryAfter: 2 } });
    expect(added.status).toBe(201);
    // Relative times are resolved on the tenant clock when the rule is added.
    expect(added.body).toMatchObject({ from: '2030-01-01T00:00:01.000Z', until: '2030-01-01T00:00:03.000Z', state: 'pending' });

    expect((await c.get('/Users')).status).toBe(200);
    await advance(999);
    expect((await c.get('/Users')).status).toBe(200);
    expect(await state('fault-1')).toBe('pending');

    await advance(1); // T0 + 1 s: from is inclusive
    const down = await c.get('/Users');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    expect(await state('fault-1')).toBe('active');
    await advance(1999); // T0 + 2.999 s
    expect((await c.get('/ServiceProviderConfig')).status).toBe(503);

    await advance(1); // T0 + 3 s: until is exclusive
    expect((await c.get('/Users')).status).toBe(200);
    expect(await state('fault-1')).toBe('over');
    const [rule] = (await control().get('/_mock/faults')).body.faults;
    // Requests outside the window are not counted as matched.
    expect(rule).toMatchObject({ matched: 2, fired: 2, state: 'over', lastFiredAt: '2030-01-01T00:00:02.999Z' });
  });

  it('absolute RFC 3339 times, only one bound, and a listed rule posted again keeps its window', async () => {
    const { c, control, advance, state } = setup();
    await control().post('/_mock/faults').send({ id: 'late', from: '2030-01-01T00:01:00+00:00', action: { type: 'error', status: 500 } });
    await control().post('/_mock/faults').send({ id: 'early', until: '+30s', action: { type: 'error', status: 502 } });
    expect((await c.get('/Users')).status).toBe(502);
    await advance(30_000);
    expect(await state('early')).toBe('over');
    expect((await c.get('/Users')).status).toBe(200);
    await advance(30_000);
    expect((await c.get('/Users')).status).toBe(500);

    const listed = (await control().get('/_mock/faults/late')).body;
    expect(listed.from).toBe('2030-01-01T00:01:00.000Z');
    await control().delete('/_mock/faults');
    const again = await control().post('/_mock/faults').send({ ...listed, id: 'late2' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ from: '2030-01-01T00:01:00.000Z', state: 'active', matched: 0 });
  });

  it('times retire a rule: its state is over', async () => {
    const { c, control, state } = setup();
    await control().post('/_mock/faults').send({ id: 'once', times: 1, action: { type: 'error', status: 500 } });
    expect(await state('once')).toBe('active');
    await c.get('/Users');
    expect(await state('once')).toBe('over');
  });

  it('reset restarts the relative windows of the seed and command-line rules', async () => {
    const { c, tenant, control, advance } = setup();
    tenant.seedFaults = [{ id: 'seeded', from: '+10s', until: '+20s', action: { type: 'error', status: 503 } }];
    await control().post('/_mock/reset');
    expect((await control().get('/_mock/faults/seeded')).body.from).toBe('2030-01-01T00:00:10.000Z');
    await advance(60_000);
    expect((await c.get('/Users')).status).toBe(200);
    await control().post('/_mock/reset?keep=journal');
    expect((await control().get('/_mock/faults/seeded')).body).toMatchObject({ from: '2030-01-01T00:01:10.000Z', state: 'pending' });
    await advance(10_000);
    expect((await c.get('/Users')).status).toBe(503);
  });

  it('bad windows are 400 naming the field', async () => {
    const { control } = setup();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ from: 'soon' }, 'from', /RFC 3339 date-time .* "\+10s"/],
      [{ until: 10 }, 'until', /until must be/],
      [{ from: '+10x' }, 'from', /"\+500ms", "\+2m"/],
      [{ from: '+5s', until: '+5s' }, 'until', /later than from/],
      [{ from: '2030-01-01T00:00:05Z', until: '2030-01-01T00:00:01Z' }, 'until', /later than from/],
      [{ from: '+1h', until: '2030-01-01T00:00:30Z' }, 'until', /later than from/],
      [{ from: '+400000h' }, 'from', /366 days/],
      [{ from: '2030-02-30T00:00:00' }, 'from', /RFC 3339/],
      [{ from: '2030-02-30T00:00:00Z' }, 'from', /day 30 does not exist: February 2030 has 28 days/],
      [{ until: '2030-01-01T24:00:00Z' }, 'until', /hour 24 does not exist/],
      [{ from: 'May 5' }, 'from', /not in the form YYYY-MM-DDTHH:MM:SS/],
    ];
    for (const [window, field, message] of cases) {
      const res = await control().post('/_mock/faults').send({ ...window, action: { type: 'reset' } });
      expect(res.status, JSON.stringify(window)).toBe(400);
      expect(res.body.field, JSON.stringify(window)).toBe(field);
      expect(res.body.error, JSON.stringify(window)).toMatch(message);
    }
  });

  it('retryAfter dates are strict: IMF-fixdate or RFC 3339, a real date, the right weekday', async () => {
    const { control } = setup();
    const bad: Array<[string, RegExp]> = [
      ['May 5', /not in the form "Wed, 21 Oct 2015 07:28:00 GMT"/],
      ['01/02/2030', /not in the form/],
      ['Thu, 21 Oct 2015 07:28:00 GMT', /21 Oct 2015 is a Wed, not a Thu/],
      ['Mon, 30 Feb 2015 07:28:00 GMT', /day 30 does not exist: February 2015 has 28 days/],
      ['2030-02-30T00:00:00Z', /day 30 does not exist/],
    ];
    for (const [retryAfter, reason] of bad) {
      const res = await control().post('/_mock/faults').send({ action: { type: 'error', status: 503, retryAfter } });
      expect(res.status, retryAfter).toBe(400);
      expect(res.body.field, retryAfter).toBe('action.retryAfter');
      expect(res.body.error, retryAfter).toMatch(/HTTP date such as/);
      expect(res.body.error, retryAfter).toMatch(reason);
    }
    const ok = await control().post('/_mock/faults').send({ action: { type: 'error', status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' } });
    expect(ok.status).toBe(201);
    expect(ok.body.action.retryAfter).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
  });
});
