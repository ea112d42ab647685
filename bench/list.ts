/**
 * `npm run bench:list`: the inventory surface on a large fleet (issue 5). Seeds a fleet (one
 * million machines by default) once into a temp folder kept between runs, starts the built server
 * on it, and measures, with 10 concurrent connections, a selective filter, a name prefix, a tag
 * search and a deep `$skip` page: p50/p99 and the server's resident memory. Targets: each under
 * 20 ms p50 and 50 ms p99, the server under 300 MB. By default it does so on SQLite and then on
 * PostgreSQL, with the fleet in a database kept between runs too (bench/postgres-db.ts says
 * which server), and prints both side by side (issue 6); `--store sqlite|postgres` runs one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_FLEET_SEED } from '../src/config/demo.js';
import { cachedFleetDir, isFresh, runSeed, type Seeded } from './fleet-cache.js';
import { runLoad } from './load-runner.js';
import type { LoadResult } from './load-protocol.js';
import { analyzeFleet, createDatabase, databaseCores, databaseCpuSeconds, databaseNote, databaseUrl, dropDatabase, setDatabaseNote, postgresUnavailable } from './postgres-db.js';
import { canPin, runBench, type ProcessGroup } from './processes.js';
import { waitForQuiet } from './proc-stat.js';
import { fetchToken } from './rampart-client.js';
import { buildServer, ROOT, startRampart } from './servers.js';

const TARGET = { p50: 20, p99: 50, rssMb: 300 };

const scenarios = (deep: number): readonly { name: string; query: string }[] => [
  { name: 'selective filter, $top=100', query: `$filter=${encodeURIComponent("deviceValue eq 'High' and healthStatus ne 'Active'")}&$top=100` },
  { name: 'name prefix, $top=100', query: `$filter=${encodeURIComponent("startswith(computerDnsName,'web-1')")}&$top=100` },
  { name: 'tag any(), $top=100', query: `$filter=${encodeURIComponent("machineTags/any(t: t eq 'VIP')")}&$top=100` },
  // Half way through the fleet (500,000 of a million), so a smaller fleet still measures a deep page.
  { name: `deep page, $skip=${deep}`, query: `$skip=${deep}&$top=100` },
];

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(DEMO_FLEET_SEED) },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    'no-build': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    store: { type: 'string', default: 'both' },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
type Backend = 'sqlite' | 'postgres';
const BACKENDS: Record<string, readonly Backend[]> = { sqlite: ['sqlite'], postgres: ['postgres'], both: ['sqlite', 'postgres'] };
const backends = BACKENDS[args.store ?? 'both'];
if (!backends) throw new Error(`--store: expected sqlite, postgres or both, got '${args.store}'`);

/**
 * The same, in a PostgreSQL database named after size and seed; the database's comment records
 * the seeding (written last, so a seeding cut short is redone). The data folder beside it holds
 * only the server's log.
 */
async function fleetDatabase(): Promise<{ name: string; url: string; dataDir: string }> {
  const name = `rampart_list_bench_${count}_${seed}`;
  const dataDir = join(tmpdir(), `rampart-list-bench-pg-${count}-${seed}`);
  mkdirSync(dataDir, { recursive: true });
  const url = databaseUrl(name);
  const note = await databaseNote(name);
  if (isFresh(note ? (JSON.parse(note) as Seeded) : undefined, args.fresh)) {
    process.stdout.write(`fleet: ${count} machines, kept in PostgreSQL database ${name}\n`);
  } else {
    if (note !== undefined) await dropDatabase(name);
    await createDatabase(name);
    process.stdout.write(`seeding ${count} machines into PostgreSQL database ${name} (rampart seed)...\n`);
    const seeded = runSeed(count, seed, ['--store', url, '--data-dir', dataDir]);
    await setDatabaseNote(name, JSON.stringify(seeded));
  }
  // Seeding analyses the tables as they grow (docs/adr/0006), but a fleet kept from an older run
  // may predate that, and autovacuum is off on some servers: vacuum and analyse once more, so
  // every run measures plans made with statistics and index-only scans that skip the table, as
  // a running service has them.
  const analyzed = await analyzeFleet(url);
  process.stdout.write(`VACUUM (ANALYZE) of the machine tables: ${analyzed.seconds.toFixed(1)} s (autovacuum is ${analyzed.autovacuum ? 'on' : 'OFF on this server'})\n`);
  return { name, url, dataDir };
}

function memoryMb(pid: number | undefined): { rss: number; peak: number } {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

interface Result {
  readonly name: string;
  readonly query: string;
  readonly items: number;
  readonly coldMs: number;
  readonly m: LoadResult;
  readonly rssMb: number;
  /** Cores PostgreSQL's backends for the fleet database used (PostgreSQL only). */
  readonly dbCores: number | undefined;
}

interface Measured {
  readonly backend: Backend;
  readonly results: readonly Result[];
  readonly memory: { rss: number; peak: number };
}

async function main(group: ProcessGroup): Promise<number> {
  if (!args['no-build']) {
    buildServer();
  }
  const measured: Measured[] = [];
  for (const backend of backends as readonly Backend[]) {
    if (backend === 'postgres') {
      const absent = await postgresUnavailable();
      if (absent) {
        process.stdout.write(`PostgreSQL skipped: ${absent}\n`);
        continue;
      }
    }
    process.stdout.write(`\n== ${backend === 'postgres' ? 'PostgreSQL' : 'SQLite'}\n`);
    measured.push(await measure(group, backend));
  }
  for (const m of measured) report(m);
  if (measured.length === 2) sideBySide(measured[0] as Measured, measured[1] as Measured);
  return measured.every((m) => m.results.every((r) => Object.keys(r.m.statusCounts).every((s) => s === '200'))) ? 0 : 1;
}

async function measure(group: ProcessGroup, backend: Backend): Promise<Measured> {
  const onPostgres = backend === 'postgres';
  const database = onPostgres ? await fleetDatabase() : undefined;
  const dataDir = database ? database.dataDir : cachedFleetDir(count, seed, { fresh: args.fresh });
  const pin = canPin();
  const server = await startRampart(group, { dataDir, logLevel: 'warn', machines: 300, core: pin ? 0 : undefined, logFile: join(dataDir, 'server.log'), ...(database ? { store: database.url } : {}) });
  const headers = { authorization: `Bearer ${await fetchToken(server.base)}` };
  const results: Result[] = [];
  for (const scenario of scenarios(Math.floor(count / 2))) {
    const path = `/api/machines?${scenario.query}`;
    const t0 = performance.now();
    const first = await fetch(`${server.base}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
    const body = (await first.json()) as { value?: unknown[] };
    const coldMs = performance.now() - t0;
    if (first.status !== 200) throw new Error(`${path}: ${first.status} ${JSON.stringify(body).slice(0, 200)}`);
    await waitForQuiet(0.3, 20_000);
    const spec = { url: server.base, method: 'GET' as const, paths: [path], headers, connections: Number(args.connections), timeoutS: 10, serverPid: server.pid };
    await runLoad(group, { ...spec, durationS: Number(args.warmup) }, pin ? 1 : undefined);
    const dbBefore = database ? databaseCpuSeconds(database.name) : undefined;
    const m = await runLoad(group, { ...spec, durationS: Number(args.duration) }, pin ? 1 : undefined);
    const dbCores = database && dbBefore ? databaseCores(dbBefore, databaseCpuSeconds(database.name), m.elapsedS) : undefined;
    results.push({ name: scenario.name, query: scenario.query, items: body.value?.length ?? 0, coldMs, m, rssMb: memoryMb(server.pid).rss, dbCores });
    process.stdout.write(`  ${scenario.name}: p50 ${m.latencyMs.p50.toFixed(1)} ms, p99 ${m.latencyMs.p99.toFixed(1)} ms${dbCores === undefined ? '' : `, PostgreSQL ${dbCores.toFixed(2)} cores`}\n`);
  }
  const memory = memoryMb(server.pid);
  await group.stop(server.started);
  return { backend, results, memory };
}

function report({ backend, results, memory }: Measured): void {
  const onPostgres = backend === 'postgres';
  const rows = results.map((r) => {
    const ok = r.m.latencyMs.p50 < TARGET.p50 && r.m.latencyMs.p99 < TARGET.p99 && Object.keys(r.m.statusCounts).every((s) => s === '200');
    const db = onPostgres ? ` ${(r.dbCores ?? 0).toFixed(2)} |` : '';
    return `| ${r.name} | ${r.items} | ${r.coldMs.toFixed(0)} | ${r.m.reqPerSec.toFixed(0)} | ${r.m.latencyMs.p50.toFixed(1)} | ${r.m.latencyMs.p99.toFixed(1)} | ${(r.m.serverCpu ?? 0).toFixed(2)} |${db} ${(r.m.otherCpu ?? 0).toFixed(2)} | ${ok ? 'yes' : 'NO'} |`;
  });
  const memoryOk = memory.peak < TARGET.rssMb;
  process.stdout.write(
    [
      '',
      `${count.toLocaleString('en')} machines on ${onPostgres ? 'PostgreSQL' : 'SQLite'}, ${args.connections} connections, ${args.duration} s per scenario`,
      '',
      `| scenario | items | first request ms | req/s | p50 ms | p99 ms | server cores |${onPostgres ? ' PostgreSQL cores |' : ''} other cores | on target |`,
      `|---|---:|---:|---:|---:|---:|---:|${onPostgres ? '---:|' : ''}---:|---|`,
      ...rows,
      '',
      `server memory: ${memory.rss.toFixed(0)} MB resident at the end, ${memory.peak.toFixed(0)} MB at peak (target < ${TARGET.rssMb} MB): ${memoryOk ? 'yes' : 'NO'}`,
      ...(onPostgres ? ['PostgreSQL cores: CPU of the fleet database\'s backends during the measured run; "other cores" includes them (and the WAL writer, checkpointer)'] : []),
      '',
    ].join('\n'),
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = onPostgres ? 'list-postgres-latest.json' : 'list-latest.json';
  writeFileSync(join(ROOT, 'bench', 'results', file), JSON.stringify({ count, seed, store: backend, at: new Date().toISOString(), memory, results }, null, 2));
}

/** The two backends' p50 / p99 per scenario in one table (issue 6), with each one's ratio to SQLite. */
function sideBySide(sqlite: Measured, postgres: Measured): void {
  const cell = (r: Result | undefined) => (r ? `${r.m.latencyMs.p50.toFixed(1)} / ${r.m.latencyMs.p99.toFixed(1)}` : '-');
  const rows = sqlite.results.map((s) => {
    const p = postgres.results.find((r) => r.name === s.name);
    const slower = p ? `${(p.m.latencyMs.p50 / s.m.latencyMs.p50).toFixed(1)}x` : '-';
    return `| ${s.name} | ${cell(s)} | ${cell(p)} | ${slower} |`;
  });
  process.stdout.write(
    [
      `side by side, ${count.toLocaleString('en')} machines (p50 / p99 ms)`,
      '',
      '| scenario | SQLite | PostgreSQL | PostgreSQL p50 vs SQLite |',
      '|---|---:|---:|---:|',
      ...rows,
      `| server memory at peak | ${sqlite.memory.peak.toFixed(0)} MB | ${postgres.memory.peak.toFixed(0)} MB | |`,
      '',
    ].join('\n'),
  );
}

await runBench('bench:list', main);
