/**
 * The fleet audit, `GET /admin/tenants/{tenant}/history` (issue 13), over real HTTP on the
 * configured backend (RAMPART_TEST_STORE=postgres runs it on PostgreSQL): every filter, names
 * beside ids, keyset paging that neither repeats nor skips under concurrent writes, and a 400
 * naming the parameter for every bad filter. Time is the injected clock's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { HistoryEntry } from '../src/domain/audit/history-entry.js';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis, wireTimestamp } from '../src/shared/timestamp.js';
import { demoMachines } from './helpers/console-session.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { userToken } from './helpers/tokens.js';
import { expectError, send } from './helpers/wire.js';

const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const other = (v: DeviceValue): DeviceValue => (v === 'High' ? 'Low' : 'High');

interface Page {
  readonly value: HistoryEntry[];
  readonly '@odata.nextLink'?: string;
}

describe('GET /admin/tenants/{tenant}/history (fleet audit)', () => {
  const clock = new ManualClock(T0);
  let server: TestServer;
  let appToken: string;
  let adminToken: string;
  let adminUserId: string;
  let devices: Machine[];
  /** Every change the suite made, newest first, as the audit must answer it. */
  const made: HistoryEntry[] = [];

  const url = (query = '') => `${server.base}/admin/tenants/${DEMO_TENANT_ID}/history${query}`;
  const adminGet = (target: string) => call(target, { headers: { authorization: `Bearer ${server.app.adminKey}` } });

  async function page(query = ''): Promise<Page> {
    const response = await adminGet(url(query));
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    return JSON.parse(text) as Page;
  }

  const ids = (entries: readonly HistoryEntry[]) => entries.map((e) => e.requestId);

  /** One change a minute after the last: by the demo app (setDeviceValue) or the admin user (PATCH). */
  async function change(device: Machine, value: DeviceValue, by: 'app' | 'user'): Promise<void> {
    clock.advance(MINUTE);
    const before = (await server.app.store.getById({ tenantId: DEMO_TENANT_ID, visibleSince: '0000' as never, rbacGroupIds: null }, device.id))?.deviceValue;
    assert.ok(before && before !== value, 'a real change');
    const response =
      by === 'app'
        ? await send(`${server.base}/api/machines/${device.id}/setDeviceValue`, appToken, 'POST', JSON.stringify({ DeviceValue: value }))
        : await send(`${server.base}/api/machines/${device.id}`, adminToken, 'PATCH', JSON.stringify({ deviceValue: value }));
    assert.equal(response.status, 200, await response.clone().text());
    made.unshift({
      seq: 0,
      tenantId: DEMO_TENANT_ID,
      machineId: device.id,
      computerDnsName: device.computerDnsName,
      oldValue: before,
      newValue: value,
      at: wireTimestamp(timestampFromMillis(clock.now())),
      appId: DEMO_APP.clientId,
      appName: DEMO_APP.name,
      userId: by === 'user' ? adminUserId : null,
      userPrincipalName: by === 'user' ? DEMO_USERS.admin.userPrincipalName : null,
      route: by === 'app' ? 'setDeviceValue' : 'patch',
      requestId: response.headers.get('request-id'),
    });
  }

  /** The entries as answered, with seq (the store's) checked for order and then masked. */
  const masked = (entries: readonly HistoryEntry[]) => entries.map((e) => ({ ...e, seq: 0 }));

  before(async () => {
    server = await startTestServer({ demoMachines: 40 }, clock);
    appToken = await server.token();
    adminToken = await userToken(server.base, DEMO_USERS.admin);
    adminUserId = (await server.app.store.getUserByPrincipalName(DEMO_TENANT_ID, DEMO_USERS.admin.userPrincipalName))?.id ?? '';
    devices = await demoMachines(server, null, 3);
    assert.equal(devices.length, 3);
    const [a, b, c] = devices as [Machine, Machine, Machine];
    await change(a, other(a.deviceValue), 'app'); // 09:01
    await change(b, other(b.deviceValue), 'user'); // 09:02
    await change(a, a.deviceValue, 'app'); // 09:03, back
    await change(c, other(c.deviceValue), 'user'); // 09:04
    await change(b, b.deviceValue, 'app'); // 09:05, back
  });
  after(() => server?.close());

  it('answers every change of the tenant, newest first, in the per-device entry shape with names beside ids', async () => {
    const { value, '@odata.nextLink': next } = await page();
    assert.equal(next, undefined);
    assert.deepEqual(masked(value), made);
    for (const entry of value) assert.deepEqual(Object.keys(entry), Object.keys(made[0] as object));
    const seqs = value.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x), 'seq falls with time here (one clock)');
    // The per-device history is the same entries, in the same shape.
    const [a] = devices as [Machine];
    const perDevice = (await (await adminGet(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/machines/${a.id}/history`)).json()) as Page;
    assert.deepEqual(perDevice.value, value.filter((e) => e.machineId === a.id));
  });

  it('filters by time range: from inclusive, to exclusive, dates and offsets accepted', async () => {
    const at = (minute: number) => new Date(T0 + minute * MINUTE).toISOString();
    assert.deepEqual(ids((await page(`?from=${at(2)}&to=${at(4)}`)).value), ids(made.slice(2, 4)));
    assert.deepEqual(ids((await page(`?from=${encodeURIComponent('2026-11-02T10:03:00+01:00')}`)).value), ids(made.slice(0, 3)));
    assert.deepEqual((await page('?to=2026-11-02')).value, []);
    assert.equal((await page('?from=2026-11-02')).value.length, made.length);
  });

  it('filters by user (object id or principal name, any case) and application (client id or display name)', async () => {
    const byUser = made.filter((e) => e.userId !== null);
    assert.deepEqual(ids((await page(`?user=${adminUserId}`)).value), ids(byUser));
    assert.deepEqual(ids((await page('?user=ADMIN@rampart.demo')).value), ids(byUser));
    assert.deepEqual(ids((await page(`?application=${DEMO_APP.clientId}`)).value), ids(made));
    assert.deepEqual(ids((await page(`?application=${encodeURIComponent(DEMO_APP.name.toUpperCase())}`)).value), ids(made));
    assert.deepEqual((await page(`?user=${encodeURIComponent(DEMO_USERS.operator.userPrincipalName)}`)).value, []);
    // An object id the directory does not know (a removed user) still filters.
    assert.deepEqual((await page('?user=00000000-0000-4000-8000-00000000abcd')).value, []);
  });

  it('filters by device (id, computer name), old and new value (any case) and route, alone and together', async () => {
    const [a, b] = devices as [Machine, Machine];
    assert.deepEqual(ids((await page(`?device=${a.id.toUpperCase()}`)).value), ids(made.filter((e) => e.machineId === a.id)));
    assert.deepEqual(ids((await page(`?device=${encodeURIComponent(b.computerDnsName)}`)).value), ids(made.filter((e) => e.machineId === b.id)));
    for (const v of ['Normal', 'Low', 'High'] as const) {
      assert.deepEqual(ids((await page(`?newValue=${v.toLowerCase()}`)).value), ids(made.filter((e) => e.newValue === v)), `newValue ${v}`);
      assert.deepEqual(ids((await page(`?oldValue=${v}`)).value), ids(made.filter((e) => e.oldValue === v)), `oldValue ${v}`);
    }
    assert.deepEqual(ids((await page('?route=patch')).value), ids(made.filter((e) => e.route === 'patch')));
    assert.deepEqual((await page('?route=console')).value, []);
    const combined = made.filter((e) => e.route === 'setDeviceValue' && e.machineId === b.id && e.newValue === b.deviceValue);
    assert.equal(combined.length, 1);
    assert.deepEqual(ids((await page(`?route=setDeviceValue&device=${b.id}&newValue=${b.deviceValue}&application=${DEMO_APP.clientId}&from=2026-11-02`)).value), ids(combined));
  });

  it('pages with @odata.nextLink: the same URL, filters kept, an opaque $skiptoken', async () => {
    const first = await page('?limit=2&route=setDeviceValue');
    const expected = made.filter((e) => e.route === 'setDeviceValue');
    assert.deepEqual(ids(first.value), ids(expected.slice(0, 2)));
    const next = first['@odata.nextLink'];
    assert.ok(next);
    assert.match(next, new RegExp(`^${server.base.replace(/[.]/g, '\\.')}/admin/tenants/${DEMO_TENANT_ID}/history\\?limit=2&route=setDeviceValue&\\$skiptoken=[\\w-]+$`));
    const second = (await (await adminGet(next)).json()) as Page;
    assert.deepEqual(ids(second.value), ids(expected.slice(2, 4)));
    assert.equal(second['@odata.nextLink'], undefined, 'no link after the last page');
  });

  it('neither repeats nor skips an entry when changes land between pages', async () => {
    const existing = (await page()).value;
    const seen: HistoryEntry[] = [];
    let next: string | undefined = url('?limit=2');
    let round = 0;
    while (next) {
      const [answer]: [Page, ...unknown[]] = await Promise.all([
        adminGet(next).then(async (r) => (await r.json()) as Page),
        // Writers changing every device while the page is read, stamped now: newer than every page.
        ...(devices as Machine[]).map(async (d) => {
          const current = (await server.app.store.getById({ tenantId: DEMO_TENANT_ID, visibleSince: '0000' as never, rbacGroupIds: null }, d.id))?.deviceValue ?? 'Normal';
          await send(`${server.base}/api/machines/${d.id}/setDeviceValue`, appToken, 'POST', JSON.stringify({ DeviceValue: other(current) }));
        }),
      ]);
      clock.advance(MINUTE);
      seen.push(...answer.value);
      next = answer['@odata.nextLink'];
      assert.ok(++round < 50, 'paging ends');
    }
    const seqs = seen.map((e) => e.seq);
    assert.equal(new Set(seqs).size, seqs.length, 'no entry twice');
    const seenSeqs = new Set(seqs);
    for (const e of existing) assert.ok(seenSeqs.has(e.seq), `entry ${e.seq} that existed before paging was not skipped`);
    // The audit now holds the writers' changes too, and every one of them chains per device.
    const all = (await page('?limit=1000')).value;
    assert.ok(all.length > existing.length);
    for (const d of devices) {
      const own = all.filter((e) => e.machineId === d.id);
      for (let i = 0; i + 1 < own.length; i++) assert.equal(own[i]?.oldValue, own[i + 1]?.newValue, `the history of ${d.id} chains`);
    }
  });

  it('refuses a bad filter with 400 InvalidInput naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['?from=yesterday', /for from: expected an ISO 8601 time/],
      ['?to=2026-13-45', /for to: expected an ISO 8601 time/],
      ['?from=2026-11-03&to=2026-11-02', /^The parameter from must be earlier than to\.$/],
      ['?user=nobody@rampart.demo', /^The value "nobody@rampart\.demo" is not valid for user: /],
      ['?user=', /^The parameter user must be a non-empty name/],
      ['?application=Nope', /^The value "Nope" is not valid for application: /],
      ['?device=nope.example', /^The value "nope\.example" is not valid for device: /],
      ['?oldValue=Huge', /^The value "Huge" is not valid for oldValue\. Allowed values: Normal, Low, High\.$/],
      ['?newValue=', /^The value "" is not valid for newValue\./],
      ['?route=api', /^The value "api" is not valid for route\. Allowed values: setDeviceValue, patch, /],
      ['?limit=0', /for limit: it must be a whole number from 1 to 1000\.$/],
      ['?limit=1001', /for limit: /],
      ['?limit=ten', /for limit: /],
      ['?$skiptoken=not-a-token', /^The value of \$skiptoken is not a token this server issued/],
      ['?usr=admin', /^Unknown query parameter "usr"\. The audit takes from, to, user, /],
      ['?route=patch&route=console', /^The parameter route may be given once/],
    ];
    for (const [query, message] of cases) await expectError(await adminGet(url(query)), 400, 'InvalidInput', message);
  });

  it('answers 404 for an unknown tenant and 401 without the admin key', async () => {
    await expectError(await adminGet(`${server.base}/admin/tenants/00000000-0000-4000-8000-000000000000/history`), 404, 'ResourceNotFound');
    await expectError(await call(url(), { headers: { authorization: `Bearer ${appToken}` } }), 401, 'Unauthorized');
  });
});
