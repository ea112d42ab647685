import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATIONS, type Operation } from '../src/api/operations.js';
import { DEMO_READONLY_APP, DEMO_TENANT_ID, DEMO_USERS, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope } from '../src/domain/ports.js';
import { seedFleet } from '../src/fleet/seed.js';
import { timestampToMillis, type Timestamp } from '../src/shared/timestamp.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { appToken, MDE_RESOURCE, userToken } from './helpers/tokens.js';
import { expectEntity, expectError } from './helpers/wire.js';

/**
 * Every implemented operation x every kind of principal, with the exact status and error:
 * application permissions (roles), delegated permissions (scp), role permissions and device
 * groups. A refused write leaves the machine exactly as it was.
 */
const TENANT_B = 'b0b0b0b0-0000-4000-8000-00000000000b';
const B_APPS = {
  none: { clientId: 'b0b0b0b0-0000-4000-8000-0000000000a0', clientSecret: 'b-none-secret', permissions: [] },
  read: { clientId: 'b0b0b0b0-0000-4000-8000-0000000000a1', clientSecret: 'b-read-secret', permissions: ['Machine.Read.All'] },
  write: { clientId: 'b0b0b0b0-0000-4000-8000-0000000000a2', clientSecret: 'b-write-secret', permissions: ['Machine.ReadWrite.All'] },
  both: { clientId: 'b0b0b0b0-0000-4000-8000-0000000000a3', clientSecret: 'b-both-secret', permissions: ['Machine.Read.All', 'Machine.ReadWrite.All'] },
};
const everything = (tenantId: string): MachineScope => ({ tenantId, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null });

type Expect = 200 | 404 | { readonly forbidden: string };
const app = (permissions: string) => ({ forbidden: `The application does not have any of the required application permissions (${permissions}) to access the resource.` });
const delegated = (permissions: string) => ({ forbidden: `The application does not have any of the required delegated permissions (${permissions}) to access the resource.` });
const role = (permission: string) => ({ forbidden: `The user does not have any of the required role permissions (${permission}) to access the resource.` });
const R = 'Machine.Read.All, Machine.ReadWrite.All';
const W = 'Machine.ReadWrite.All';
const MSS = role('Manage security setting');
const AI = role('Alerts investigation');

type Principal = 'demo app' | 'demo app (v1)' | 'read-only app' | 'B: no permission' | 'B: Machine.Read.All' | 'B: Machine.ReadWrite.All only' | 'B: both'
  | 'admin' | 'admin (v1)' | 'analyst' | 'operator' | 'admin, scope Machine.Read' | 'operator, scope Machine.Read' | 'admin through the read-only app';
type Target = 'lab' | 'server' | 'ungrouped' | 'a-team' | 'tenant B';

/** [principal, machine, GetMachine, SetDeviceValue, UpdateMachine] */
const MATRIX: [Principal, Target, Expect, Expect, Expect][] = [
  ['demo app', 'lab', 200, 200, 200],
  ['demo app', 'server', 200, 200, 200],
  ['demo app', 'ungrouped', 200, 200, 200],
  ['demo app (v1)', 'a-team', 200, 200, 200],
  ['read-only app', 'lab', 200, app(W), app(W)],
  ['read-only app', 'server', 200, app(W), app(W)],
  ['B: no permission', 'tenant B', app(R), app(W), app(W)],
  ['B: Machine.Read.All', 'tenant B', 200, app(W), app(W)],
  ['B: Machine.ReadWrite.All only', 'tenant B', 200, 200, 200],
  ['B: both', 'tenant B', 200, 200, 200],
  ['admin', 'lab', 200, 200, 200],
  ['admin', 'server', 200, 200, 200],
  ['admin', 'ungrouped', 200, 200, 200],
  ['admin (v1)', 'a-team', 200, 200, 200],
  ['analyst', 'lab', 200, MSS, AI],
  ['analyst', 'a-team', 200, MSS, AI],
  ['operator', 'lab', 200, 200, AI],
  ['operator', 'server', 404, 404, AI],
  ['operator', 'ungrouped', 404, 404, AI],
  ['operator', 'a-team', 404, 404, AI],
  ['admin, scope Machine.Read', 'lab', 200, delegated('Machine.ReadWrite'), delegated('Machine.ReadWrite')],
  ['operator, scope Machine.Read', 'lab', 200, delegated('Machine.ReadWrite'), delegated('Machine.ReadWrite')],
  ['admin through the read-only app', 'server', 200, delegated('Machine.ReadWrite'), delegated('Machine.ReadWrite')],
];

describe('authorization: operation x principal', () => {
  let server: TestServer;
  const tokens = new Map<Principal, string>();
  const targets = new Map<Target, Machine>();
  let referenceBefore: Machine | undefined;
  const url = (path: string) => `${server.base}${path}`;
  const tenantOf = (target: Target) => (target === 'tenant B' ? TENANT_B : DEMO_TENANT_ID);
  const stored = async (target: Target) => {
    const machine = targets.get(target);
    assert.ok(machine, `no ${target} machine`);
    const current = await server.app.store.getById(everything(tenantOf(target)), machine.id);
    assert.ok(current);
    return current;
  };

  before(async () => {
    server = await startTestServer({ demoMachines: 120 });
    const put = await call(url(`/admin/tenants/${TENANT_B}`), {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Tenant B',
        applications: Object.entries(B_APPS).map(([name, a]) => ({ clientId: a.clientId, name, secret: a.clientSecret, applicationPermissions: a.permissions })),
      }),
    });
    assert.equal(put.status, 200, await put.text());
    // Tenant B's fleet holds its own copy of the reference machine: same id, another tenant.
    await seedFleet(server.app.store, TENANT_B, { count: 10, seed: 7, nowMs: Date.now() });
    const b = server.base;
    const { admin, analyst, operator } = DEMO_USERS;
    const readScope = `${MDE_RESOURCE}/Machine.Read`;
    const all: [Principal, Promise<string>][] = [
      ['demo app', appToken(b)],
      ['demo app (v1)', appToken(b, undefined, { version: 'v1' })],
      ['read-only app', appToken(b, DEMO_READONLY_APP)],
      ['B: no permission', appToken(b, B_APPS.none, { tenant: TENANT_B })],
      ['B: Machine.Read.All', appToken(b, B_APPS.read, { tenant: TENANT_B })],
      ['B: Machine.ReadWrite.All only', appToken(b, B_APPS.write, { tenant: TENANT_B })],
      ['B: both', appToken(b, B_APPS.both, { tenant: TENANT_B })],
      ['admin', userToken(b, admin)],
      ['admin (v1)', userToken(b, admin, { version: 'v1' })],
      ['analyst', userToken(b, analyst)],
      ['operator', userToken(b, operator)],
      ['admin, scope Machine.Read', userToken(b, admin, { scope: readScope })],
      ['operator, scope Machine.Read', userToken(b, operator, { scope: readScope })],
      ['admin through the read-only app', userToken(b, admin, { client: DEMO_READONLY_APP })],
    ];
    for (const [name, token] of all) tokens.set(name, await token);

    const fresh = (m: Machine) => timestampToMillis(m.lastSeen) > Date.now() - 179 * 86_400_000;
    const byGroup: [Target, number][] = [['lab', 103], ['server', 101], ['ungrouped', 0], ['a-team', 140]];
    for await (const batch of server.app.store.allMachines(DEMO_TENANT_ID)) {
      for (const m of batch.filter(fresh)) {
        for (const [target, group] of byGroup) if (m.rbacGroupId === group && m.id !== REFERENCE_MACHINE.id && !targets.has(target)) targets.set(target, m);
      }
    }
    const inB = await server.app.store.getById(everything(TENANT_B), REFERENCE_MACHINE.id);
    assert.ok(inB, 'tenant B has its copy of the reference machine');
    targets.set('tenant B', inB);
    for (const target of ['lab', 'server', 'ungrouped', 'a-team'] as const) assert.ok(targets.has(target), `the demo fleet has a visible ${target} machine`);
    referenceBefore = await server.app.store.getById(everything(DEMO_TENANT_ID), REFERENCE_MACHINE.id);
  });
  after(() => server.close());

  const check = async (response: Response, expected: Expect, machine: Machine) => {
    if (expected === 200) return expectEntity(response);
    if (expected === 404) return expectError(response, 404, 'ResourceNotFound', `Machine ${machine.id} was not found`);
    return expectError(response, 403, 'Forbidden', expected.forbidden);
  };

  for (const [principal, target, get, setValue, patch] of MATRIX) {
    it(`${principal} on a ${target} machine: GET ${status(get)}, setDeviceValue ${status(setValue)}, PATCH ${status(patch)}`, async () => {
      const headers = { authorization: `Bearer ${tokens.get(principal)}`, 'content-type': 'application/json' };
      const machine = await stored(target);
      const path = url(`/api/machines/${machine.id}`);
      const read = await check(await call(path, { headers: { authorization: headers.authorization } }), get, machine);
      if (get === 200) assert.equal((read as Record<string, unknown>).id, machine.id);

      for (const [expected, method, suffix, key] of [[setValue, 'POST', '/setDeviceValue', 'DeviceValue'], [patch, 'PATCH', '', 'deviceValue']] as const) {
        const before = await stored(target);
        const next = before.deviceValue === 'High' ? 'Low' : 'High';
        const body = await check(await call(`${path}${suffix}`, { method, headers, body: JSON.stringify({ [key]: next }) }), expected, machine);
        const afterwards = await stored(target);
        if (expected === 200) {
          assert.equal((body as Record<string, unknown>).deviceValue, next, `${method} reply`);
          assert.equal(afterwards.deviceValue, next, `${method} stored`);
        } else {
          assert.deepEqual(afterwards, before, `a refused ${method} changed nothing`);
        }
      }
    });
  }

  it('an invisible machine is indistinguishable from a missing one, by id, name and aadDeviceId', async () => {
    const operator = { authorization: `Bearer ${tokens.get('operator')}` };
    const server101 = await stored('server');
    for (const key of [server101.id, server101.computerDnsName, server101.aadDeviceId, REFERENCE_MACHINE.id, REFERENCE_MACHINE.computerDnsName]) {
      if (!key) continue;
      await expectError(await call(url(`/api/machines/${key}`), { headers: operator }), 404, 'ResourceNotFound', `Machine ${key} was not found`);
    }
    const missing = 'f'.repeat(40);
    await expectError(await call(url(`/api/machines/${missing}`), { headers: operator }), 404, 'ResourceNotFound', `Machine ${missing} was not found`);
  });

  it("tenant B's writes to its copy of the reference machine never touched the demo tenant's", async () => {
    assert.notEqual((await stored('tenant B')).deviceValue, undefined);
    assert.deepEqual(await server.app.store.getById(everything(DEMO_TENANT_ID), REFERENCE_MACHINE.id), referenceBefore);
  });

  const listed = OPERATIONS.some((o) => o.id === 'ListMachines' && (o as Operation).implemented);
  it('lists hold only the device groups a delegated caller sees', { skip: listed ? false : 'ListMachines is not implemented yet' }, async () => {
    const groupsIn = async (principal: Principal) => {
      const response = await call(url('/api/machines'), { headers: { authorization: `Bearer ${tokens.get(principal)}` } });
      assert.equal(response.status, 200);
      return new Set(((await response.json()) as { value: Machine[] }).value.map((m) => m.rbacGroupId));
    };
    assert.deepEqual([...(await groupsIn('operator'))], [103]);
    assert.deepEqual([...(await groupsIn('analyst'))].sort((a, b) => a - b), [0, 101, 102, 103, 140]);
    assert.deepEqual([...(await groupsIn('demo app'))].sort((a, b) => a - b), [0, 101, 102, 103, 140]);
  });

  it('alerts follow their device: a user reads and triages only alerts of devices in its groups', async () => {
    const { alertInput, raiseAlerts } = await import('./helpers/alerts.js');
    const onTarget = new Map<Target, string>();
    for (const target of ['lab', 'server', 'ungrouped', 'a-team'] as const) {
      const [alert] = await raiseAlerts(server.app, [alertInput((await stored(target)).id, Date.now(), { title: `authz ${target}` })]);
      onTarget.set(target, alert?.id ?? '');
    }
    // [principal, target, GET /alerts/{id}, PATCH /alerts/{id}]
    const rows: [Principal, Target, Expect, Expect][] = [
      ['demo app', 'server', 200, 200],
      ['read-only app', 'lab', app('Alert.Read.All, Alert.ReadWrite.All'), app('Alert.ReadWrite.All')],
      ['admin', 'a-team', 200, 200],
      ['analyst', 'server', 200, AI],
      ['operator', 'lab', 200, AI],
      ['operator', 'server', 404, AI],
      ['operator', 'ungrouped', 404, AI],
      ['admin, scope Machine.Read', 'lab', delegated('Alert.Read, Alert.ReadWrite'), delegated('Alert.ReadWrite')],
    ];
    for (const [principal, target, read, patch] of rows) {
      const id = onTarget.get(target) ?? '';
      const headers = { authorization: `Bearer ${tokens.get(principal)}`, 'content-type': 'application/json' };
      const calls: [Expect, RequestInit][] = [[read, { headers }], [patch, { method: 'PATCH', headers, body: JSON.stringify({ comment: `by ${principal}` }) }]];
      for (const [expected, init] of calls) {
        const response = await call(url(`/api/alerts/${id}`), init);
        const where = `${principal} on ${target}: ${init.method ?? 'GET'}`;
        if (expected === 200) assert.equal(response.status, 200, `${where} ${await response.text()}`);
        else if (expected === 404) await expectError(response, 404, 'ResourceNotFound', `Alert ${id} was not found`);
        else await expectError(response, 403, 'Forbidden', expected.forbidden);
      }
    }
  });

  // Every other operation, checked at the permission level: a permitted call answers one of
  // `accept` (an unknown action id is 404 only after the permission check), a refused one 403.
  const unknownAction = '0d0e0a0d-0000-4000-8000-000000000000';
  const act = (operation: string, body: Record<string, unknown> = {}) => (m: Machine) =>
    ({ path: `/api/machines/${m.id}/${operation}`, method: 'POST' as const, body: { Comment: 'authz probe', ...body }, accept: [201, 400] });
  const unknownAlert = 'da637472900382838869_1364969609';
  const EXTRA_REQUESTS: Record<string, (m: Machine) => { path: string; method?: 'POST' | 'PATCH'; body?: unknown; accept?: readonly number[] }> = {
    ListMachines: () => ({ path: '/api/machines?$top=5' }),
    FindMachinesByIp: (m) => ({ path: `/api/machines/findbyip(ip='${m.lastIpAddress}',timestamp=${new Date().toISOString().slice(0, 19)}Z)` }),
    FindMachinesByTag: () => ({ path: '/api/machines/findbytag?tag=Lab&useStartsWithFilter=false' }),
    AddOrRemoveTag: (m) => ({ path: `/api/machines/${m.id}/tags`, method: 'POST', body: { Value: 'authz-probe', Action: 'Add' } }),
    AddOrRemoveTagForMultipleMachines: (m) => ({ path: '/api/machines/AddOrRemoveTagForMultipleMachines', method: 'POST', body: { Value: 'authz-probe', Action: 'Add', MachineIds: [m.id] } }),
    // A second request of the family while the first runs is 400: the permission check passed.
    Isolate: act('isolate'),
    Unisolate: act('unisolate'),
    RunAntiVirusScan: act('runAntiVirusScan', { ScanType: 'Quick' }),
    RestrictCodeExecution: act('restrictCodeExecution'),
    UnrestrictCodeExecution: act('unrestrictCodeExecution'),
    CollectInvestigationPackage: act('collectInvestigationPackage'),
    Offboard: act('offboard'),
    StopAndQuarantineFile: act('StopAndQuarantineFile', { Sha1: 'a'.repeat(40) }),
    RunLiveResponse: act('runliveresponse', { Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: '/etc/hosts' }] }] }),
    StartInvestigation: act('startInvestigation'),
    ListMachineActions: () => ({ path: '/api/machineactions?$top=5' }),
    GetMachineAction: () => ({ path: `/api/machineactions/${unknownAction}`, accept: [404] }),
    CancelMachineAction: () => ({ path: `/api/machineactions/${unknownAction}/cancel`, method: 'POST', body: { Comment: 'authz probe' }, accept: [404] }),
    GetPackageUri: () => ({ path: `/api/machineactions/${unknownAction}/getPackageUri`, accept: [404] }),
    GetLiveResponseResultDownloadLink: () => ({ path: `/api/machineactions/${unknownAction}/GetLiveResponseResultDownloadLink(index=0)`, accept: [404] }),
    ListInvestigations: () => ({ path: '/api/investigations?$top=5' }),
    GetInvestigation: () => ({ path: '/api/investigations/1234567890', accept: [404] }),
    // Alerts: an unknown alert is 404 only after the permission check.
    ListAlerts: () => ({ path: '/api/alerts?$top=5' }),
    GetAlert: () => ({ path: `/api/alerts/${unknownAlert}`, accept: [404] }),
    UpdateAlert: () => ({ path: `/api/alerts/${unknownAlert}`, method: 'PATCH', body: { status: 'InProgress' }, accept: [404] }),
    BatchUpdateAlerts: () => ({ path: '/api/alerts/batchUpdate', method: 'POST', body: { alertIds: [unknownAlert], status: 'InProgress' }, accept: [404] }),
    CreateAlertByReference: (m) => ({
      path: '/api/alerts/CreateAlertByReference',
      method: 'POST',
      body: { machineId: m.id, severity: 'Low', title: 'authz probe', description: 'authz probe', recommendedAction: '', eventTime: new Date().toISOString(), reportId: 1, category: 'General' },
    }),
    ListMachineAlerts: (m) => ({ path: `/api/machines/${m.id}/alerts?$top=5` }),
    GetAlertMachine: () => ({ path: `/api/alerts/${unknownAlert}/machine`, accept: [404] }),
  };
  const core = new Set(['GetMachine', 'SetDeviceValue', 'UpdateMachine']);
  for (const op of OPERATIONS.filter((o) => !core.has(o.id)) as readonly Operation[]) {
    const build = EXTRA_REQUESTS[op.id];
    const skip = !op.implemented ? `${op.id} is not implemented yet` : !build ? `no request written for ${op.id}` : false;
    it(`${op.id}: permissions of each principal kind`, { skip }, async () => {
      const need = op.permission;
      const rows: [Principal, Expect][] = [
        ['demo app', 200],
        ['read-only app', need.application.some((p) => (DEMO_READONLY_APP.roles as readonly string[]).includes(p)) ? 200 : app(need.application.join(', '))],
        ['B: no permission', app(need.application.join(', '))],
        ['admin', 200],
        ['analyst', need.role === 'View data' ? 200 : role(need.role)],
        ['operator', ['View data', 'Manage security setting'].includes(need.role) ? 200 : role(need.role)],
        ['admin, scope Machine.Read', need.delegated.includes('Machine.Read') ? 200 : delegated(need.delegated.join(', '))],
      ];
      const lab = await stored('lab');
      for (const [principal, expected] of rows) {
        const request = build?.(lab);
        assert.ok(request);
        const response = await call(url(request.path), {
          method: request.method ?? 'GET',
          headers: { authorization: `Bearer ${tokens.get(principal)}`, 'content-type': 'application/json' },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
        });
        const text = await response.text();
        if (expected === 200) assert.ok((request.accept ?? [200]).includes(response.status), `${principal}: ${response.status} ${text.slice(0, 300)}`);
        else if (expected !== 404) {
          assert.equal(response.status, 403, `${principal}: ${text.slice(0, 300)}`);
          assert.equal((JSON.parse(text) as { error: { message: string } }).error.message, expected.forbidden, principal);
        }
      }
    });
  }
});

function status(expected: Expect): string {
  return typeof expected === 'number' ? String(expected) : '403';
}
