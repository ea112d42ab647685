/**
 * "An alert fires on this device now" (issue 16): the admin API's
 * POST /admin/tenants/{tenant}/machines/{id}/alerts and `rampart alerts fire|list|history`, on
 * the data folder and on a running server, on the backend RAMPART_TEST_STORE names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis, wireTimestamp } from '../src/shared/timestamp.js';
import { addMachine, type Json } from './helpers/actions.js';
import { ALERT_KEYS, EVIDENCE_KEYS } from './helpers/alerts.js';
import { runCli } from './helpers/process.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectError } from './helpers/wire.js';

describe('alerts fired through the admin API and the CLI', () => {
  // A minute behind the real clock: the CLI runs on the real one and must see the device within
  // retention, and fire after the alerts fired here.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  let server: TestServer;
  let machine: Machine;
  let admin: Record<string, string>;
  const fire = (machineKey: string, body?: unknown, headers = admin) =>
    call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/machines/${encodeURIComponent(machineKey)}/alerts`, {
      method: 'POST',
      headers: body === undefined ? { authorization: headers.authorization ?? '' } : headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const cli = (...args: string[]) => runCli([...args, '--data-dir', server.dataDir, ...(server.app.config.store ? ['--store', server.app.config.store] : []), '--log-level', 'warn']);

  before(async () => {
    server = await startTestServer({}, clock);
    admin = { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' };
    machine = await addMachine(server.app, { computerDnsName: 'fire-target.contoso.com', rbacGroupId: 101, rbacGroupName: 'Servers' });
  });
  after(() => server.close());

  it('201 with the whole alert: defaults from the factory when the body says nothing, stamped now', async () => {
    const response = await fire(machine.id);
    const text = await response.text();
    assert.equal(response.status, 201, text);
    const alert = JSON.parse(text) as Json;
    assert.deepEqual(Object.keys(alert), [...ALERT_KEYS]);
    assert.match(String(alert.id), /^da\d{18}_-?\d+$/);
    assert.equal(alert.alertCreationTime, wireTimestamp(timestampFromMillis(clock.now())));
    assert.deepEqual(
      { severity: alert.severity, status: alert.status, category: alert.category, title: alert.title, detectionSource: alert.detectionSource, machineId: alert.machineId, computerDnsName: alert.computerDnsName, rbacGroupName: alert.rbacGroupName, assignedTo: alert.assignedTo },
      { severity: 'Medium', status: 'New', category: 'SuspiciousActivity', title: 'Suspicious activity on the device', detectionSource: 'WindowsDefenderAtp', machineId: machine.id, computerDnsName: 'fire-target.contoso.com', rbacGroupName: 'Servers', assignedTo: null },
    );
    // The Machine API sees it at once, as a fetch loop would.
    const token = await server.token();
    const got = await call(`${server.base}/api/alerts/${String(alert.id)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as Json).title, 'Suspicious activity on the device');
  });

  it('takes what the body gives (enums in any case, by computer name) and records the firing in the history', async () => {
    clock.advance(1000);
    const response = await fire('FIRE-TARGET.contoso.com', { title: 'Ransomware drill', severity: 'high', category: 'ransomware', mitreTechniques: ['T1486'], description: 'A drill.' });
    assert.equal(response.status, 201);
    const alert = (await response.json()) as Json;
    assert.deepEqual([alert.title, alert.severity, alert.category, alert.mitreTechniques, alert.description], ['Ransomware drill', 'High', 'Ransomware', ['T1486'], 'A drill.']);
    assert.deepEqual(alert.evidence, []);
    for (const e of alert.evidence as Json[]) assert.deepEqual(Object.keys(e), EVIDENCE_KEYS);
    const [entry] = await server.app.alerts.history(DEMO_TENANT_ID, String(alert.id));
    assert.equal(entry?.route, 'admin');
    assert.deepEqual(entry?.changes, [{ field: 'created', from: null, to: 'Ransomware drill' }]);
  });

  it('refuses bad bodies in the envelope, writing nothing', async () => {
    const before = (await server.app.alerts.history(DEMO_TENANT_ID, 'none')).length;
    await expectError(await fire(machine.id, { severity: 'Huge' }), 400, 'InvalidInput', /severity/);
    await expectError(await fire(machine.id, { severty: 'High' }), 400, 'InvalidInput', /Unknown key "severty"/);
    await expectError(await fire(machine.id, { mitreTechniques: ['not one'] }), 400, 'InvalidInput', /mitreTechniques/);
    await expectError(await fire(machine.id, { title: '' }), 400, 'InvalidInput', /title/);
    assert.equal((await fire(machine.id, '[1]')).status, 400);
    await expectError(await fire(machine.id, '{"title":'), 400, 'InvalidRequestBody');
    assert.equal((await server.app.alerts.history(DEMO_TENANT_ID, 'none')).length, before);
  });

  it('404 for an unknown device, 401 without the admin key', async () => {
    await expectError(await fire('no-such-device', {}), 404, 'ResourceNotFound', 'Machine no-such-device was not found');
    await expectError(await fire(machine.id, {}, { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' }), 401, 'Unauthorized');
  });

  it('rampart alerts fire / list / history on the data folder', async () => {
    const fired = await cli('alerts', 'fire', machine.id, '--severity', 'low', '--title', 'From the CLI', '--json');
    assert.equal(fired.code, 0, fired.stderr);
    const alert = JSON.parse(fired.stdout) as Json;
    assert.deepEqual([alert.severity, alert.title, alert.machineId], ['Low', 'From the CLI', machine.id]);
    const listed = await cli('alerts', 'list', '--machine', 'fire-target.contoso.com', '--status', 'new', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const titles = ((JSON.parse(listed.stdout) as { value: Json[] }).value).map((a) => a.title);
    assert.deepEqual(titles, ['From the CLI', 'Ransomware drill', 'Suspicious activity on the device'], 'newest first');
    const history = await cli('alerts', 'history', String(alert.id));
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /cli\s+app -\s+created: From the CLI/);
    const missing = await cli('alerts', 'fire', 'no-such-device');
    assert.deepEqual([missing.code, missing.stderr], [1, 'rampart: Machine no-such-device was not found\n']);
    const bad = await cli('alerts', 'list', '--status', 'bogus');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected one of Unknown, New, InProgress, Resolved/);
  });

  it('rampart alerts fire --url calls a running server through its admin API', async () => {
    const fired = await cli('alerts', 'fire', machine.id, '--url', server.base, '--category', 'malware', '--json');
    assert.equal(fired.code, 0, fired.stderr);
    const alert = JSON.parse(fired.stdout) as Json;
    assert.deepEqual([alert.category, alert.severity], ['Malware', 'Medium']);
    const [entry] = await server.app.alerts.history(DEMO_TENANT_ID, String(alert.id));
    assert.equal(entry?.route, 'admin');
    const refused = await cli('alerts', 'fire', 'no-such-device', '--url', server.base);
    assert.deepEqual([refused.code, refused.stderr], [1, 'rampart: 404: Machine no-such-device was not found\n']);
  });
});
