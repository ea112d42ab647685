/**
 * `npm run bench:alerts`: the alert fetch of SOAR tools (issue 16) on a large fleet. Seeds a fleet
 * (one million machines, two million alerts by default) once into a temp folder kept between
 * runs, starts the built server on it (SQLite) and measures, with 10 concurrent connections,
 * XSOAR's fetch query: `alertCreationTime gt <time>`, `$orderby=alertCreationTime asc`,
 * `$top=50`, both as its first run asks (three days back) and as each later run does (just after
 * the newest alert it saw). Target: p99 < 50 ms. `--count` and `--alerts-per-machine` size it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { DEMO_FLEET_SEED, DEMO_TENANT } from '../src/config/demo.js';
import { cachedFleetDir } from './fleet-cache.js';
import { runLoad } from './load-runner.js';
import { canPin, runBench, type ProcessGroup } from './processes.js';
import { waitForQuiet } from './proc-stat.js';
import { fetchToken } from './rampart-client.js';
import { buildServer, RAMPART_MAIN, ROOT, startRampart } from './servers.js';

const TARGET_P99_MS = 50;
const HOUR = 3_600_000;

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    'alerts-per-machine': { type: 'string', default: '2' },
    seed: { type: 'string', default: String(DEMO_FLEET_SEED) },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    'no-build': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const perMachine = String(args['alerts-per-machine']);
const seed = Number(args.seed);

/** The fleet with its alerts in a temp folder, seeded when missing, older than a week or `--fresh`. */
function cachedAlertFleet(): string {
  return cachedFleetDir(count, seed, {
    fresh: args.fresh,
    dirName: `rampart-alerts-bench-${count}-${perMachine}-${seed}`,
    seedArgs: ['--alerts-per-machine', perMachine],
    seedNote: ` with about ${perMachine} alerts each`,
    prepare: applyDemoTenant,
  });
}

/**
 * The demo tenant's document (its applications, users and groups) before the seed: `rampart seed`
 * makes a bare tenant, and a server finding the tenant already there does not apply the demo's.
 */
function applyDemoTenant(dir: string): void {
  const file = join(dir, 'demo-tenant.json');
  writeFileSync(file, JSON.stringify(DEMO_TENANT));
  const applied = spawnSync(process.execPath, [RAMPART_MAIN, 'tenant', 'apply', file, '--data-dir', dir, '--log-level', 'warn'], { stdio: 'inherit', timeout: 600_000 });
  if (applied.status !== 0) throw new Error('rampart tenant apply failed');
}

/** XSOAR's fetch: alerts created after `sinceMs`, oldest first, 50 at a time. */
const fetchQuery = (sinceMs: number): string =>
  `/api/alerts?$filter=${encodeURIComponent(`alertCreationTime gt ${new Date(sinceMs).toISOString()}`)}&$orderby=${encodeURIComponent('alertCreationTime asc')}&$top=50`;

async function main(group: ProcessGroup): Promise<number> {
  if (!args['no-build']) buildServer();
  const dataDir = cachedAlertFleet();
  const pin = canPin();
  const server = await startRampart(group, { dataDir, logLevel: 'warn', machines: 300, core: pin ? 0 : undefined, logFile: join(dataDir, 'server.log') });
  const headers = { authorization: `Bearer ${await fetchToken(server.base)}` };
  const get = async (path: string) => {
    const t0 = performance.now();
    const response = await fetch(`${server.base}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
    const body = (await response.json()) as { value?: { alertCreationTime: string }[]; '@odata.count'?: number };
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    return { body, ms: performance.now() - t0 };
  };
  // The fleet may be days old: the cut-offs are taken from its newest visible alert.
  const newest = (await get('/api/alerts?$orderby=alertCreationTime%20desc&$top=1')).body.value?.[0];
  if (!newest) throw new Error('the fleet has no visible alert');
  const total = (await get('/api/alerts?$count=true&$top=1')).body['@odata.count'];
  const newestMs = Date.parse(newest.alertCreationTime);
  const scenarios = [
    { name: 'first fetch: three days back, asc, $top=50', path: fetchQuery(newestMs - 72 * HOUR) },
    { name: 'next fetch: after the last hour, asc, $top=50', path: fetchQuery(newestMs - HOUR) },
  ];
  const rows: string[] = [];
  let allOk = true;
  for (const scenario of scenarios) {
    const first = await get(scenario.path);
    await waitForQuiet(0.3, 20_000);
    const spec = { url: server.base, method: 'GET' as const, paths: [scenario.path], headers, connections: Number(args.connections), timeoutS: 10, serverPid: server.pid };
    await runLoad(group, { ...spec, durationS: Number(args.warmup) }, pin ? 1 : undefined);
    const m = await runLoad(group, { ...spec, durationS: Number(args.duration) }, pin ? 1 : undefined);
    // A run in which no request finished has no latencies (p99 reads 0): that is a failure, not a pass.
    const answered = m.statusCounts['200'] ?? 0;
    const ok = answered > 0 && m.errors === 0 && m.latencyMs.p99 < TARGET_P99_MS && Object.keys(m.statusCounts).every((s) => s === '200');
    allOk &&= ok;
    rows.push(`| ${scenario.name} | ${first.body.value?.length ?? 0} | ${first.ms.toFixed(0)} | ${m.reqPerSec.toFixed(0)} | ${m.latencyMs.p50.toFixed(1)} | ${m.latencyMs.p99.toFixed(1)} | ${(m.serverCpu ?? 0).toFixed(2)} | ${ok ? 'yes' : 'NO'} |`);
    process.stdout.write(`  ${scenario.name}: p50 ${m.latencyMs.p50.toFixed(1)} ms, p99 ${m.latencyMs.p99.toFixed(1)} ms\n`);
  }
  await group.stop(server.started);
  const report = [
    '',
    `${count.toLocaleString('en')} machines, ${total?.toLocaleString('en') ?? '?'} alerts visible, SQLite, ${args.connections} connections, ${args.duration} s per scenario`,
    '',
    '| scenario | items | first request ms | req/s | p50 ms | p99 ms | server cores | p99 < 50 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'alerts-latest.md'), report);
  return allOk ? 0 : 1;
}

await runBench('bench:alerts', main);
