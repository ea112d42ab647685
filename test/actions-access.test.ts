import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT, DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { TenantDocument } from '../src/domain/identity/tenant-document.js';
import { randomAt } from '../src/domain/traffic/faults.js';
import { ManualClock } from '../src/shared/clock.js';
import { actionClient, addMachine, type Json } from './helpers/actions.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { appToken, userToken } from './helpers/tokens.js';
import { expectError } from './helpers/wire.js';

/** Applications and a user that hold only some of the action permissions and roles. */
const APPS = {
  reader: { clientId: 'ac710000-0000-4000-8000-000000000001', clientSecret: 'reader-secret-1', permissions: ['Machine.Read.All'] },
  scanner: { clientId: 'ac710000-0000-4000-8000-000000000002', clientSecret: 'scanner-secret-1', permissions: ['Machine.Read.All', 'Machine.Scan'] },
};
const RESPONDER = { userPrincipalName: 'responder@rampart.demo', password: 'rampart-responder', displayName: 'Rory Responder', userGroups: ['lab-responders'] };

function tenantWithResponders(): TenantDocument {
  return {
    ...DEMO_TENANT,
    applications: [
      ...(DEMO_TENANT.applications ?? []),
      ...Object.values(APPS).map((a) => ({ clientId: a.clientId, name: `app ${a.clientId.slice(-1)}`, secret: a.clientSecret, applicationPermissions: a.permissions })),
    ],
    users: [...(DEMO_TENANT.users ?? []), RESPONDER],
    roles: [...(DEMO_TENANT.roles ?? []), { name: 'Lab responder', permissions: ['View data', 'Active remediation actions'], userGroups: ['lab-responders'] }],
    deviceGroups: (DEMO_TENANT.deviceGroups ?? []).map((g) => (g.id === 103 ? { ...g, userGroups: [...(g.userGroups ?? []), 'lab-responders'] } : g)),
  };
}

const appForbidden = (permission: string) => `The application does not have any of the required application permissions (${permission}) to access the resource.`;

describe('machine actions: permissions, device groups, limits, faults, restarts', () => {
  const clock = new ManualClock(Date.parse('2026-04-01T09:00:00Z'));
  let server: TestServer;
  let admin: ReturnType<typeof actionClient>;
  const adminApi = (path: string, method = 'GET', body?: unknown) =>
    call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  before(async () => {
    server = await startTestServer({ rateLimits: true }, clock);
    await server.app.tenants.apply(tenantWithResponders());
    admin = actionClient(server.base, await server.token());
  });
  after(() => server.close());

  it('needs the action\'s own application permission; a cancel needs the permission of the action it cancels', async () => {
    const machine = await addMachine(server.app);
    const reader = actionClient(server.base, await appToken(server.base, APPS.reader));
    await expectError(await reader.post(`/machines/${machine.id}/isolate`, { Comment: 'x' }), 403, 'Forbidden', appForbidden('Machine.Isolate'));
    await expectError(await reader.post(`/machines/${machine.id}/runAntiVirusScan`, { Comment: 'x', ScanType: 'Quick' }), 403, 'Forbidden', appForbidden('Machine.Scan'));
    const isolation = await admin.act(machine.id, 'isolate', { Comment: 'by the demo app' });
    assert.equal((await reader.action(String(isolation.id))).status, 'Pending', 'reading needs only Machine.Read.All');

    const scanner = actionClient(server.base, await appToken(server.base, APPS.scanner));
    await expectError(await scanner.post(`/machineactions/${isolation.id}/cancel`, { Comment: 'not mine to cancel' }), 403, 'Forbidden', appForbidden('Machine.Isolate'));
    const scan = await scanner.act(machine.id, 'runAntiVirusScan', { Comment: 'scan', ScanType: 'Quick' });
    assert.equal(scan.requestor, 'app 2');
    const cancelled = (await (await scanner.post(`/machineactions/${scan.id}/cancel`, { Comment: 'stop' })).json()) as Json;
    assert.equal(cancelled.status, 'Cancelled');
    await expectError(await reader.post(`/machineactions/${scan.id}/cancel`, { Comment: 'x' }), 403, 'Forbidden');
  });

  it('keeps a delegated caller to its device groups and its role: 404 outside them, never listed', async () => {
    const lab = await addMachine(server.app, { machineTags: ['Lab'], rbacGroupId: 103, rbacGroupName: 'Lab' });
    const workstation = await addMachine(server.app);
    const responder = actionClient(server.base, await userToken(server.base, RESPONDER));
    const own = await responder.act(lab.computerDnsName, 'isolate', { Comment: 'lab isolation' });
    assert.equal(own.requestor, RESPONDER.userPrincipalName);
    await expectError(await responder.post(`/machines/${workstation.id}/isolate`, { Comment: 'x' }), 404, 'ResourceNotFound', `Machine ${workstation.id} was not found`);
    const hidden = await admin.act(workstation.id, 'isolate', { Comment: 'beyond the responder' });
    await expectError(await responder.get(`/machineactions/${hidden.id}`), 404, 'ResourceNotFound');
    await expectError(await responder.post(`/machineactions/${hidden.id}/cancel`, { Comment: 'x' }), 404, 'ResourceNotFound');
    const listed = (await (await responder.get(`/machineactions?$filter=id in (${own.id}, ${hidden.id})&$count=true`)).json()) as Json;
    assert.deepEqual((listed.value as Json[]).map((a) => a.id), [own.id]);
    assert.equal(listed['@odata.count'], 1);
    await expectError(await responder.post(`/machines/${lab.id}/offboard`, { Comment: 'x' }), 403, 'Forbidden', 'The user does not have any of the required role permissions (Manage security setting) to access the resource.');
    const analyst = actionClient(server.base, await userToken(server.base, DEMO_USERS.analyst));
    await expectError(await analyst.post(`/machines/${lab.id}/isolate`, { Comment: 'x' }), 403, 'Forbidden', 'The user does not have any of the required role permissions (Active remediation actions) to access the resource.');
  });

  it('limits live response to 10 calls a minute and the package link to 2, when limits are on', async () => {
    const machine = await addMachine(server.app);
    for (let i = 0; i < 10; i++) await expectError(await admin.post(`/machines/${machine.id}/runliveresponse`, {}), 400, 'MissingRequiredParameter');
    const refused = await admin.post(`/machines/${machine.id}/runliveresponse`, {});
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    await expectError(refused, 429, 'TooManyRequests');
    const unknown = crypto.randomUUID();
    for (let i = 0; i < 2; i++) await expectError(await admin.get(`/machineactions/${unknown}/getPackageUri`), 404, 'ResourceNotFound');
    await expectError(await admin.get(`/machineactions/${unknown}/getPackageUri`), 429, 'TooManyRequests');
    clock.advance(61_000);
  });

  it('refuses a 26th live-response session while 25 are Pending or InProgress in the tenant', async () => {
    const devices = await Promise.all(Array.from({ length: 26 }, () => addMachine(server.app)));
    const commands = [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'triage.sh' }] }];
    for (const [i, device] of devices.entries()) {
      if (i > 0 && i % 10 === 0) clock.advance(60_000); // keep within the 10-a-minute limit; the sessions stay Pending with a Pending rule
      if (i === 0) await adminApi('/faults', 'POST', { id: 'hold-lr', operations: ['RunLiveResponse'], outcome: 'Pending' });
      const response = await admin.post(`/machines/${device.id}/runliveresponse`, { Comment: `session ${i}`, Commands: commands });
      if (i < 25) assert.equal(response.status, 201, await response.text());
      else await expectError(response, 429, 'TooManyRequests');
    }
    await adminApi('/faults/hold-lr', 'DELETE');
  });

  it('steers outcomes with fault rules: Failed with an HRESULT, TimeOut, stuck in Pending, by call count and machine', async () => {
    const machine = await addMachine(server.app);
    const other = await addMachine(server.app);
    await adminApi('/faults', 'POST', { id: 'fail-first', operations: ['RunAntiVirusScan'], outcome: 'Failed', errorHResult: -2147024891, calls: '1' });
    const failing = await admin.act(machine.id, 'runAntiVirusScan', { Comment: 'scan 1', ScanType: 'Quick' });
    assert.equal(failing.errorHResult, 0, 'no failure shows before the action ends');
    clock.advance(5000);
    const failed = await admin.action(String(failing.id));
    assert.deepEqual([failed.status, failed.errorHResult], ['Failed', -2147024891]);
    const second = await admin.act(machine.id, 'runAntiVirusScan', { Comment: 'scan 2', ScanType: 'Quick' });
    clock.advance(5000);
    assert.equal((await admin.action(String(second.id))).status, 'Succeeded');

    await adminApi('/faults', 'POST', { id: 'timeout-one', operations: ['Isolate'], machines: [machine.computerDnsName], outcome: 'TimeOut' });
    const timing = await admin.act(machine.id, 'isolate', { Comment: 'times out' });
    const fine = await admin.act(other.id, 'isolate', { Comment: 'another machine' });
    clock.advance(2000);
    assert.equal((await admin.action(String(timing.id))).status, 'TimeOut');
    clock.advance(3000);
    assert.equal((await admin.action(String(fine.id))).status, 'Succeeded');

    await adminApi('/faults', 'POST', { id: 'stuck', operations: ['RestrictCodeExecution'], outcome: 'Pending' });
    const stuck = await admin.act(machine.id, 'restrictCodeExecution', { Comment: 'never picked up' });
    clock.advance(30 * 60_000);
    admin = actionClient(server.base, await server.token());
    assert.equal((await admin.action(String(stuck.id))).status, 'Pending');
    assert.equal((await (await admin.post(`/machineactions/${stuck.id}/cancel`, { Comment: 'give up' })).json() as Json).status, 'Cancelled');
    await adminApi('/faults', 'DELETE');
  });

  it('steers by a seeded rate: the same seed fails the same calls', async () => {
    await adminApi('/faults', 'POST', { id: 'coin', operations: ['RunAntiVirusScan'], outcome: 'Failed', rate: 0.5, seed: 42 });
    const statuses: string[] = [];
    for (let n = 1; n <= 8; n++) {
      const device = await addMachine(server.app);
      const created = await admin.act(device.id, 'runAntiVirusScan', { Comment: `scan ${n}`, ScanType: 'Quick' });
      clock.advance(5000);
      statuses.push(String((await admin.action(String(created.id))).status));
    }
    assert.deepEqual(statuses, Array.from({ length: 8 }, (_, i) => (randomAt(42, i + 1) < 0.5 ? 'Failed' : 'Succeeded')));
    assert.ok(statuses.includes('Failed') && statuses.includes('Succeeded'));
    await adminApi('/faults', 'DELETE');
  });

  it('injects call faults on action operations without creating an action', async () => {
    const machine = await addMachine(server.app);
    await adminApi('/faults', 'POST', { id: 'down', operations: ['Isolate'], error: 'ServiceUnavailable', calls: '1' });
    await expectError(await admin.post(`/machines/${machine.id}/isolate`, { Comment: 'x' }), 503, 'ServiceUnavailable');
    const listed = (await (await admin.get(`/machineactions?$filter=machineId eq '${machine.id}'`)).json()) as Json;
    assert.deepEqual(listed.value, []);
    assert.equal((await admin.act(machine.id, 'isolate', { Comment: 'second call passes' })).status, 'Pending');
    await adminApi('/faults', 'DELETE');
  });
});

describe('machine actions across a restart', () => {
  it('reads the same status from a restarted server, and the timeline goes on', async () => {
    const clock = new ManualClock(Date.parse('2026-05-01T09:00:00Z'));
    const dataDir = await mkdtemp(join(tmpdir(), 'rampart-actions-'));
    try {
      const first = await startTestServer({ dataDir }, clock);
      const created = await actionClient(first.base, await first.token()).act('mymachine1.contoso.com', 'isolate', { Comment: 'before restart' });
      clock.advance(2500);
      await first.close();
      const second = await startTestServer({ dataDir }, clock);
      try {
        const api = actionClient(second.base, await second.token());
        const read = await api.action(String(created.id));
        assert.deepEqual([read.status, read.creationDateTimeUtc], ['InProgress', created.creationDateTimeUtc]);
        clock.advance(3000);
        assert.equal((await api.action(String(created.id))).status, 'Succeeded');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
