/** The bench's verdicts and its printed tables; kept apart from the orchestration in run.ts. */
import type { LoadResult as Measured } from './load-protocol.js';

export type ScenarioName = 'setDeviceValue' | 'getMachine' | 'createAction' | 'getAction';

/**
 * The performance targets: issue 2's for setDeviceValue; issue 11's for polling an action by id
 * (no lower ratio than GET-by-id's, checked in run.ts once both are measured). The others are
 * reported without a target.
 */
export const TARGETS: Readonly<Record<ScenarioName, { minRatio?: number; maxP99Ms?: number }>> = {
  setDeviceValue: { minRatio: 0.4, maxP99Ms: 25 },
  getMachine: {},
  createAction: {},
  getAction: {},
};

export interface Row {
  readonly scenario: ScenarioName;
  /** Which Rampart configuration, e.g. "log warn". */
  readonly variant: string;
  readonly bare: Measured;
  readonly rampart: Measured;
}

export interface Verdict {
  readonly ratio: number;
  readonly ratioTarget: 'PASS' | 'FAIL' | '-';
  readonly p99Target: 'PASS' | 'FAIL' | '-';
}

export function verdict(row: Row): Verdict {
  const target = TARGETS[row.scenario];
  const ratio = row.rampart.reqPerSec / row.bare.reqPerSec;
  return {
    ratio,
    ratioTarget: target.minRatio === undefined ? '-' : ratio >= target.minRatio ? 'PASS' : 'FAIL',
    p99Target: target.maxP99Ms === undefined ? '-' : row.rampart.latencyMs.p99 < target.maxP99Ms ? 'PASS' : 'FAIL',
  };
}

/** Milliseconds with the precision that matters at their size. */
export const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const rps = (v: number) => Math.round(v).toLocaleString('en-US');
const cores = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(2));

export function summaryTable(rows: readonly Row[]): string {
  const header = ['scenario', 'rampart', 'bare req/s', 'rampart req/s', 'ratio', 'bare p50/p99 ms', 'rampart p50/p99 ms', 'ratio target', 'p99 target'];
  const body = rows.map((row) => {
    const v = verdict(row);
    const t = TARGETS[row.scenario];
    return [
      row.scenario,
      row.variant,
      rps(row.bare.reqPerSec),
      rps(row.rampart.reqPerSec),
      v.ratio.toFixed(3),
      `${ms(row.bare.latencyMs.p50)} / ${ms(row.bare.latencyMs.p99)}`,
      `${ms(row.rampart.latencyMs.p50)} / ${ms(row.rampart.latencyMs.p99)}`,
      t.minRatio === undefined ? '(report only)' : `>= ${t.minRatio.toFixed(2)} ${v.ratioTarget}`,
      t.maxP99Ms === undefined ? '(report only)' : `< ${t.maxP99Ms} ms ${v.p99Target}`,
    ];
  });
  return table(header, body);
}

/** Per-run detail: what explains a number (CPU of each side, bytes on the wire, status codes). */
export function detailTable(runs: readonly { scenario: string; target: string; m: Measured }[]): string {
  const header = ['scenario', 'server', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max ms', 'bytes/reply', 'server cpu', 'loadgen cpu', 'other cpu', 'statuses', 'errors'];
  const body = runs.map(({ scenario, target, m }) => [
    scenario,
    target,
    rps(m.reqPerSec),
    ms(m.latencyMs.p50),
    ms(m.latencyMs.p90),
    ms(m.latencyMs.p99),
    ms(m.latencyMs.p999),
    ms(m.latencyMs.max),
    m.avgResponseBytes.toFixed(0),
    cores(m.serverCpu),
    cores(m.loadgenCpu),
    cores(m.otherCpu),
    Object.entries(m.statusCounts).map(([code, n]) => `${code}:${n}`).join(' ') || '-',
    String(m.errors),
  ]);
  return table(header, body);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Any response but the expected one (200; 201 for a creation), or any connection error, is a correctness failure. */
export function non200(m: Measured, expected = 200): number {
  return Object.entries(m.statusCounts).reduce((sum, [code, n]) => (code === String(expected) ? sum : sum + n), 0) + m.errors;
}
