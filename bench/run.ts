/**
 * `npm run bench`: Rampart's setDeviceValue, GET-by-id, action-request and action-poll paths
 * against a bare node:http ceiling, in one run on this machine, one server at a time, with the
 * same requests and reply bytes on both sides. See bench/README.md for how to read the output.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type BenchOptions } from './args.js';
import { demoMachineIds } from './fleet-ids.js';
import { runLoad } from './load-runner.js';
import type { LoadResult, LoadSpec } from './load-protocol.js';
import { canPin, runBench, type ProcessGroup } from './processes.js';
import { waitForQuiet } from './proc-stat.js';
import { BODIES, captureActions, captureReplies, checkHistory, fetchToken, type ActionCapture, type DurabilityCheck } from './rampart-client.js';
import { SCAN_BODY, SCENARIOS, type ReplyKind } from './scenarios.js';
import { detailTable, non200, summaryTable, verdict, type Row, type ScenarioName } from './report.js';
import { buildServer, ROOT, startBare, startRampart, type Running } from './servers.js';

const SERVER_CORE = 0;
const LOADGEN_CORE = 1;
/** Cores used by unrelated processes above which a run is flagged as disturbed. */
const OTHER_CPU_WARN = 0.15;
/** Load-generator CPU above which it, rather than the server, may set the pace. */
const LOADGEN_CPU_WARN = 0.9;

interface Run {
  readonly round: number;
  readonly scenario: ScenarioName;
  readonly target: string;
  readonly warmup: LoadResult | undefined;
  readonly m: LoadResult;
}

interface Target {
  readonly name: string;
  readonly variant: string | undefined; // undefined for the bare servers
  readonly server: Running;
  readonly headers: Record<string, string>;
  readonly dataDir: string | undefined;
  /** The Active machines and the actions created on this server (the bare servers use the first Rampart's). */
  readonly actions: ActionCapture;
  acknowledgedWrites: number;
  setRuns: number;
}

async function main(options: BenchOptions, group: ProcessGroup): Promise<number> {
  if (options.build) {
    buildServer();
  }
  const pin = options.pin && canPin();
  const serverCore = pin ? SERVER_CORE : undefined;
  const loadCore = pin ? LOADGEN_CORE : undefined;

  const ids = demoMachineIds(options.machines, options.spread);
  if (ids.length === 0) throw new Error('no visible machine in the demo fleet');
  const paths = ids.map((id) => `/api/machines/${id}`);

  const work = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  group.trackDir(work);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = options.profServer ? join(ROOT, 'bench', 'results', 'profiles', stamp) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  // Rampart first: the bare server needs one of its real replies to send.
  const targets: Target[] = [];
  let capture: Awaited<ReturnType<typeof captureReplies>> | undefined;
  for (const logLevel of options.log ? (['warn', 'info'] as const) : (['warn'] as const)) {
    const dataDir = join(work, `data-${logLevel}`);
    // Instant action timings: a device's scan is over before the next request for it arrives.
    const env = { RAMPART_ACTION_TIMINGS: 'instant' };
    const server = await startRampart(group, { dataDir, logLevel, machines: options.machines, core: serverCore, logFile: join(work, `rampart-${logLevel}.log`), env, ...(profileDir ? { profileDir } : {}) });
    const headers = { authorization: `Bearer ${await fetchToken(server.base)}`, 'content-type': 'application/json' };
    const captured = await captureReplies(server.base, headers, paths, BODIES);
    capture ??= captured;
    const actions = await captureActions(server.base, headers, paths, SCAN_BODY);
    targets.push({ name: `rampart (log ${logLevel})`, variant: `log ${logLevel}`, server, headers, dataDir, actions, acknowledgedWrites: captured.writes, setRuns: 0 });
  }
  const first = targets[0]!;
  // One bare server per kind of reply, each sending a real Rampart reply of that kind.
  for (const dir of ['bare-machine', 'bare-action']) mkdirSync(join(work, dir));
  const bareFor: Record<ReplyKind, Target> = {
    machine: bareTarget('bare node:http', await startBare(group, { entity: capture!.entity, contentType: capture!.contentType, workDir: join(work, 'bare-machine'), core: serverCore }), first),
    action: bareTarget('bare (action reply)', await startBare(group, { entity: first.actions.entity, contentType: first.actions.contentType, workDir: join(work, 'bare-action'), core: serverCore }), first),
  };

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      '',
      `Rampart bench: node ${process.version}, ${cpus().length} x ${cpu}`,
      pin
        ? `pinning: servers on core ${SERVER_CORE} (one at a time; Rampart's checkpoint and fdatasync threads share it), load generator on core ${LOADGEN_CORE} (taskset)`
        : 'pinning: none (taskset missing, fewer than 2 cores, or --no-pin)',
      `load: autocannon in its own process, ${options.connections} connections, ${options.warmupS} s warm-up + ${options.durationS} s measured per side, sequential${options.rounds > 1 ? `, ${options.rounds} rounds (medians reported)` : ''}`,
      `spread over ${ids.length} machines of a ${options.machines}-machine demo fleet; Rampart durability full`,
      `reply: bare sends a fixed ${capture!.entity.length}-byte entity (Rampart's replies ${capture!.minBytes}-${capture!.maxBytes}, mean ${capture!.meanBytes.toFixed(0)}); for action scenarios a ${first.actions.entity.length}-byte action`,
      `actions: scans requested on the ${first.actions.machinePaths.length} Active machines among them, action timings instant; polls of ${first.actions.actionIds.length} actions by id`,
      ...(profileDir ? [`PROFILING: Rampart runs under --cpu-prof; its numbers are not comparable. Profiles: ${profileDir}`] : []),
      '',
    ].join('\n'),
  );

  const runs: Run[] = [];
  let failures = 0;
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      const kind = SCENARIOS[scenario];
      for (const target of [bareFor[kind.reply], ...targets]) {
        const set = scenario === 'setDeviceValue';
        const post = kind.method === 'POST';
        const spec: LoadSpec = {
          url: target.server.base,
          method: kind.method,
          paths: kind.paths(paths, target.actions.machinePaths, target.actions.actionIds),
          ...(kind.bodies ? { bodies: kind.bodies } : {}),
          headers: post ? target.headers : { authorization: target.headers.authorization! },
          connections: options.connections,
          durationS: options.durationS,
          timeoutS: 10,
          ...(target.server.pid === undefined ? {} : { serverPid: target.server.pid }),
        };
        if (options.waitIdleS > 0) {
          const { waitedMs, quiet } = await waitForQuiet(OTHER_CPU_WARN, options.waitIdleS * 1000);
          if (!quiet) process.stdout.write(`  (machine still busy after waiting ${Math.round(waitedMs / 1000)} s; measuring anyway)\n`);
        }
        const warmup = options.warmupS > 0 ? await runLoad(group, { ...spec, durationS: options.warmupS }, loadCore) : undefined;
        const m = await runLoad(group, spec, loadCore);
        runs.push({ round, scenario, target: target.name, warmup, m });
        // The bare server answers every request 200; Rampart answers as the scenario says.
        const expected = target.variant === undefined ? 200 : kind.status;
        const bad = (warmup ? non200(warmup, expected) : 0) + non200(m, expected);
        if (set && target.variant !== undefined) {
          target.acknowledgedWrites += (warmup?.ok ?? 0) + m.ok;
          target.setRuns += warmup ? 2 : 1;
        }
        const busy = (m.otherCpu ?? 0) > OTHER_CPU_WARN ? `  (other processes used ${m.otherCpu!.toFixed(2)} cores)` : '';
        process.stdout.write(
          `${options.rounds > 1 ? `[${round}] ` : ''}${scenario.padEnd(15)} ${target.name.padEnd(18)} ${Math.round(m.reqPerSec).toString().padStart(7)} req/s  p50 ${m.latencyMs.p50.toFixed(2)} ms  p99 ${m.latencyMs.p99.toFixed(2)} ms${busy}${bad ? `  ${bad} NON-200 RESPONSES OR ERRORS: ${JSON.stringify(m.statusCounts)}` : ''}\n`,
        );
        if (bad) failures++;
      }
    }
  }

  // Stop Rampart gracefully (profiles are written at exit), then check the writes it acknowledged.
  const durability: Record<string, DurabilityCheck> = {};
  for (const target of targets) {
    const code = await group.stop(target.server.started);
    const check = checkHistory(join(target.dataDir!, 'rampart.db'), target.acknowledgedWrites, target.setRuns * options.connections);
    durability[target.name] = code === 0 ? check : { status: 'FAIL', detail: `server exited with ${code}; ${check.detail}` };
    if (durability[target.name]!.status === 'FAIL') failures++;
    const logFile = target.server.started.logFile;
    if (logFile) process.stdout.write(`${target.name} wrote ${(statSync(logFile).size / 1e6).toFixed(1)} MB of output\n`);
  }
  for (const bare of Object.values(bareFor)) await group.stop(bare.server.started);

  // Each side's median run (by throughput) over the rounds represents it.
  const median = (scenario: ScenarioName, target: string): Run => {
    const mine = runs.filter((r) => r.scenario === scenario && r.target === target).sort((a, b) => a.m.reqPerSec - b.m.reqPerSec);
    return mine[Math.floor((mine.length - 1) / 2)]!;
  };
  const rows: Row[] = [];
  for (const scenario of options.scenarios) {
    for (const target of targets) {
      rows.push({ scenario, variant: target.variant!, bare: median(scenario, bareFor[SCENARIOS[scenario].reply].name).m, rampart: median(scenario, target.name).m });
    }
  }
  process.stdout.write(`\n${summaryTable(rows)}\n\n${pollVerdict(rows)}${detailTable(runs.map((r) => ({ ...r, target: options.rounds > 1 ? `[${r.round}] ${r.target}` : r.target })))}\n\n`);
  for (const [name, check] of Object.entries(durability)) process.stdout.write(`acknowledged writes durable (${name}): ${check.status} - ${check.detail}\n`);
  const disturbed = runs.filter((r) => (r.m.otherCpu ?? 0) > OTHER_CPU_WARN).length;
  if (disturbed) process.stdout.write(`WARNING: other processes used more than ${OTHER_CPU_WARN} cores during ${disturbed} of ${runs.length} runs (see "other cpu"); numbers from a busy machine are unreliable: rerun when idle${options.rounds < 3 ? ' or with --rounds 3' : ''}\n`);
  const bareNames = new Set(Object.values(bareFor).map((b) => b.name));
  const saturated = runs.filter((r) => bareNames.has(r.target) && r.m.loadgenCpu > LOADGEN_CPU_WARN).length;
  if (saturated) process.stdout.write(`NOTE: the load generator used more than ${LOADGEN_CPU_WARN} of its core in ${saturated} bare run(s): there the bare number is a floor (the server may go faster), so the ratio flatters Rampart\n`);
  if (profileDir) process.stdout.write(`profiles: ${readdirSync(profileDir).map((f) => join(profileDir, f)).join('\n          ')}\n`);

  const targetFailed = rows.some((row) => Object.values(verdict(row)).includes('FAIL')) || pollVerdict(rows).includes('FAIL');
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
  const json = {
    at: new Date().toISOString(),
    commit,
    node: process.version,
    cpu,
    cores: cpus().length,
    pinned: pin,
    profiled: options.profServer,
    options,
    machineIds: ids.length,
    entityBytes: capture!.entity.length,
    actionEntityBytes: first.actions.entity.length,
    summary: rows.map((row) => ({ scenario: row.scenario, variant: row.variant, bareReqPerSec: row.bare.reqPerSec, rampartReqPerSec: row.rampart.reqPerSec, bareLatencyMs: row.bare.latencyMs, rampartLatencyMs: row.rampart.latencyMs, ...verdict(row) })),
    runs,
    durability,
    disturbedRuns: disturbed,
    correctnessFailures: failures,
  };
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`results: ${join(resultsDir, 'latest.json')}\n`);

  if (failures > 0) {
    process.stderr.write(`\nFAILED: ${failures} correctness failure(s) — see NON-200 lines and the durability check above\n`);
    return 1;
  }
  if (targetFailed) process.stdout.write(`\ntargets: at least one FAIL${options.strict ? ' (--strict: exit 1)' : ''}\n`);
  return targetFailed && options.strict ? 1 : 0;
}

/** A bare server as a target: the same headers and the same paths as the first Rampart, so request bytes are equal. */
function bareTarget(name: string, server: Running, like: Target): Target {
  return { name, variant: undefined, server, headers: like.headers, dataDir: undefined, actions: like.actions, acknowledgedWrites: 0, setRuns: 0 };
}

/** Issue 11's target: polling an action by id at no lower a ratio to the bare server than GET-by-id. */
function pollVerdict(rows: readonly Row[]): string {
  const lines: string[] = [];
  for (const poll of rows.filter((r) => r.scenario === 'getAction')) {
    const get = rows.find((r) => r.scenario === 'getMachine' && r.variant === poll.variant);
    if (!get) continue;
    const [p, g] = [verdict(poll).ratio, verdict(get).ratio];
    lines.push(`poll an action by id (${poll.variant}): ratio ${p.toFixed(3)} vs GET-by-id ${g.toFixed(3)}: ${p >= g ? 'PASS' : 'FAIL'}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n\n` : '';
}

await runBench('bench', (group) => main(parseOptions(process.argv.slice(2)), group));
