/** What the orchestrator (run.ts) and the load-generator process (load.ts) exchange, as JSON. */

export interface LoadSpec {
  /** Origin only, e.g. http://127.0.0.1:40123 — never anything but loopback. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Connection i sends to paths[i % paths.length], so load spreads over many machines. */
  readonly paths: readonly string[];
  /** POST bodies, cycled by each connection; absent for GET. */
  readonly bodies?: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationS: number;
  /** Per-request timeout; a timed-out request counts as an error. */
  readonly timeoutS: number;
  /** The server's pid, so its CPU is sampled over exactly the measured window. */
  readonly serverPid?: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export interface LoadResult {
  readonly elapsedS: number;
  /** 2xx responses; throughput and latency count only these. */
  readonly ok: number;
  readonly reqPerSec: number;
  /** Every response by status code, so anything but 200 is visible. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Connection errors, including timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** Bytes of one response (headers and body) on the wire, averaged: shows both sides send the same. */
  readonly avgResponseBytes: number;
  readonly latencyMs: LatencySummary;
  /** CPU the load generator used, in cores (1.0 = one core busy): near 1.0 means it may be the bottleneck. */
  readonly loadgenCpu: number;
  /** CPU the server process (all threads) used, in cores; undefined off Linux. */
  readonly serverCpu: number | undefined;
  /**
   * CPU used by everything else on the machine during the run, in cores: other people's tests
   * and builds compete with the server for its core. Much above 0.1 means the run was disturbed.
   */
  readonly otherCpu: number | undefined;
  /** vCPU time the hypervisor took away, in cores. */
  readonly stealCpu: number | undefined;
}
