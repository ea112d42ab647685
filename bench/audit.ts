/**
 * `npm run bench:audit`: the fleet audit (`GET /admin/tenants/{tenant}/history`, issue 13) on a
 * tenant with many history rows. Builds the demo tenant with `--rows` value-history entries
 * (written straight into the store, spread over 90 days, users, applications, routes and values)
 * once, keeps it between runs, starts Rampart in this process on 127.0.0.1 and measures, one
 * request at a time, the p50 and p99 of every filter combination below, then of the same
 * filters on the console's Activity page (signed in as the demo admin; the page is HTML of 50
 * entries, the names resolved the same way). Target: p99 < 200 ms.
 *
 *   npm run bench:audit                                   100,000 rows, SQLite
 *   npm run bench:audit -- --store postgres               the same on PostgreSQL
 *   npm run bench:audit -- --rows 1000000 --machines 1000000   the issue's size (minutes to build)
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.js';
import { createCore } from '../src/core.js';
import { DEMO_APP, DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Config } from '../src/config/settings.js';
import { fillHistory } from './audit-history-rows.js';
import { consoleGet, signIn } from './console-sign-in.js';
import { createDatabase, databaseNote, dropDatabase, databaseUrl, postgresUnavailable, setDatabaseNote } from './postgres-db.js';

const TARGET_P99_MS = 200;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    machines: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '100' },
    store: { type: 'string', default: 'sqlite' },
    fresh: { type: 'boolean', default: false },
  },
});
const rows = wholeNumber('--rows', args.rows, 1, 10_000_000);
const machines = wholeNumber('--machines', args.machines, 10, 10_000_000);
const requests = wholeNumber('--requests', args.requests, 10, 10_000);
if (args.store !== 'sqlite' && args.store !== 'postgres') throw new Error(`--store: expected sqlite or postgres, got '${args.store}'`);

function wholeNumber(flag: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag}: expected a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

/** The tenant's data: a kept SQLite folder or PostgreSQL database, built when missing (or --fresh). */
async function prepare(): Promise<Config> {
  const label = `${rows}-${machines}`;
  const dataDir = join(tmpdir(), `rampart-audit-bench-${args.store}-${label}`);
  // --fresh starts from nothing, so a changed migration (an index) is built anew too.
  if (args.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const base: Config = { ...loadConfig({}, {}), dataDir, port: 0, logLevel: 'warn', demoMachines: machines };
  let config = base;
  let built: boolean;
  if (args.store === 'postgres') {
    const why = await postgresUnavailable();
    if (why) throw new Error(`PostgreSQL: ${why}`);
    const name = `rampart_audit_bench_${label.replace('-', '_')}`;
    if (args.fresh) await dropDatabase(name);
    const note = await databaseNote(name);
    if (note === undefined) await createDatabase(name);
    config = { ...base, store: databaseUrl(name) };
    built = note === 'built' && !args.fresh;
    if (!built) {
      await build(config);
      await setDatabaseNote(name, 'built');
    }
  } else {
    const marker = join(dataDir, 'history-built');
    built = existsSync(marker) && !args.fresh;
    if (!built) {
      await build(config);
      writeFileSync(marker, new Date().toISOString());
    }
  }
  process.stdout.write(`${built ? 'reusing' : 'built'} the demo tenant: ${machines} machines, ${rows} history rows (${args.store})\n`);
  return config;
}

/** The demo tenant and fleet (as the server provisions them), then the history rows. */
async function build(config: Config): Promise<void> {
  const started = Date.now();
  const core = await createCore(config, undefined, { provision: true });
  await core.close();
  await fillHistory(config, DEMO_TENANT_ID, rows, (done) => process.stdout.write(`\r  history rows: ${done}/${rows}`));
  process.stdout.write(`\n  built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function main(): Promise<void> {
  const config = await prepare();
  const app = await createApp(config);
  try {
    const base = (await app.server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const headers = { authorization: `Bearer ${app.adminKey}` };
    const audit = `${base}/admin/tenants/${DEMO_TENANT_ID}/history`;
    const get = async (url: string): Promise<{ ms: number; body: { value: { machineId: string }[]; '@odata.nextLink'?: string } }> => {
      const t0 = performance.now();
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      const ms = performance.now() - t0;
      if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text.slice(0, 300)}`);
      return { ms, body: JSON.parse(text) as { value: { machineId: string }[]; '@odata.nextLink'?: string } };
    };

    const day = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const now = Date.now();
    const device = (await get(`${audit}?limit=1`)).body.value[0]?.machineId ?? '';
    const deep = await (async () => {
      let link = `${audit}?limit=100&newValue=High`;
      for (let i = 0; i < 50; i++) link = (await get(link)).body['@odata.nextLink'] ?? link;
      return link.slice(audit.length);
    })();
    const user = encodeURIComponent(DEMO_USERS.operator.userPrincipalName);
    const combos: [string, string][] = [
      ['no filter', ''],
      ['since 7 days', `from=${iso(now - 7 * day)}`],
      ['a week a month ago', `from=${iso(now - 37 * day)}&to=${iso(now - 30 * day)}`],
      ['user (UPN)', `user=${user}`],
      ['application (name)', `application=${encodeURIComponent(DEMO_APP.name)}`],
      ['device', `device=${device}`],
      ['oldValue', 'oldValue=High'],
      ['newValue', 'newValue=Low'],
      ['route (rare: cli)', 'route=cli'],
      ['route + newValue', 'route=console&newValue=High'],
      ['user + since 7 days', `user=${user}&from=${iso(now - 7 * day)}`],
      ['device + newValue', `device=${device}&newValue=Normal`],
      ['old = new (matches nothing)', 'oldValue=High&newValue=High'],
      ['user + route seed (nothing)', `user=${user}&route=seed`],
      ['application + old + new + 30 days', `application=${encodeURIComponent(DEMO_APP.name)}&oldValue=Normal&newValue=High&from=${iso(now - 30 * day)}`],
      ['every filter', `from=${iso(now - 90 * day)}&to=${iso(now)}&user=${user}&application=rampart-console&device=${device}&oldValue=Low&newValue=High&route=console`],
      ['page 51 (nextLink)', deep.slice(1)],
    ];
    process.stdout.write(`\n${'filters'.padEnd(36)} ${'rows'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}\n`);
    let failed = 0;
    for (const [name, query] of combos) {
      const url = `${audit}${query ? `?${query}` : ''}`;
      for (let i = 0; i < 5; i++) await get(url); // warm-up
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < requests; i++) {
        const { ms, body } = await get(url);
        times.push(ms);
        found = body.value.length;
      }
      times.sort((a, b) => a - b);
      const p99 = percentile(times, 99);
      if (!(p99 < TARGET_P99_MS)) failed++;
      process.stdout.write(`${name.padEnd(36)} ${String(found).padStart(5)} ${percentile(times, 50).toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)}${p99 < TARGET_P99_MS ? '' : '  over target'}\n`);
    }
    process.stdout.write(`\n${failed === 0 ? `all ${combos.length}` : `${combos.length - failed} of ${combos.length}`} filter combinations under the p99 target of ${TARGET_P99_MS} ms (${requests} requests each, one at a time)\n`);

    // The console's Activity page: the same filters, its cursor named `after`, no `limit`.
    const cookie = await signIn(base);
    const page = async (url: string): Promise<{ ms: number; found: number }> => {
      const t0 = performance.now();
      const response = await consoleGet(url, cookie);
      const html = await response.text();
      const ms = performance.now() - t0;
      if (response.status !== 200) throw new Error(`${url}: ${response.status} ${html.slice(0, 300)}`);
      return { ms, found: html.match(/<tr data-seq=/g)?.length ?? 0 };
    };
    process.stdout.write(`\n${'Activity page: filters'.padEnd(36)} ${'rows'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}\n`);
    let slow = 0;
    for (const [name, query] of combos) {
      const pageQuery = query.replace(/(^|&)limit=\d+/, '').replace('$skiptoken=', 'after=').replace(/^&/, '');
      const url = `${base}/console/activity${pageQuery ? `?${pageQuery}` : ''}`;
      for (let i = 0; i < 5; i++) await page(url); // warm-up
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < requests; i++) {
        const measured = await page(url);
        times.push(measured.ms);
        found = measured.found;
      }
      times.sort((a, b) => a - b);
      const p99 = percentile(times, 99);
      if (!(p99 < TARGET_P99_MS)) slow++;
      process.stdout.write(`${name.padEnd(36)} ${String(found).padStart(5)} ${percentile(times, 50).toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)}${p99 < TARGET_P99_MS ? '' : '  over target'}\n`);
    }
    process.stdout.write(`\n${slow === 0 ? `all ${combos.length}` : `${combos.length - slow} of ${combos.length}`} Activity pages under the p99 target of ${TARGET_P99_MS} ms\n`);
  } finally {
    await app.close();
  }
}

await main();
