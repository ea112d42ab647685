/**
 * The fleet-audit benchmark's history: `rows` value-history entries for a tenant, written straight
 * into the store's table in large batches (through the API this would take hours at a million).
 * Deterministic (seeded), spread over the last 90 days in time order, chained per machine, with
 * the mix of routes, applications and users a team produces: most changes by the API
 * application, a quarter in the console by its users, some imports, a few from the CLI and seeds.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { DEMO_APP } from '../src/config/demo.js';
import type { Config } from '../src/config/settings.js';
import { CONSOLE_APP_ID } from '../src/domain/identity/actor-names.js';
import { DEVICE_VALUES } from '../src/domain/machines/device-value.js';
import type { ChangeRoute } from '../src/domain/machines/value-change.js';
import { Random, weighted, type Weighted } from '../src/fleet/random.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { storeLocation } from '../src/store/open-store.js';
import { connectKysely } from '../src/store/postgres/pool.js';
import type { Database, ValueHistoryRow } from '../src/store/schema.js';
import { openSqlite } from '../src/store/sqlite/connection.js';

const BATCH = 1000;
const SPAN_MS = 90 * 86_400_000;
const ROUTES: Weighted<ChangeRoute> = [
  ['setDeviceValue', 45],
  ['console', 25],
  ['patch', 12],
  ['import', 10],
  ['cli', 5],
  ['seed', 3],
];

export async function fillHistory(config: Config, tenantId: string, rows: number, progress: (done: number) => void): Promise<void> {
  const location = storeLocation(config);
  const sqlite = location.kind === 'sqlite' ? openSqlite(location.path) : undefined;
  const db: Kysely<Database> = sqlite?.kysely ?? connectKysely((location as { url: string }).url, 2);
  try {
    const machines = await db.selectFrom('machines').select(['id', 'device_value']).where('tenant_id', '=', tenantId).orderBy('id').limit(100_000).execute();
    const users = (await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).orderBy('id').execute()).map((u) => u.id);
    if (machines.length === 0 || users.length === 0) throw new Error('the demo tenant has no machines or users');
    const current = new Map(machines.map((m) => [m.id, m.device_value]));
    const random = new Random(13);
    const start = Date.now() - SPAN_MS;
    await db.deleteFrom('value_history').where('tenant_id', '=', tenantId).execute();
    for (let done = 0; done < rows; done += BATCH) {
      const batch: Omit<ValueHistoryRow, 'seq'>[] = [];
      for (let i = done; i < Math.min(rows, done + BATCH); i++) {
        const machine = random.pick(machines);
        const oldValue = current.get(machine.id) ?? 'Normal';
        const choices = DEVICE_VALUES.filter((v) => v !== oldValue);
        const newValue = random.pick(choices);
        current.set(machine.id, newValue);
        const route = weighted(random, ROUTES);
        const user = random.pick(users);
        const byApi = route === 'setDeviceValue' || route === 'patch';
        batch.push({
          tenant_id: tenantId,
          machine_id: machine.id,
          old_value: oldValue,
          new_value: newValue,
          changed_at: timestampFromMillis(start + Math.floor((i / rows) * SPAN_MS) + random.int(0, 30_000)),
          app_id: route === 'console' ? CONSOLE_APP_ID : byApi ? DEMO_APP.clientId : null,
          user_id: route === 'console' || (byApi && random.next() < 0.3) ? user : null,
          route,
          request_id: byApi || route === 'console' ? random.guid() : null,
        });
      }
      await db.insertInto('value_history').values(batch).execute();
      progress(Math.min(rows, done + BATCH));
    }
    await sql.raw(sqlite ? 'ANALYZE' : 'ANALYZE value_history').execute(db);
  } finally {
    await db.destroy();
  }
}
