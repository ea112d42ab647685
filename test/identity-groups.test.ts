import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { TenantDocument } from '../src/domain/identity/tenant-document.js';
import { seedFleet } from '../src/fleet/seed.js';
import { timestampToMillis } from '../src/shared/timestamp.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { appToken, userToken } from './helpers/tokens.js';
import { expectEntity, expectError, get, send } from './helpers/wire.js';

/**
 * Device groups follow their rules at once: a group edit, a re-rank or a tag change moves a
 * machine, rbacGroupId and rbacGroupName following, and with it who may see the machine.
 */
describe('device groups', () => {
  let server: TestServer;
  let token: string;
  let demoDoc: TenantDocument;
  const url = (path: string) => `${server.base}${path}`;
  const putTenant = async (tenant: string, doc: unknown) => {
    const response = await call(url(`/admin/tenants/${tenant}`), {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return JSON.parse(text) as { regrouped: number };
  };
  const groupOf = async (id: string, bearer = token) => {
    const body = await expectEntity(await get(url(`/api/machines/${id}`), bearer));
    return [body.rbacGroupId, body.rbacGroupName];
  };
  const visible = async (tenant: string, pick: (m: Machine) => boolean): Promise<Machine[]> => {
    const found: Machine[] = [];
    for await (const batch of server.app.store.allMachines(tenant)) {
      found.push(...batch.filter((m) => timestampToMillis(m.lastSeen) > Date.now() - 179 * 86_400_000 && m.id !== REFERENCE_MACHINE.id && pick(m)));
    }
    return found;
  };

  before(async () => {
    server = await startTestServer({ demoMachines: 120 });
    token = await server.token();
    const doc = await server.app.tenants.document(DEMO_TENANT_ID);
    assert.ok(doc);
    demoDoc = doc;
  });
  after(() => server.close());

  it('a PATCH adding tag VIP moves a Workstations machine to 140 The-A-Team; removing it moves it back', async () => {
    const [machine] = await visible(DEMO_TENANT_ID, (m) => m.rbacGroupId === 102 && m.machineTags.length === 0);
    assert.ok(machine, 'an untagged Workstations machine');
    const patch = (tags: string[]) => send(url(`/api/machines/${machine.id}`), token, 'PATCH', JSON.stringify({ machineTags: tags }));
    const moved = await expectEntity(await patch(['VIP']));
    assert.deepEqual([moved.rbacGroupId, moved.rbacGroupName, moved.machineTags], [140, 'The-A-Team', ['VIP']]);
    assert.deepEqual(await groupOf(machine.id), [140, 'The-A-Team']);
    const back = await expectEntity(await patch([]));
    assert.deepEqual([back.rbacGroupId, back.rbacGroupName], [102, 'Workstations']);
    assert.deepEqual(await groupOf(machine.id), [102, 'Workstations']);
  });

  it('a tag moving a machine into or out of Lab changes what the scoped operator sees, at once', async () => {
    const operator = await userToken(server.base, DEMO_USERS.operator);
    const [machine] = await visible(DEMO_TENANT_ID, (m) => m.rbacGroupId === 101 && m.machineTags.length === 0);
    assert.ok(machine, 'an untagged Servers machine');
    const notFound = `Machine ${machine.id} was not found`;
    await expectError(await get(url(`/api/machines/${machine.id}`), operator), 404, 'ResourceNotFound', notFound);
    await expectEntity(await send(url(`/api/machines/${machine.id}`), token, 'PATCH', JSON.stringify({ machineTags: ['lab'] })));
    assert.deepEqual(await groupOf(machine.id, operator), [103, 'Lab']);
    await expectEntity(await send(url(`/api/machines/${machine.id}/setDeviceValue`), operator, 'POST', '{"DeviceValue":"Low"}'));
    await expectEntity(await send(url(`/api/machines/${machine.id}`), token, 'PATCH', JSON.stringify({ machineTags: [] })));
    await expectError(await get(url(`/api/machines/${machine.id}`), operator), 404, 'ResourceNotFound', notFound);
    assert.deepEqual(await groupOf(machine.id), [101, 'Servers']);
  });

  it('editing and re-ranking groups through PUT moves machines at once; removing the group moves them back', async () => {
    const [target] = await visible(DEMO_TENANT_ID, (m) => m.rbacGroupId === 102 && m.computerDnsName.includes('.'));
    assert.ok(target, 'a named Workstations machine');
    const host = target.computerDnsName.split('.')[0] ?? '';
    const shifted = (demoDoc.deviceGroups ?? []).map((g) => ({ ...g, rank: g.rank + 1 }));
    const withNew = { ...demoDoc, deviceGroups: [{ id: 150, name: 'Named', rank: 1, rules: { names: [host] }, userGroups: [] }, ...shifted] };
    const { regrouped } = await putTenant(DEMO_TENANT_ID, withNew);
    assert.ok(regrouped >= 1, `regrouped ${regrouped}`);
    assert.deepEqual(await groupOf(target.id), [150, 'Named']);
    // Ranked last, the same group no longer wins over Workstations.
    const last = { ...withNew, deviceGroups: [...shifted, { id: 150, name: 'Named', rank: 99, rules: { names: [host] }, userGroups: [] }] };
    await putTenant(DEMO_TENANT_ID, last);
    assert.deepEqual(await groupOf(target.id), [102, 'Workstations']);
    await putTenant(DEMO_TENANT_ID, withNew);
    assert.deepEqual(await groupOf(target.id), [150, 'Named']);
    await putTenant(DEMO_TENANT_ID, demoDoc);
    assert.deepEqual(await groupOf(target.id), [102, 'Workstations']);
  });

  it('a renamed group renames its machines; swapping ranks moves a machine matching both', async () => {
    const [machine] = await visible(DEMO_TENANT_ID, (m) => m.rbacGroupId === 102 && m.machineTags.length === 0);
    assert.ok(machine);
    await expectEntity(await send(url(`/api/machines/${machine.id}`), token, 'PATCH', JSON.stringify({ machineTags: ['VIP', 'Lab'] })));
    assert.deepEqual(await groupOf(machine.id), [140, 'The-A-Team']);
    const groups = demoDoc.deviceGroups ?? [];
    const swapped = groups.map((g) => (g.id === 140 ? { ...g, rank: 2, name: 'A-Team renamed' } : g.id === 103 ? { ...g, rank: 1 } : g));
    await putTenant(DEMO_TENANT_ID, { ...demoDoc, deviceGroups: swapped });
    assert.deepEqual(await groupOf(machine.id), [103, 'Lab']);
    assert.deepEqual(await groupOf(REFERENCE_MACHINE.id), [140, 'A-Team renamed']);
    await putTenant(DEMO_TENANT_ID, demoDoc);
    assert.deepEqual(await groupOf(machine.id), [140, 'The-A-Team']);
    assert.deepEqual(await groupOf(REFERENCE_MACHINE.id), [140, 'The-A-Team']);
  });

  it("opening a group to the operator's user group through PUT takes effect on the next call, and closing it too", async () => {
    const operator = await userToken(server.base, DEMO_USERS.operator);
    const [machine] = await visible(DEMO_TENANT_ID, (m) => m.rbacGroupId === 101);
    assert.ok(machine);
    await expectError(await get(url(`/api/machines/${machine.id}`), operator), 404, 'ResourceNotFound');
    const opened = (demoDoc.deviceGroups ?? []).map((g) => (g.id === 101 ? { ...g, userGroups: [...(g.userGroups ?? []), 'lab-operators'] } : g));
    assert.equal((await putTenant(DEMO_TENANT_ID, { ...demoDoc, deviceGroups: opened })).regrouped, 0);
    assert.deepEqual(await groupOf(machine.id, operator), [101, 'Servers']);
    await putTenant(DEMO_TENANT_ID, demoDoc);
    await expectError(await get(url(`/api/machines/${machine.id}`), operator), 404, 'ResourceNotFound');
  });

  it('re-applying the unchanged demo document moves nothing', async () => {
    assert.equal((await putTenant(DEMO_TENANT_ID, demoDoc)).regrouped, 0);
  });

  it('a tenant without device groups keeps imported rbacGroupId values, through tag changes and re-applies', async () => {
    const tenant = 'f0f0f0f0-0000-4000-8000-00000000000f';
    const client = { clientId: 'f0f0f0f0-0000-4000-8000-0000000000a1', clientSecret: 'no-groups-secret' };
    const doc = {
      name: 'No groups',
      applications: [{ clientId: client.clientId, name: 'app', secret: client.clientSecret, applicationPermissions: ['Machine.ReadWrite.All'], delegatedPermissions: ['Machine.Read'] }],
      users: [{ userPrincipalName: 'ann@f.test', password: 'ann-password', userGroups: ['g'] }],
      roles: [{ name: 'viewers', permissions: ['View data'], userGroups: ['g'] }],
    };
    await putTenant(tenant, doc);
    await seedFleet(server.app.store, tenant, { count: 40, seed: 99, nowMs: Date.now() });
    const imported = await visible(tenant, () => true);
    const ids = new Set(imported.map((m) => m.rbacGroupId));
    assert.ok(ids.size >= 3 && [...ids].some((id) => id !== 0), `imported groups ${[...ids].join(',')}`);
    const fToken = await appToken(server.base, client, { tenant });
    const machine = imported.find((m) => m.rbacGroupId !== 0 && m.rbacGroupId !== 140);
    assert.ok(machine);
    const patched = await expectEntity(await send(url(`/api/machines/${machine.id}`), fToken, 'PATCH', JSON.stringify({ machineTags: ['VIP', 'Lab'] })));
    assert.deepEqual([patched.rbacGroupId, patched.rbacGroupName], [machine.rbacGroupId, machine.rbacGroupName]);
    assert.equal((await putTenant(tenant, doc)).regrouped, 0);
    // With no groups defined, a user sees every imported group.
    const ann = await userToken(server.base, { userPrincipalName: 'ann@f.test', password: 'ann-password' }, { tenant, client });
    for (const m of imported.slice(0, 10)) assert.deepEqual(await groupOf(m.id, ann), [m.rbacGroupId, m.rbacGroupName]);
  });
});
