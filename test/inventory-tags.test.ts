/**
 * Tags over real HTTP: POST /machines/{id}/tags, AddOrRemoveTagForMultipleMachines (all or
 * nothing, at most 500), and GET /machines/findbytag (spec section 4).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_READONLY_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { MachineScope } from '../src/domain/ports.js';
import type { Timestamp } from '../src/shared/timestamp.js';
import { expectCollection, idsOf } from './helpers/collection.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectEntity, expectError, get, send } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;
const AAD = '80fe8ff8-2624-418e-9591-41f0491218f9';
const EVERYTHING: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };

describe('machine tags', () => {
  let server: TestServer;
  let token: string;
  let others: string[] = [];
  const url = (path: string) => `${server.base}${path}`;
  const tag = (key: string, body: unknown) => send(url(`/api/machines/${key}/tags`), token, 'POST', JSON.stringify(body));
  const bulk = (body: unknown) => send(url('/api/machines/AddOrRemoveTagForMultipleMachines'), token, 'POST', JSON.stringify(body));
  const tagsOf = async (id: string) => (await server.app.store.getById(EVERYTHING, id))?.machineTags;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    const page = await expectCollection(await get(url(`/api/machines?$top=5&$filter=${encodeURIComponent(`id ne '${ID}'`)}`), token));
    others = idsOf(page);
  });
  after(() => server.close());

  it('Add appends the tag once, Remove takes it away, and the answer is the whole updated machine', async () => {
    const added = await expectEntity(await tag(ID, { Value: 'PCI zone', Action: 'Add' }));
    assert.deepEqual(added.machineTags, ['test tag 1', 'test tag 2', 'PCI zone']);
    assert.equal(added['@odata.context'], `${server.base}/api/$metadata#Machines/$entity`);
    assert.deepEqual((await expectEntity(await tag(AAD, { Value: 'PCI zone', Action: 'add' }))).machineTags, ['test tag 1', 'test tag 2', 'PCI zone']);
    assert.deepEqual(await tagsOf(ID), ['test tag 1', 'test tag 2', 'PCI zone']);
    const removed = await expectEntity(await tag(REFERENCE_MACHINE.computerDnsName, { Value: 'test tag 1', Action: 'REMOVE' }));
    assert.deepEqual(removed.machineTags, ['test tag 2', 'PCI zone']);
    assert.deepEqual((await expectEntity(await tag(ID, { Value: 'absent', Action: 'Remove' }))).machineTags, ['test tag 2', 'PCI zone']);
    const long = 'x'.repeat(200);
    assert.ok(((await expectEntity(await tag(ID, { Value: long, Action: 'Add' }))).machineTags as string[]).includes(long));
    await expectEntity(await tag(ID, { Value: long, Action: 'Remove' }));
    assert.deepEqual((await expectEntity(await get(url(`/api/v1.0/machines/${ID}`), token))).machineTags, ['test tag 2', 'PCI zone']);
  });

  it('concurrent tag calls on one machine lose no tag', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `concurrent-${i}`);
    await Promise.all(names.map((n) => tag(ID, { Value: n, Action: 'Add' }).then(expectEntity)));
    const tags = (await tagsOf(ID)) ?? [];
    for (const n of names) assert.ok(tags.includes(n), n);
    await Promise.all(names.map((n) => tag(ID, { Value: n, Action: 'Remove' }).then(expectEntity)));
    assert.deepEqual(await tagsOf(ID), ['test tag 2', 'PCI zone']);
  });

  it('never lets a tag action undo a PATCH of the tag set that ran meanwhile', async () => {
    const other = others[0] as string;
    for (let round = 0; round < 5; round++) {
      const adds = Array.from({ length: 10 }, (_, i) => tag(other, { Value: `race-${round}-${i}`, Action: 'Add' }));
      const patch = send(url(`/api/machines/${other}`), token, 'PATCH', JSON.stringify({ machineTags: [`patched-${round}`] }));
      await Promise.all([...adds, patch].map((r) => r.then(expectEntity)));
      // In any order the calls could have run one at a time, the PATCH's set survives: adds
      // before it are replaced, adds after it add to it.
      assert.ok((await tagsOf(other))?.includes(`patched-${round}`), `round ${round}: ${JSON.stringify(await tagsOf(other))}`);
    }
  });

  it('refuses bad bodies with the documented codes, and unknown machines with 404', async () => {
    await expectError(await tag(ID, { Action: 'Add' }), 400, 'MissingRequiredParameter', 'Parameter Value is missing.');
    await expectError(await tag(ID, { value: 'x', action: 'Add' }), 400, 'MissingRequiredParameter', 'Parameter Value is missing.');
    await expectError(await tag(ID, { Value: 'x' }), 400, 'MissingRequiredParameter', 'Parameter Action is missing.');
    await expectError(await tag(ID, { Value: 'x', Action: 'Toggle' }), 400, 'InvalidInput', /Action/);
    for (const Value of ['', '   ', 'y'.repeat(201), 42, null, ['a']]) await expectError(await tag(ID, { Value, Action: 'Add' }), 400, 'InvalidInput', /Value/);
    for (const Value of ['nul\u0000here', 'two\nlines', 'tab\t', 'del\u007f']) {
      await expectError(await tag(ID, { Value, Action: 'Add' }), 400, 'InvalidInput', /control characters/);
    }
    await expectError(await send(url(`/api/machines/${ID}/tags`), token, 'POST', '{"Value":'), 400, 'InvalidRequestBody');
    await expectError(await send(url(`/api/machines/${ID}/tags`), token, 'POST', '[]'), 400, 'InvalidRequestBody');
    await expectError(await tag('no-such-machine', { Value: 'x', Action: 'Add' }), 404, 'ResourceNotFound', 'Machine no-such-machine was not found');
    const readOnly = await server.token(DEMO_READONLY_APP);
    const forbidden = await send(url(`/api/machines/${ID}/tags`), readOnly, 'POST', JSON.stringify({ Value: 'x', Action: 'Add' }));
    await expectError(forbidden, 403, 'Forbidden', /Machine\.ReadWrite\.All/);
  });

  it('bulk: tags every named machine once, in request order, and answers the collection', async () => {
    const [a = '', b = '', c = ''] = others;
    const body = await expectCollection(await bulk({ Value: 'bulk-1', Action: 'Add', MachineIds: [a, AAD, b, a, REFERENCE_MACHINE.computerDnsName, c] }));
    assert.deepEqual(idsOf(body), [a, ID, b, c]);
    for (const m of body.value) assert.ok((m.machineTags as string[]).includes('bulk-1'));
    for (const id of [a, b, c, ID]) assert.ok((await tagsOf(id))?.includes('bulk-1'), id);
    const removed = await expectCollection(await bulk({ Value: 'bulk-1', Action: 'remove', MachineIds: [a, b] }));
    assert.ok(removed.value.every((m) => !(m.machineTags as string[]).includes('bulk-1')));
    assert.ok((await tagsOf(c))?.includes('bulk-1'));
    assert.deepEqual((await expectCollection(await bulk({ Value: 'bulk-1', Action: 'Add', MachineIds: [] }))).value, []);
  });

  it('bulk: all or nothing, at most 500 ids', async () => {
    const [a = '', b = ''] = others;
    const ids = [a, b, ...Array.from({ length: 497 }, () => a), 'f'.repeat(40)];
    await expectError(await bulk({ Value: 'never', Action: 'Add', MachineIds: ids }), 404, 'ResourceNotFound', `Machine ${'f'.repeat(40)} was not found`);
    for (const id of [a, b]) assert.ok(!(await tagsOf(id))?.includes('never'), 'nothing was written');
    const tooMany = Array.from({ length: 501 }, () => a);
    await expectError(await bulk({ Value: 'x', Action: 'Add', MachineIds: tooMany }), 400, 'MaximumBatchSizeExceeded', 'Maximum batch size exceeded. Received: 501, allowed: 500.');
    await expectCollection(await bulk({ Value: 'five-hundred', Action: 'Add', MachineIds: tooMany.slice(1) }));
    await expectError(await bulk({ Value: 'x', Action: 'Add' }), 400, 'MissingRequiredParameter', 'Parameter MachineIds is missing.');
    await expectError(await bulk({ Value: 'x', Action: 'Add', MachineIds: 'abc' }), 400, 'InvalidInput', /MachineIds/);
    await expectError(await bulk({ Value: 'x', Action: 'Add', MachineIds: [a, 7] }), 400, 'InvalidInput', /MachineIds/);
    await expectError(await bulk({ Value: '', Action: 'Add', MachineIds: [a] }), 400, 'InvalidInput', /Value/);
  });

  it('findbytag: exact and case-sensitive by default, prefix with useStartsWithFilter in any case', async () => {
    const find = async (query: string) => idsOf(await expectCollection(await get(url(`/api/machines/findbytag?${query}`), token)));
    assert.deepEqual(await find('tag=test%20tag%202'), [ID]);
    assert.deepEqual(await find('tag=test+tag+2&useStartsWithFilter=false'), [ID]);
    assert.deepEqual(await find('tag=TEST%20TAG%202'), []);
    assert.deepEqual(await find('tag=test%20tag&useStartsWithFilter=False'), []);
    assert.deepEqual(await find('tag=test%20tag&useStartsWithFilter=True'), [ID]);
    assert.deepEqual(await find('Tag=test%20ta&USESTARTSWITHFILTER=TRUE'), [ID]);
    const viaPath = await expectCollection(await get(url('/api/v1.0/Machines/FindByTag/?tag=test%20tag%202'), token));
    assert.deepEqual(idsOf(viaPath), [ID]);
    const all = await find('tag=five-hundred');
    assert.deepEqual(all, [others[0]]);
    await expectError(await get(url('/api/machines/findbytag'), token), 400, 'MissingRequiredParameter', 'Parameter tag is missing.');
    await expectError(await get(url('/api/machines/findbytag?tag=x&useStartsWithFilter=yes'), token), 400, 'InvalidInput', /useStartsWithFilter/);
    await expectError(await get(url('/api/machines/findbytag?tag='), token), 400, 'InvalidInput', /tag/);
  });
});
