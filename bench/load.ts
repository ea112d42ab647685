/**
 * The load generator, run as its own process (`node --import tsx bench/load.ts '<LoadSpec JSON>'`)
 * so autocannon never shares an event loop — or, when pinned, a core — with a server or with the
 * orchestrator. Prints one line of JSON (a LoadResult) on stdout and exits.
 */
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load-protocol.js';
import { machineCpuSeconds, processCpuSeconds } from './proc-stat.js';

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;

// Autocannon gives connection i the i-th URL (modulo their number), so with one URL per machine
// each connection keeps to its own machine: the load spreads evenly over the ids, never two
// connections marching in lockstep on one row. Requests are static, so autocannon builds their
// bytes once: a per-request setupRequest doubled the load generator's CPU per request (~36 us vs
// ~19 us measured), enough to make it, not the bare server, the bottleneck. Each machine's
// successive writes cycle through the bodies.
const urls = spec.paths.map((path) => `${spec.url}${path}`);
const requests: autocannon.Request[] = spec.bodies ? spec.bodies.map((body) => ({ method: spec.method, body })) : [{ method: spec.method }];

// Our own latency record: autocannon's histogram keeps whole milliseconds, too coarse for a p50
// of one or two ms. One float per response is cheap next to parsing the response.
const latencies: number[] = [];
const statusCounts: Record<string, number> = {};
let responseBytes = 0;
let ok = 0;

const cpuStart = process.cpuUsage();
const serverStart = processCpuSeconds(spec.serverPid);
const machineStart = machineCpuSeconds();
const wallStart = process.hrtime.bigint();

const instance = autocannon(
  {
    url: urls as unknown as string, // autocannon accepts an array; its types say string
    connections: spec.connections,
    duration: spec.durationS,
    timeout: spec.timeoutS,
    pipelining: 1,
    headers: spec.headers,
    requests,
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`autocannon failed: ${String(error)}\n`);
      process.exit(2);
    }
    const elapsedS = Number(process.hrtime.bigint() - wallStart) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const loadgenCpu = (cpu.user + cpu.system) / 1e6 / elapsedS;
    const serverEnd = processCpuSeconds(spec.serverPid);
    const machineEnd = machineCpuSeconds();
    const serverCpu = serverStart === undefined || serverEnd === undefined ? undefined : (serverEnd - serverStart) / elapsedS;
    const machineCpu = machineStart && machineEnd ? (machineEnd.busy - machineStart.busy) / elapsedS : undefined;
    latencies.sort((a, b) => a - b);
    const out: LoadResult = {
      elapsedS,
      ok,
      reqPerSec: ok / elapsedS,
      statusCounts,
      errors: result.errors,
      timeouts: result.timeouts,
      avgResponseBytes: ok === 0 ? 0 : responseBytes / ok,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        p999: percentile(latencies, 0.999),
        max: latencies.at(-1) ?? 0,
        mean: latencies.reduce((s, v) => s + v, 0) / Math.max(1, latencies.length),
      },
      loadgenCpu,
      serverCpu,
      // /proc/stat counts in 10 ms ticks: clamp the rounding noise at zero.
      otherCpu: machineCpu === undefined ? undefined : Math.max(0, machineCpu - loadgenCpu - (serverCpu ?? 0)),
      stealCpu: machineStart && machineEnd ? (machineEnd.steal - machineStart.steal) / elapsedS : undefined,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  },
);

instance.on('response', (_client, statusCode, resBytes, responseTime) => {
  statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
  if (statusCode >= 200 && statusCode < 300) {
    ok++;
    responseBytes += resBytes;
    latencies.push(responseTime);
  }
});

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
