/**
 * Two instances on one PostgreSQL database serve machine actions as one service: a status read on
 * either is the same, a cancel through one holds on the other, two isolations of one device sent
 * to both at once give exactly one action, and an offboarding's effect shows on both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.js';
import { actionClient, addMachine } from './helpers/actions.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('machine actions on two instances sharing PostgreSQL', async () => {
  const reason = await skipWithoutPostgres();
  const clock = new ManualClock(Date.parse('2026-09-01T12:00:00Z'));
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    if (reason) return;
    database = await createTestDatabase();
    a = await startTestServer({ store: database.url }, clock);
    b = await startTestServer({ store: database.url }, clock);
  });
  after(async () => {
    if (reason) return;
    await a.close();
    await b.close();
    await database.drop();
  });

  it('reads one status on both, and a cancel through one holds on the other', { skip: reason }, async () => {
    const onA = actionClient(a.base, await a.token());
    const onB = actionClient(b.base, await b.token());
    const machine = await addMachine(a.app);
    const created = await onA.act(machine.id, 'runAntiVirusScan', { Comment: 'shared', ScanType: 'Full' });
    clock.advance(2500);
    assert.deepEqual([(await onA.action(String(created.id))).status, (await onB.action(String(created.id))).status], ['InProgress', 'InProgress']);
    const cancelled = await onB.post(`/machineactions/${created.id}/cancel`, { Comment: 'through B' });
    assert.equal(cancelled.status, 200);
    assert.equal((await onA.action(String(created.id))).status, 'Cancelled');
  });

  it('lets exactly one of two simultaneous isolations of one device through', { skip: reason }, async () => {
    const machine = await addMachine(a.app);
    const [first, second] = await Promise.all([
      actionClient(a.base, await a.token()).post(`/machines/${machine.id}/isolate`, { Comment: 'A' }),
      actionClient(b.base, await b.token()).post(`/machines/${machine.id}/isolate`, { Comment: 'B' }),
    ]);
    assert.deepEqual([first.status, second.status].sort(), [201, 400]);
  });

  it('shows an offboarding on both once it has succeeded', { skip: reason }, async () => {
    const machine = await addMachine(a.app);
    const onA = actionClient(a.base, await a.token());
    const created = await onA.act(machine.id, 'offboard', { Comment: 'retired' });
    clock.advance(5000);
    assert.equal((await onA.action(String(created.id))).status, 'Succeeded');
    const onB = actionClient(b.base, await b.token());
    assert.equal(((await (await onB.get(`/machines/${machine.id}`)).json()) as { healthStatus: string }).healthStatus, 'Inactive');
  });
});
