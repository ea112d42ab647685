/**
 * `npm run bench:backends` (and the second half of `npm run bench`): the full setDeviceValue path
 * and GET by id on SQLite (one instance), PostgreSQL with one instance, and PostgreSQL with two
 * instances on one database sharing the load, in one run with the same machinery as run.ts.
 * Takes run.ts's options (bench/args.ts). Each PostgreSQL configuration gets a database of its
 * own, created for the run and dropped at its end. See bench/README.md.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type BenchOptions } from './args.js';
import { demoMachineIds } from './fleet-ids.js';
import { runLoad } from './load-runner.js';
import type { LoadResult, LoadSpec } from './load-protocol.js';
import { countHistory, databaseCores, databaseCpuSeconds, describeServer, postgresUnavailable, scratchDatabase } from './postgres-db.js';
import { canPin, runBench, type ProcessGroup } from './processes.js';
import { waitForQuiet } from './proc-stat.js';
import { BODIES, captureReplies, checkHistory, fetchToken, historyVerdict, type DurabilityCheck } from './rampart-client.js';
import { ms, non200, table, type ScenarioName } from './report.js';
import { MACHINE_SCENARIOS } from './scenarios.js';
import { buildServer, ROOT, startRampart, type Running } from './servers.js';

const OTHER_CPU_WARN = 0.15;

interface Config {
  readonly backend: 'SQLite' | 'PostgreSQL';
  readonly instances: 1 | 2;
}
const CONFIGS: readonly Config[] = [
  { backend: 'SQLite', instances: 1 },
  { backend: 'PostgreSQL', instances: 1 },
  { backend: 'PostgreSQL', instances: 2 },
];
const label = (c: Config) => `${c.backend} x${c.instances}`;

/** One measured run of one configuration: one load result per instance, run at the same time. */
interface Measurement {
  readonly round: number;
  readonly scenario: ScenarioName;
  readonly config: string;
  readonly sides: readonly LoadResult[];
  readonly reqPerSec: number;
  readonly bad: number;
  /** Cores the database's backend processes used (PostgreSQL only). */
  readonly dbCores: number | undefined;
}

async function main(options: BenchOptions, group: ProcessGroup): Promise<number> {
  if (options.build) {
    buildServer();
  }
  const pin = options.pin && canPin();
  const ids = demoMachineIds(options.machines, options.spread);
  if (ids.length === 0) throw new Error('no visible machine in the demo fleet');
  const paths = ids.map((id) => `/api/machines/${id}`);
  const work = mkdtempSync(join(tmpdir(), 'rampart-bench-backends-'));
  group.trackDir(work);

  const unavailable = await postgresUnavailable();
  const configs = unavailable ? CONFIGS.filter((c) => c.backend === 'SQLite') : CONFIGS;
  process.stdout.write(
    [
      '',
      `Rampart backends bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
      unavailable ? `PostgreSQL at ${describeServer()}: NOT AVAILABLE (${unavailable}); only SQLite is measured` : `PostgreSQL at ${describeServer()}: a fresh database per configuration, dropped at the end`,
      pin
        ? 'pinning: one instance on core 0, its load generator on core 1; two instances on cores 0 and 1, each load generator on the other core; PostgreSQL is not pinned'
        : 'pinning: none (taskset missing, fewer than 2 cores, or --no-pin)',
      `load: autocannon in its own process(es), ${options.connections} connections in all (two instances: half each, both at once, each on its own half of the machines), ${options.warmupS} s warm-up + ${options.durationS} s measured${options.rounds > 1 ? `, ${options.rounds} rounds (medians reported)` : ''}`,
      `spread over ${ids.length} machines of a ${options.machines}-machine demo fleet; durability full on SQLite, synchronous_commit as the server has it on PostgreSQL`,
      ...(cpus().length <= 2 ? [`CAVEAT: ${cpus().length} cores for PostgreSQL, the servers and the load generators together: a second instance cannot add throughput here; its row shows the cost of sharing, not how it scales`] : []),
      '',
    ].join('\n'),
  );

  const measurements: Measurement[] = [];
  const durability: Record<string, DurabilityCheck> = {};
  for (const config of configs) {
    const { checks, runs } = await measureConfig(config, options, group, { pin, paths, work });
    measurements.push(...runs);
    durability[label(config)] = checks;
  }

  const median = (scenario: ScenarioName, config: string): Measurement | undefined => {
    const mine = measurements.filter((m) => m.scenario === scenario && m.config === config).sort((a, b) => a.reqPerSec - b.reqPerSec);
    return mine[Math.floor((mine.length - 1) / 2)];
  };
  const rows: string[][] = [];
  for (const scenario of options.scenarios.filter((s) => MACHINE_SCENARIOS.includes(s))) {
    const base = median(scenario, label(CONFIGS[0]!));
    for (const config of configs) {
      const m = median(scenario, label(config));
      if (!m || !base) continue;
      const p50 = m.sides.map((s) => ms(s.latencyMs.p50)).join(' / ');
      const p99s = m.sides.map((s) => s.latencyMs.p99);
      const p99 = p99s.length > 1 ? `${p99s.map(ms).join(' / ')} (worst ${ms(Math.max(...p99s))})` : ms(p99s[0]!);
      const serverCores = m.sides.map((s) => (s.serverCpu ?? 0).toFixed(2)).join(' + ');
      rows.push([scenario, config.backend, String(config.instances), Math.round(m.reqPerSec).toLocaleString('en-US'), p50, p99, (m.reqPerSec / base.reqPerSec).toFixed(2), serverCores, m.dbCores === undefined ? '-' : m.dbCores.toFixed(2), dbCpuPerRequest(m), String(m.bad)]);
    }
  }
  process.stdout.write(`\n${table(['scenario', 'backend', 'instances', 'req/s', 'p50 ms', 'p99 ms', 'vs SQLite', 'server cores', 'db cores', 'db us/req', 'non-200'], rows)}\n\n`);
  process.stdout.write('Two instances: req/s is the sum of both load generators; p50 and p99 are each side\'s, and the combined p99 is the worse of the two.\n');
  process.stdout.write('db cores: CPU of this database\'s PostgreSQL backends (not the WAL writer or checkpointer); db us/req: that CPU per answered request, which\n');
  process.stdout.write('  sizes database cores for a target rate and, being CPU time rather than wall time, moves less than req/s when the machine is shared.\n');
  for (const [name, check] of Object.entries(durability)) process.stdout.write(`acknowledged writes durable (${name}): ${check.status} - ${check.detail}\n`);
  const disturbed = measurements.filter((m) => m.sides.some((s) => (s.otherCpu ?? 0) - (m.dbCores ?? 0) > OTHER_CPU_WARN) && m.sides.length === 1).length;
  if (disturbed) process.stdout.write(`WARNING: other processes used more than ${OTHER_CPU_WARN} cores during ${disturbed} single-instance run(s); rerun when the machine is idle, or with --rounds 3\n`);
  if (unavailable) process.stdout.write(`PostgreSQL runs SKIPPED: ${unavailable}\n`);

  const failures = measurements.filter((m) => m.bad > 0).length + Object.values(durability).filter((c) => c.status === 'FAIL').length;
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'backends-latest.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cores: cpus().length, pinned: pin, options, postgresSkipped: unavailable ?? null, measurements, durability }, null, 2)}\n`);
  process.stdout.write(`results: ${join(resultsDir, 'backends-latest.json')}\n`);
  if (failures > 0) {
    process.stderr.write(`\nFAILED: ${failures} correctness failure(s): non-200 responses, connection errors or lost writes (see above)\n`);
    return 1;
  }
  return 0;
}

/** Microseconds of database CPU per answered request ('-' on SQLite or when nothing was answered). */
const dbCpuPerRequest = (m: Measurement): string => (m.dbCores === undefined || m.reqPerSec <= 0 ? '-' : Math.round((m.dbCores * 1e6) / m.reqPerSec).toString());

/**
 * Starts the configuration's instances, checks each machine answers, measures every scenario,
 * stops the instances gracefully and counts the history rows the acknowledged writes left.
 */
async function measureConfig(
  config: Config,
  options: BenchOptions,
  group: ProcessGroup,
  env: { pin: boolean; paths: readonly string[]; work: string },
): Promise<{ runs: Measurement[]; checks: DurabilityCheck }> {
  const name = label(config);
  const slug = name.replace(/\W+/g, '-').toLowerCase();
  const database = config.backend === 'PostgreSQL' ? await scratchDatabase(group, slug.replace(/-/g, '_')) : undefined;
  const servers: Running[] = [];
  const dataDirs: string[] = [];
  for (let i = 0; i < config.instances; i++) {
    const dataDir = join(env.work, `${slug}-${i}`);
    dataDirs.push(dataDir);
    const core = env.pin ? i % 2 : undefined;
    // One after the other: the second finds the demo tenant the first provisioned.
    servers.push(await startRampart(group, { dataDir, logLevel: 'warn', machines: options.machines, core, logFile: `${dataDir}.log`, name: `${name} #${i + 1}`, ...(database ? { store: database.url } : {}) }));
  }
  // A token from the first instance: on PostgreSQL the second must accept it too (shared keys).
  const headers = { authorization: `Bearer ${await fetchToken(servers[0]!.base)}`, 'content-type': 'application/json' };
  let acknowledged = 0;
  let cutOff = 0;
  for (const [i, server] of servers.entries()) acknowledged += (await captureReplies(server.base, headers, env.paths, BODIES, i)).writes;

  // Connection c of a load generator sends to path c mod its share: with two instances each takes
  // half of the connections and half of the machines, so no machine is written through both.
  const share = <T>(items: readonly T[], i: number): T[] => {
    const half = Math.ceil(items.length / config.instances);
    return items.slice(i * half, (i + 1) * half);
  };
  const connections = servers.map((_, i) => Math.floor(options.connections / config.instances) + (i < options.connections % config.instances ? 1 : 0));
  const runs: Measurement[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios.filter((s) => MACHINE_SCENARIOS.includes(s))) {
      const set = scenario === 'setDeviceValue';
      const specs = servers.map((server, i): LoadSpec => {
        const mine = share(env.paths, i);
        return {
          url: server.base,
          method: set ? 'POST' : 'GET',
          paths: set ? mine.map((p) => `${p}/setDeviceValue`) : mine,
          ...(set ? { bodies: BODIES } : {}),
          headers: set ? headers : { authorization: headers.authorization },
          connections: connections[i]!,
          durationS: options.durationS,
          timeoutS: 10,
          ...(server.pid === undefined ? {} : { serverPid: server.pid }),
        };
      });
      const loadCore = (i: number) => (env.pin ? (i + 1) % 2 : undefined);
      if (options.waitIdleS > 0) {
        const { waitedMs, quiet } = await waitForQuiet(OTHER_CPU_WARN, options.waitIdleS * 1000);
        if (!quiet) process.stdout.write(`  (machine still busy after waiting ${Math.round(waitedMs / 1000)} s; measuring anyway)\n`);
      }
      const warmups = options.warmupS > 0 ? await Promise.all(specs.map((spec, i) => runLoad(group, { ...spec, durationS: options.warmupS }, loadCore(i)))) : [];
      const dbBefore = database ? databaseCpuSeconds(database.name) : undefined;
      const sides = await Promise.all(specs.map((spec, i) => runLoad(group, spec, loadCore(i))));
      const dbCores = database && dbBefore ? databaseCores(dbBefore, databaseCpuSeconds(database.name), Math.max(...sides.map((s) => s.elapsedS))) : undefined;
      const bad = [...warmups, ...sides].reduce((sum, m) => sum + non200(m), 0);
      if (set) {
        acknowledged += [...warmups, ...sides].reduce((sum, m) => sum + m.ok, 0);
        cutOff += (warmups.length > 0 ? 2 : 1) * options.connections;
      }
      const m: Measurement = { round, scenario, config: name, sides, reqPerSec: sides.reduce((sum, s) => sum + s.reqPerSec, 0), bad, dbCores };
      runs.push(m);
      const latency = sides.map((s) => `p50 ${ms(s.latencyMs.p50)} p99 ${ms(s.latencyMs.p99)}`).join(' | ');
      process.stdout.write(
        `${options.rounds > 1 ? `[${round}] ` : ''}${scenario.padEnd(15)} ${name.padEnd(14)} ${Math.round(m.reqPerSec).toString().padStart(6)} req/s  ${latency}${dbCores === undefined ? '' : `  db ${dbCores.toFixed(2)} cores, ${dbCpuPerRequest(m)} us/req`}${bad ? `  ${bad} NON-200 RESPONSES OR ERRORS: ${sides.map((s) => JSON.stringify(s.statusCounts)).join(' ')}` : ''}\n`,
      );
    }
  }

  const codes = [];
  for (const server of servers) codes.push(await group.stop(server.started));
  const exit = codes.every((c) => c === 0) ? '' : `server exit codes ${codes.join(', ')}; `;
  let check: DurabilityCheck;
  if (database) {
    check = await countHistory(database.url).then(
      (rows) => historyVerdict(rows, acknowledged, cutOff),
      (error: unknown) => ({ status: 'SKIPPED' as const, detail: `could not count history: ${error instanceof Error ? error.message : String(error)}` }),
    );
    await database.drop();
  } else {
    check = checkHistory(join(dataDirs[0]!, 'rampart.db'), acknowledged, cutOff);
  }
  return { runs, checks: exit ? { status: 'FAIL', detail: `${exit}${check.detail}` } : check };
}


await runBench('bench:backends', (group) => main(parseOptions(process.argv.slice(2), { heading: 'bench/backends.ts (npm run bench:backends) takes the same options; --log, --prof-server and --strict do not apply to it', durationS: 8, waitIdleS: 10 }), group));
