/**
 * CPU accounting from /proc (Linux), so a run can say whether the server core was saturated and
 * whether something else on the machine was competing. Everything returns undefined elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds a process (all its threads) has used so far. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  } catch {
    return undefined;
  }
}

export interface MachineCpu {
  /** Seconds of CPU in use, summed over all cores (user, nice, system, irq, softirq). */
  readonly busy: number;
  /** Seconds the hypervisor gave our vCPUs to someone else. */
  readonly steal: number;
}

export function machineCpuSeconds(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS, steal: (steal ?? 0) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/**
 * Waits (up to `maxWaitMs`) for a 1-second window in which the whole machine used less than
 * `thresholdCores` — on a shared machine, other people's test runs come in bursts, and a
 * measurement taken during one says more about them than about us. Our own servers idle
 * between runs, so they do not count against the threshold.
 */
export async function waitForQuiet(thresholdCores: number, maxWaitMs: number): Promise<{ waitedMs: number; quiet: boolean }> {
  const start = Date.now();
  for (;;) {
    const before = machineCpuSeconds();
    if (!before) return { waitedMs: 0, quiet: true };
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    const after = machineCpuSeconds()!;
    const cores = (after.busy - before.busy) / ((Date.now() - t0) / 1000);
    if (cores < thresholdCores) return { waitedMs: Date.now() - start, quiet: true };
    if (Date.now() - start >= maxWaitMs) return { waitedMs: Date.now() - start, quiet: false };
  }
}
