/**
 * Request counts and latency histograms by operation, kept in plain numbers and written in
 * Prometheus' text format at scrape time. Every request passes here: prom-client's labelled
 * metrics hash their label set on each increment (about a microsecond, measured), this costs a
 * map look-up and a short bucket scan. The rarer series (store, limits, faults) stay prom-client's.
 */
export class RequestStats {
  private readonly byOperation = new Map<string, OperationStats>();

  constructor(private readonly buckets: readonly number[]) {}

  record(operation: string, status: number, seconds: number): void {
    let stats = this.byOperation.get(operation);
    if (!stats) this.byOperation.set(operation, (stats = { statuses: new Map(), buckets: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    // Per-bucket counts here; cumulated when written.
    let i = 0;
    while (i < this.buckets.length && seconds > (this.buckets[i] as number)) i++;
    if (i < this.buckets.length) stats.buckets[i] = (stats.buckets[i] as number) + 1;
    stats.sum += seconds;
    stats.count++;
  }

  /** The two metrics in the text exposition format, HELP and TYPE lines included. */
  render(counter: { name: string; help: string }, histogram: { name: string; help: string }): string {
    const lines = [`# HELP ${counter.name} ${counter.help}`, `# TYPE ${counter.name} counter`];
    for (const [operation, stats] of this.byOperation) {
      for (const [status, count] of stats.statuses) lines.push(`${counter.name}{operation="${escape(operation)}",status="${status}"} ${count}`);
    }
    lines.push(`# HELP ${histogram.name} ${histogram.help}`, `# TYPE ${histogram.name} histogram`);
    for (const [operation, stats] of this.byOperation) {
      const label = `operation="${escape(operation)}"`;
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += stats.buckets[i] as number;
        lines.push(`${histogram.name}_bucket{le="${le}",${label}} ${cumulative}`);
      });
      lines.push(`${histogram.name}_bucket{le="+Inf",${label}} ${stats.count}`, `${histogram.name}_sum{${label}} ${stats.sum}`, `${histogram.name}_count{${label}} ${stats.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

interface OperationStats {
  readonly statuses: Map<number, number>;
  readonly buckets: number[];
  sum: number;
  count: number;
}

const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
