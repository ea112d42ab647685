/**
 * Only real changes are history (issue 13): setting the value a machine already has succeeds,
 * stays in the request journal, and writes no "Normal -> Normal" entry, through every write path
 * of both backends (setDeviceValue by id and by name, PATCH with and without tags, the console's
 * bulk bar); the entries that are written still chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { ValueChange } from '../src/domain/machines/value-change.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { consolePost, demoMachines, inGroup, readMachine, startDemoConsole, type ConsoleUser } from './helpers/console-session.js';
import { call, type TestServer } from './helpers/server.js';
import { send } from './helpers/wire.js';

describe('a call that sets the value a machine already has', () => {
  let server: TestServer;
  let admin: ConsoleUser;
  let token: string;
  let devices: Machine[];

  before(async () => {
    ({ server, admin } = await startDemoConsole());
    token = await server.token();
    devices = await demoMachines(server, inGroup(140), 5);
  });
  after(() => server?.close());

  const history = (id: string): Promise<ValueChange[]> => server.app.store.history(DEMO_TENANT_ID, id, 100);

  async function journalHas(requestId: string | null): Promise<boolean> {
    const response = await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/journal?limit=1000`, { headers: { authorization: `Bearer ${server.app.adminKey}` } });
    const { value } = (await response.json()) as { value: { requestId: string; status: number }[] };
    return value.some((e) => e.requestId === requestId && e.status === 200);
  }

  /** The n-th demo machine as it is now (a test before may have changed its tags). */
  async function machine(n: number): Promise<Machine> {
    const device = devices[n] && (await readMachine(server, devices[n].id));
    assert.ok(device, 'a demo machine');
    return device;
  }

  it('setDeviceValue by id and by computer name: 200, in the journal, no history entry', async () => {
    const device = await machine(0);
    const before = await history(device.id);
    for (const key of [device.id, device.computerDnsName]) {
      const response = await send(`${server.base}/api/machines/${encodeURIComponent(key)}/setDeviceValue`, token, 'POST', JSON.stringify({ DeviceValue: device.deviceValue.toLowerCase() }));
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal(((await response.json()) as { deviceValue: string }).deviceValue, device.deviceValue);
      assert.ok(await journalHas(response.headers.get('request-id')), 'the call is in the journal');
    }
    assert.deepEqual(await history(device.id), before);
  });

  it('PATCH of the same value, alone or with new tags: no history entry (the tags still change)', async () => {
    const device = await machine(1);
    const before = await history(device.id);
    const url = `${server.base}/api/machines/${device.id}`;
    const alone = await send(url, token, 'PATCH', JSON.stringify({ deviceValue: device.deviceValue }));
    assert.equal(alone.status, 200, await alone.clone().text());
    const tagged = await send(url, token, 'PATCH', JSON.stringify({ deviceValue: device.deviceValue, machineTags: ['noop-check'] }));
    assert.equal(tagged.status, 200, await tagged.clone().text());
    assert.deepEqual(((await tagged.json()) as { machineTags: string[] }).machineTags, ['noop-check']);
    assert.deepEqual(await history(device.id), before);
  });

  it('a real change after no-ops is one entry whose old value is the value before', async () => {
    const device = await machine(2);
    const other = device.deviceValue === 'High' ? 'Low' : 'High';
    const url = `${server.base}/api/machines/${device.id}/setDeviceValue`;
    for (const value of [device.deviceValue, other, other, device.deviceValue, device.deviceValue]) {
      const response = await send(url, token, 'POST', JSON.stringify({ DeviceValue: value }));
      assert.equal(response.status, 200, await response.text());
    }
    const entries = (await history(device.id)).slice(0, 2).map((e) => [e.oldValue, e.newValue]);
    assert.deepEqual(entries, [
      [other, device.deviceValue],
      [device.deviceValue, other],
    ]);
  });

  it("the console's bulk bar writes entries only for the devices whose value changes", async () => {
    const [same, differs] = [await machine(3), await machine(4)];
    const value = same.deviceValue;
    if (differs.deviceValue === value) {
      const response = await send(`${server.base}/api/machines/${differs.id}/setDeviceValue`, token, 'POST', JSON.stringify({ DeviceValue: value === 'High' ? 'Low' : 'High' }));
      assert.equal(response.status, 200);
    }
    const [sameBefore, differsBefore] = [await history(same.id), await history(differs.id)];
    const done = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { _csrf: admin.csrf, value, ids: [same.id, differs.id], confirm: 'yes' });
    assert.equal(done.status, 303, await done.text()); // POST/redirect/GET: the result page is a GET
    assert.deepEqual(await history(same.id), sameBefore);
    const differsAfter = await history(differs.id);
    assert.equal(differsAfter.length, differsBefore.length + 1);
    assert.equal(differsAfter[0]?.newValue, value);
    assert.equal(differsAfter[0]?.route, 'console');
  });
});
