/**
 * `npm run bench:rules`: value rules (issue 13) on a fleet of `--machines` devices (default
 * 1,000,000), seeded once (a bulk load on SQLite) into a kept data folder (or PostgreSQL
 * database). The rule measured is `osPlatform eq 'WindowsServer2022'`, a tenth of the fleet (about
 * 100,000 devices at a million). Measures, in this process, through the same ValueRuleService the
 * admin API and the CLI use:
 *   - preview of that rule: the per-rule count and the first page of 100, target < 2 s;
 *   - the bulk write rate of setDeviceValue (MachineService, 200 calls in flight at a time as apply
 *     has, on `--writes` of those devices), and apply of the rule, which then changes every device
 *     it matches; target: apply's rate at least half of setDeviceValue's.
 *
 *   npm run bench:rules                                          1,000,000 machines, SQLite
 *   npm run bench:rules -- --machines 100000                     a smaller fleet (about 10,000 changes)
 *   npm run bench:rules -- --store postgres                      the same on PostgreSQL
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import { createCore, type Core } from '../src/core.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Config } from '../src/config/settings.js';
import type { ApplicationPrincipal } from '../src/domain/identity/principal.js';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import { seedFleet } from '../src/fleet/seed.js';
import { createDatabase, databaseUrl, postgresUnavailable } from './postgres-db.js';

const TENANT = '5e7a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
const PREVIEW_TARGET_MS = 2000;
const { values: args } = parseArgs({
  options: {
    machines: { type: 'string', default: '1000000' },
    writes: { type: 'string', default: '20000' },
    store: { type: 'string', default: 'sqlite' },
    fresh: { type: 'boolean', default: false },
  },
});
const machines = Number(args.machines);
const writes = Number(args.writes);
if (!Number.isInteger(machines) || machines < 1000 || !Number.isInteger(writes) || writes < 100 || writes > machines) throw new Error('--machines (>= 1000) and --writes (100..machines) are whole numbers');
if (args.store !== 'sqlite' && args.store !== 'postgres') throw new Error(`--store: expected sqlite or postgres, got '${args.store}'`);

const admin: ApplicationPrincipal = { kind: 'application', tenantId: TENANT, appId: 'rampart-bench', roles: new Set(['Machine.ReadWrite.All']), expiresAt: Number.MAX_SAFE_INTEGER };
const actor = { principal: admin, name: 'bench' };
/** A tenth of the generated fleet (the platform table's weight 10 of 100). */
const TENTH = "osPlatform eq 'WindowsServer2022'";

async function open(): Promise<Core> {
  const dataDir = join(tmpdir(), `rampart-rules-bench-${args.store}-${machines}`);
  if (args.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  let config: Config = { ...loadConfig({}, {}), dataDir, logLevel: 'warn' };
  if (args.store === 'postgres') {
    const why = await postgresUnavailable();
    if (why) throw new Error(`PostgreSQL: ${why}`);
    const name = `rampart_rules_bench_${machines}`;
    await createDatabase(name).catch(() => undefined); // kept between runs
    config = { ...config, store: databaseUrl(name) };
  }
  const core = await createCore(config);
  if ((await core.store.countMachines(TENANT)) < machines) {
    await core.store.putTenant({ id: TENANT, name: 'Rules bench', retentionDays: 180 });
    process.stdout.write(`seeding ${machines} machines...\n`);
    // A bulk load when the store is empty (SQLite), as `rampart seed` does: minutes at a million.
    await seedFleet(core.store, TENANT, { count: machines, seed: 13, nowMs: core.clock.now(), staleFraction: 0, alertsPerMachine: 0 }, undefined, { bulk: true });
  }
  return core;
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

async function main(): Promise<void> {
  const core = await open();
  try {
    // Every device of the rule to Normal first, so the measured apply changes every one of them.
    await core.rules.replace(TENANT, [{ name: 'tenth', filter: TENTH, deviceValue: 'Normal' }]);
    await core.rules.apply(actor, TENANT);

    // setDeviceValue's bulk rate on devices of the rule, 200 calls in flight at a time (Normal -> Low: real changes).
    const scope = { tenantId: TENANT, visibleSince: '0000' as never, rbacGroupIds: null };
    const filter = parseFilter(TENTH);
    const ids: string[] = (await core.store.listMachines(scope, { filter, orderBy: [{ property: 'id', descending: false }], skip: 0, limit: writes })).map((m) => m.id);
    let start = process.hrtime.bigint();
    for (let i = 0; i < ids.length; i += 200) {
      await Promise.all(ids.slice(i, i + 200).map((id) => core.machines.setDeviceValue(admin, id, { DeviceValue: 'Low' }, { route: 'setDeviceValue', requestId: null })));
    }
    const setRate = ids.length / seconds(start);

    const value: DeviceValue = 'High';
    await core.rules.replace(TENANT, [{ name: 'tenth', filter: TENTH, deviceValue: value }]);
    start = process.hrtime.bigint();
    const [summary] = await core.rules.preview(actor, TENANT);
    await core.rules.previewPage(actor, TENANT, 'tenth', 100);
    const previewMs = seconds(start) * 1000;

    start = process.hrtime.bigint();
    const run = await core.rules.apply(actor, TENANT);
    const applySeconds = seconds(start);
    const changed = run.changed.reduce((a, b) => a + b, 0);
    const applyRate = changed / applySeconds;

    const lines = [
      `store ${args.store}, ${machines} machines`,
      `preview of a rule matching ${summary?.changes} devices (count + first page): ${previewMs.toFixed(0)} ms (target < ${PREVIEW_TARGET_MS} ms): ${previewMs < PREVIEW_TARGET_MS ? 'PASS' : 'FAIL'}`,
      `setDeviceValue bulk rate: ${setRate.toFixed(0)} changes/s (${ids.length} calls, 200 in flight, as apply writes)`,
      `apply: ${changed} changes in ${applySeconds.toFixed(1)} s = ${applyRate.toFixed(0)} changes/s (target >= ${(setRate / 2).toFixed(0)}): ${applyRate >= setRate / 2 ? 'PASS' : 'FAIL'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await core.close();
  }
}

await main();
