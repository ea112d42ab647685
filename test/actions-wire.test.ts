import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis, wireTimestamp } from '../src/shared/timestamp.js';
import { actionClient, addMachine, expectAction, type Json } from './helpers/actions.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectError, GUID } from './helpers/wire.js';

const REFERENCE_AAD = '80fe8ff8-2624-418e-9591-41f0491218f9';
const SHA1 = '87662BC3D60E4200CEAF7AAE249D1C343F4B83C9';

describe('machine actions on the wire', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  let server: TestServer;
  let api: ReturnType<typeof actionClient>;
  before(async () => {
    server = await startTestServer({}, clock);
    api = actionClient(server.base, await server.token());
  });
  after(() => server.close());

  it('isolates through the aadDeviceId on /api/v1.0 with the exact entity, then moves Pending -> InProgress -> Succeeded with the clock', async () => {
    const v1 = actionClient(server.base, await server.token(), '/api/v1.0');
    const created = await expectAction(await v1.post(`/Machines/${REFERENCE_AAD}/Isolate`, { Comment: 'Isolate for investigation' }), 201, server.base);
    const at = wire(clock.now());
    assert.deepEqual({ ...created, id: '' }, {
      '@odata.context': `${server.base}/api/$metadata#MachineActions/$entity`,
      id: '',
      type: 'Isolate',
      title: null,
      requestor: 'Rampart demo application',
      requestorComment: 'Isolate for investigation',
      status: 'Pending',
      machineId: REFERENCE_MACHINE.id,
      computerDnsName: REFERENCE_MACHINE.computerDnsName,
      creationDateTimeUtc: at,
      lastUpdateDateTimeUtc: at,
      cancellationRequestor: null,
      cancellationComment: null,
      cancellationDateTimeUtc: null,
      errorHResult: 0,
      scope: 'Full',
      externalId: null,
      requestSource: 'PublicApi',
      relatedFileInfo: null,
      commands: [],
      troubleshootInfo: null,
    });
    clock.advance(2000);
    const running = await expectAction(await v1.get(`/machineactions/${created.id}`), 200, server.base);
    assert.equal(running.status, 'InProgress');
    assert.equal(running.lastUpdateDateTimeUtc, wire(clock.now()));
    clock.advance(3000);
    const done = await api.action(String(created.id));
    assert.equal(done.status, 'Succeeded');
    assert.equal(done.lastUpdateDateTimeUtc, wire(clock.now()));
    assert.equal(done.creationDateTimeUtc, at);
    // The device is isolated now (Rampart's own view: the Machine entity has no such field).
    const response = await server.app.actions.actions.deviceResponse(DEMO_TENANT_ID, await server.app.machines.get(adminPrincipal(), REFERENCE_MACHINE.id));
    assert.equal(response.isolation?.state, 'Isolated');
    assert.equal(response.isolation?.detail, 'Full');
    // Release it again, so other tests start from a device that is not isolated.
    clock.advance(1000);
    await api.act(REFERENCE_MACHINE.id, 'unisolate', { Comment: 'release' });
    clock.advance(10_000);
  });

  it('refuses a second action of the same family while one is active, with the real service\'s exact compact body', async () => {
    const machine = await addMachine(server.app);
    await api.act(machine.id, 'isolate', { Comment: 'first', IsolationType: 'selective' });
    for (const operation of ['isolate', 'unisolate']) {
      const response = await api.post(`/machines/${machine.id}/${operation}`, { Comment: 'again' });
      const text = await response.text();
      assert.equal(response.status, 400);
      const target = response.headers.get('request-id');
      assert.equal(text, `{"error":{"code":"ActiveRequestAlreadyExists","message":"Action is already in progress","target":"${target}"}}`);
    }
    // Another family is free to run meanwhile.
    const scan = await api.act(machine.id, 'runAntiVirusScan', { Comment: 'scan', ScanType: 'quick' });
    assert.equal(scan.scope, 'Quick');
    clock.advance(5000);
    const again = await api.act(machine.id, 'unisolate', { Comment: 'now it may' });
    assert.equal(again.status, 'Pending');
  });

  it('cancels only a Pending or InProgress action, keeping the id and filling the cancellation fields', async () => {
    const machine = await addMachine(server.app);
    const created = await api.act(machine.id, 'restrictCodeExecution', { Comment: 'restrict' });
    clock.advance(2500);
    const response = await api.post(`/machineactions/${created.id}/cancel`, { Comment: 'changed my mind' });
    const cancelled = await expectAction(response, 200, server.base);
    assert.equal(cancelled.id, created.id);
    assert.equal(cancelled.status, 'Cancelled');
    assert.equal(cancelled.cancellationRequestor, 'Rampart demo application');
    assert.equal(cancelled.cancellationComment, 'changed my mind');
    assert.equal(cancelled.cancellationDateTimeUtc, wire(clock.now()));
    assert.equal(cancelled.lastUpdateDateTimeUtc, cancelled.cancellationDateTimeUtc);
    clock.advance(60_000);
    assert.equal((await api.action(String(created.id))).status, 'Cancelled', 'a cancelled action never resumes');
    await expectError(await api.post(`/machineactions/${created.id}/cancel`, { Comment: 'again' }), 400, 'InvalidRequest', 'Action is already in a final state');
    const finished = await api.act(machine.id, 'runAntiVirusScan', { Comment: 'scan', ScanType: 'Full' });
    clock.advance(5000);
    await expectError(await api.post(`/machineactions/${finished.id}/cancel`, { Comment: 'too late' }), 400, 'InvalidRequest', 'Action is already in a final state');
    await expectError(await api.post(`/machineactions/${finished.id}/cancel`, {}), 400, 'MissingRequiredParameter', 'Parameter Comment is missing.');
  });

  it('answers the documented refusals: missing Comment, bad enum values, a bad Sha1, platforms, unknown ids', async () => {
    const linux = await addMachine(server.app, { osPlatform: 'Linux', rbacGroupId: 101, rbacGroupName: 'Servers' });
    const mac = await addMachine(server.app, { osPlatform: 'macOS' });
    const server2016 = await addMachine(server.app, { osPlatform: 'WindowsServer2016', rbacGroupId: 101, rbacGroupName: 'Servers' });
    const id = REFERENCE_MACHINE.id;
    await expectError(await api.post(`/machines/${id}/isolate`, {}), 400, 'MissingRequiredParameter', 'Parameter Comment is missing.');
    await expectError(await api.post(`/machines/${id}/isolate`, { comment: 'mis-cased key' }), 400, 'MissingRequiredParameter', 'Parameter Comment is missing.');
    await expectError(await api.post(`/machines/${id}/isolate`, { Comment: '' }), 400, 'InvalidInput');
    await expectError(await api.post(`/machines/${id}/isolate`, { Comment: 'x', IsolationType: 'Partial' }), 400, 'InvalidInput', 'The value "Partial" is not valid for IsolationType. Allowed values: Full, Selective, UnManagedDevice.');
    await expectError(await api.post(`/machines/${id}/runAntiVirusScan`, { Comment: 'x' }), 400, 'MissingRequiredParameter', 'Parameter ScanType is missing.');
    await expectError(await api.post(`/machines/${id}/runAntiVirusScan`, { Comment: 'x', ScanType: 'Deep' }), 400, 'InvalidInput');
    await expectError(await api.post(`/machines/${id}/StopAndQuarantineFile`, { Comment: 'x', Sha1: 'not-a-hash' }), 400, 'InvalidHashValue');
    await expectError(await api.post(`/machines/${id}/StopAndQuarantineFile`, { Comment: 'x' }), 400, 'MissingRequiredParameter', 'Parameter Sha1 is missing.');
    await expectError(await api.post(`/machines/${id}/runliveresponse`, { Comment: 'x', Commands: [{ type: 'Explode', params: [] }] }), 400, 'InvalidInput');
    await expectError(await api.post(`/machines/${linux.id}/offboard`, { Comment: 'x' }), 400, 'OsPlatformNotSupported');
    await expectError(await api.post(`/machines/${mac.id}/restrictCodeExecution`, { Comment: 'x' }), 400, 'OsPlatformNotSupported');
    await expectError(await api.post(`/machines/${server2016.id}/StopAndQuarantineFile`, { Comment: 'x', Sha1: SHA1 }), 400, 'OsPlatformNotSupported');
    await expectError(await api.post(`/machines/${'0'.repeat(40)}/isolate`, { Comment: 'x' }), 404, 'ResourceNotFound', `Machine ${'0'.repeat(40)} was not found`);
    await expectError(await api.get(`/machineactions/${crypto.randomUUID()}`), 404, 'ResourceNotFound');
    await expectError(await call(`${server.base}/api/machines/${id}/isolate`, { method: 'POST', headers: { authorization: `Bearer ${await server.token()}` }, body: '{"Comment":' }), 400, 'InvalidRequestBody');
    // Isolation and scans run on every platform.
    assert.equal((await api.act(linux.id, 'isolate', { Comment: 'linux isolation' })).status, 'Pending');
  });

  it('quarantines a file with relatedFileInfo, and offboards a Windows device, which then stops reporting', async () => {
    const machine = await addMachine(server.app, { osPlatform: 'WindowsServer2019', rbacGroupId: 101, rbacGroupName: 'Servers' });
    const quarantine = await api.act(machine.id, 'StopAndQuarantineFile', { Comment: 'stop it', Sha1: SHA1 });
    assert.deepEqual(quarantine.relatedFileInfo, { fileIdentifier: SHA1.toLowerCase(), fileIdentifierType: 'Sha1' });
    const offboard = await api.act(machine.computerDnsName, 'offboard', { Comment: 'decommissioned' });
    clock.advance(5000);
    assert.equal((await api.action(String(offboard.id))).status, 'Succeeded');
    const device = (await (await api.get(`/machines/${machine.id}`)).json()) as Json;
    assert.equal(device.healthStatus, 'Inactive');
    assert.equal(device.onboardingStatus, machine.onboardingStatus, 'onboardingStatus stays');
  });

  it('leaves an action on a device that is not Active Pending, until it times out after the tenant timeout (3 days)', async () => {
    const machine = await addMachine(server.app, { healthStatus: 'Inactive' });
    const created = await api.act(machine.id, 'isolate', { Comment: 'offline device' });
    clock.advance(3 * 86_400_000 - 1000);
    const later = actionClient(server.base, await server.token());
    assert.equal((await later.action(String(created.id))).status, 'Pending');
    clock.advance(1000);
    const timedOut = await later.action(String(created.id));
    assert.equal(timedOut.status, 'TimeOut');
    assert.equal(timedOut.errorHResult, 0);
    api = later;
  });

  it('runs live-response commands in turn, fails at a file missing from the library, and serves results through signed links', async () => {
    const machine = await addMachine(server.app);
    const commands = [
      { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect-triage.ps1' }, { key: 'Args', value: '-Verbose' }] },
      { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\Windows\\Temp\\dropper.log' }] },
      { type: 'PutFile', params: [{ key: 'FileName', value: 'remediation-tool.exe' }] },
    ];
    const created = await api.act(machine.id, 'runliveresponse', { Comment: 'triage', Commands: commands });
    assert.deepEqual(
      (created.commands as Json[]).map((c) => [c.index, c.commandStatus, c.startTime, c.endTime, c.command]),
      commands.map((command, i) => [i, 'Created', null, null, command]),
    );
    await expectError(await api.get(`/machineactions/${created.id}/GetLiveResponseResultDownloadLink(index=0)`), 404, 'ResourceNotFound');
    clock.advance(2000 + 1000); // picked up; the first of three commands (1 s each) has run
    const running = await api.action(String(created.id));
    assert.deepEqual((running.commands as Json[]).map((c) => c.commandStatus), ['Completed', 'Created', 'Created']);
    clock.advance(2000);
    const done = await api.action(String(created.id));
    assert.equal(done.status, 'Succeeded');
    assert.deepEqual((done.commands as Json[]).map((c) => c.commandStatus), ['Completed', 'Completed', 'Completed']);

    const linkReply = await api.get(`/machineactions/${created.id}/GetLiveResponseResultDownloadLink(index=0)`);
    const link = (await linkReply.json()) as Json;
    assert.equal(link['@odata.context'], `${server.base}/api/$metadata#Edm.String`);
    assert.match(String(link.value), new RegExp(`^${server.base}/downloads/`));
    const result = (await (await call(String(link.value))).json()) as Json;
    assert.deepEqual(Object.keys(result), ['script_name', 'exit_code', 'script_output', 'script_errors']);
    assert.equal(result.script_name, 'collect-triage.ps1');
    assert.equal(result.exit_code, 0);
    const file = await call(String(((await (await api.get(`/machineactions/${created.id}/GetLiveResponseResultDownloadLink(index=1)`)).json()) as Json).value));
    assert.equal(file.headers.get('content-type'), 'application/gzip');
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b]);
    await expectError(await api.get(`/machineactions/${created.id}/GetLiveResponseResultDownloadLink(index=2)`), 404, 'ResourceNotFound');

    // A file that is not in the library fails its command; the ones after it never run.
    clock.advance(1000);
    const failing = await api.act(machine.id, 'runliveresponse', {
      Comment: 'bad file',
      Commands: [{ type: 'PutFile', params: [{ key: 'FileName', value: 'nope.exe' }] }, commands[0]],
    });
    clock.advance(10_000);
    const failed = await api.action(String(failing.id));
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.errorHResult, -2147024894);
    assert.deepEqual((failed.commands as Json[]).map((c) => [c.commandStatus, c.errors]), [['Failed', ["The file 'nope.exe' was not found in the live response library."]], ['Created', []]]);
  });

  it('serves the investigation package only after the collection succeeded, through a link that expires after 10 minutes', async () => {
    const machine = await addMachine(server.app);
    const created = await api.act(machine.aadDeviceId as string, 'collectInvestigationPackage', { Comment: 'collect' });
    await expectError(await api.get(`/machineactions/${created.id}/getPackageUri`), 404, 'ResourceNotFound');
    clock.advance(5000);
    const reply = await api.get(`/machineactions/${created.id}/GetPackageUri`);
    assert.equal(reply.status, 200);
    const link = String(((await reply.json()) as Json).value);
    const zip = await call(link);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    const bytes = Buffer.from(await zip.arrayBuffer());
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    assert.ok(bytes.includes(Buffer.from('Processes/Processes.csv')));
    await expectError(await call(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), 403, 'Forbidden', 'The download link is not valid.');
    clock.advance(10 * 60_000);
    await expectError(await call(link), 403, 'Forbidden', 'The download link has expired.');
  });

  it('starts an automated investigation that runs on the action timings', async () => {
    const response = await api.post(`/machines/${REFERENCE_MACHINE.computerDnsName}/startInvestigation`, { Comment: 'look into it' });
    const text = await response.text();
    assert.equal(response.status, 201, text);
    const created = JSON.parse(text) as Json;
    assert.deepEqual(Object.keys(created), ['@odata.context', 'id', 'startTime', 'endTime', 'cancelledBy', 'investigationState', 'statusDetails', 'machineId', 'computerDnsName', 'triggeringAlertId']);
    assert.equal(created['@odata.context'], `${server.base}/api/$metadata#Investigations/$entity`);
    assert.match(String(created.id), /^\d+$/);
    assert.equal(created.investigationState, 'Running');
    assert.equal(created.endTime, null);
    clock.advance(5000);
    const done = (await (await api.get(`/investigations/${created.id}`)).json()) as Json;
    assert.equal(done.investigationState, 'Benign');
    assert.equal(done.endTime, wire(clock.now()));
    const list = (await (await api.get('/investigations')).json()) as Json;
    assert.equal((list.value as Json[])[0]?.id, created.id);
  });

  it('records every action call in the request journal under its operation', async () => {
    const machine = await addMachine(server.app);
    const created = await api.act(machine.id, 'runAntiVirusScan', { Comment: 'journal', ScanType: 'Quick' });
    await api.get(`/machineactions/${created.id}`);
    const entries = await server.app.traffic.journal.list(DEMO_TENANT_ID, 2);
    assert.deepEqual(entries.map((e) => [e.operation, e.status]), [['GetMachineAction', 200], ['RunAntiVirusScan', 201]]);
    assert.match(entries[1]?.requestId ?? '', GUID);
  });
});

/** A moment as the wire writes it. */
const wire = (ms: number): string => wireTimestamp(timestampFromMillis(ms));

function adminPrincipal() {
  return { kind: 'application', tenantId: DEMO_TENANT_ID, appId: 'test', roles: new Set(['Machine.Read.All']), expiresAt: Number.MAX_SAFE_INTEGER } as const;
}
