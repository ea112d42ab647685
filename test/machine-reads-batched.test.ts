/**
 * Reads of machines by id. On PostgreSQL those arriving together share one statement
 * (src/store/postgres/machine-read-batch.ts), each with its own scope: many reads at once, of two
 * tenants, through callers limited to a device group, of machines past retention and of ids that
 * do not exist, must each answer exactly what that caller may see, as on SQLite; and they must
 * really have been grouped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import type { MachineScope } from '../src/domain/ports.js';
import { generateFleet } from '../src/fleet/generator.js';
import { newBatchPool } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { MachineReadBatcher, type MachineRead, type ReadRow } from '../src/store/postgres/machine-read-batch.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANTS = ['c0c0c0c0-0000-4000-8000-0000000000d1', 'c0c0c0c0-0000-4000-8000-0000000000d2'] as const;
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
const seed: ChangeContext = { at: at(NOW), appId: 'app-1', userId: null, route: 'seed', requestId: 'seed' };

/** Twelve machines per tenant (no id in both): every fourth past retention, groups alternating 1 and 2. */
function fleet(tenantIndex: number): Machine[] {
  return [...generateFleet({ count: 24, seed: 40, nowMs: NOW })].slice(12 * tenantIndex, 12 * tenantIndex + 12).map((m, i) => ({
    ...m,
    lastSeen: at(NOW - (i % 4 === 3 ? 400 : 1) * DAY),
    rbacGroupId: 1 + (i % 2),
    rbacGroupName: null,
    deviceValue: 'Normal' as DeviceValue,
  }));
}

const scope = (tenantId: string, rbacGroupIds: readonly number[] | null): MachineScope => ({ tenantId, visibleSince: at(NOW - 180 * DAY), rbacGroupIds });
const visibleTo = (s: MachineScope, tenantId: string, m: Machine): boolean =>
  s.tenantId === tenantId && m.lastSeen >= s.visibleSince && (s.rbacGroupIds === null || s.rbacGroupIds.includes(m.rbacGroupId));

const fleets = TENANTS.map((_, i) => fleet(i));
const scopes = [scope(TENANTS[0], null), scope(TENANTS[0], [1]), scope(TENANTS[0], []), scope(TENANTS[1], null), scope(TENANTS[1], [2])];

/** Every scope asks for every machine of both tenants, and for an id nobody has. */
const asks = scopes.flatMap((s) => [...fleets.flatMap((f, t) => f.map((m) => ({ s, id: m.id, expected: visibleTo(s, TENANTS[t] as string, m) ? m : undefined }))), { s, id: 'f'.repeat(40), expected: undefined }]);

for (const backend of BACKENDS) {
  describe(`machine reads by id (${backend.name})`, async () => {
    const reason = await backend.skip();
    let opened: OpenedBackend;

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      for (const [t, tenantId] of TENANTS.entries()) {
        await opened.store.putTenant({ id: tenantId, name: `Reads ${t}`, retentionDays: 180 });
        await opened.store.putMachines(tenantId, fleets[t] as Machine[], seed);
      }
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    it('answers each of many reads at once with exactly what its caller may see', { skip: reason }, async () => {
      const results = await Promise.all(asks.map((a) => opened.store.getById(a.s, a.id)));
      assert.equal(results.filter(Boolean).length, 9 + 6 + 0 + 9 + 3, 'the scopes see 9, 6, 0, 9 and 3 machines');
      asks.forEach((a, i) => assert.deepEqual(results[i], a.expected, `${a.s.tenantId} groups ${JSON.stringify(a.s.rbacGroupIds)} reading ${a.id}`));
    });

    it('finds no machine whose id or tenant holds a NUL', { skip: reason }, async () => {
      const id = fleets[0]?.[0]?.id as string;
      assert.equal(await opened.store.getById(scope(TENANTS[0], null), `${id}\u0000`), undefined);
      assert.equal(await opened.store.getById(scope(`${TENANTS[0]}\u0000`, null), id), undefined);
    });
  });
}

describe('MachineReadBatcher on PostgreSQL', async () => {
  const reason = await skipWithoutPostgres();
  let database: TestDatabase;
  let pool: pg.Pool;

  before(async () => {
    if (reason) return;
    database = await createTestDatabase();
    // The store creates the schema and the fleet; the batcher under test gets a pool of its own.
    const store = await PostgresStore.open(database.url);
    for (const [t, tenantId] of TENANTS.entries()) {
      await store.putTenant({ id: tenantId, name: `Reads ${t}`, retentionDays: 180 });
      await store.putMachines(tenantId, fleets[t] as Machine[], seed);
    }
    await store.close();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('sends the reads that wait for a running statement together, and each gets its own row', { skip: reason }, async () => {
    const sizes: number[] = [];
    const batcher = new MachineReadBatcher(async (name, text, values) => {
      sizes.push((values[0] as number[]).length);
      return (await pool.query<ReadRow>({ name, text, values })).rows;
    }, { inFlight: 1, maxBatch: 256 });
    const reads: MachineRead[] = asks.map((a) => ({ scope: a.s, machineId: a.id }));
    const rows = await Promise.all(reads.map((r) => batcher.read(r)));
    assert.deepEqual(sizes, [1, reads.length - 1], 'the first read found the batcher idle and went alone; all others waited for it and went as one');
    asks.forEach((a, i) => assert.equal(rows[i]?.id, a.expected?.id, `read ${i}`));
    assert.ok(rows.every((r) => r === undefined || !('batch_ord' in r)), 'the position column is not part of the row');
  });

  it('plans the statement once on the batched statements\' connections, never per execution', { skip: reason }, async () => {
    const batchPool = newBatchPool(database.url, 1);
    try {
      const client = await batchPool.connect();
      try {
        const batcher = new MachineReadBatcher(async (name, text, values) => (await client.query<ReadRow>({ name, text, values })).rows, { inFlight: 1, maxBatch: 4 });
        for (const a of asks.slice(0, 12)) assert.equal((await batcher.read({ scope: a.s, machineId: a.id }))?.id, a.expected?.id);
        const plans = await client.query("select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where name = 'rampart_machines_by_id'");
        // Without the setting PostgreSQL plans anew at least the first five times, and on a large table every time.
        assert.deepEqual(plans.rows, [{ generic: 12, custom: 0 }]);
      } finally {
        client.release();
      }
    } finally {
      await batchPool.end();
    }
  });
});
