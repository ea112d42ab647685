import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LimitDecision, TrafficObserver } from '../domain/traffic/traffic-observer.js';
import type { FaultAction } from '../domain/traffic/faults.js';
import type { PoolUse, WriteTelemetry } from '../shared/write-telemetry.js';
import { RequestStats } from './request-stats.js';

/** Seconds: from a cached token's 1 ms answer to a slow listing or an injected delay. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Writes per group: one lone request up to the thousands of an import. */
const GROUP_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
/** Seconds of a commit or an fsync. */
const FLUSH_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export type StoreBackend = 'sqlite' | 'postgres';

const REQUESTS = {
  name: 'rampart_http_requests_total',
  help: 'HTTP requests answered, by operation (the operation table id, or method and route for the rest) and status',
};
const LATENCY = { name: 'rampart_http_request_duration_seconds', help: 'Time from the request to the end of its answer, by operation' };

/**
 * Rampart's Prometheus metrics (docs/observability.md), in a registry of the app's own, so two
 * servers in one process (the tests) count apart. Requests, counted on every call, are kept by
 * RequestStats in plain numbers; the rest are prom-client metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests = new RequestStats(LATENCY_BUCKETS);
  private readonly limits: Counter<'operation' | 'decision'>;
  private readonly faults: Counter<'operation' | 'kind'>;
  private pool: (() => PoolUse) | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.limits = new Counter({
      name: 'rampart_rate_limit_decisions_total',
      help: 'Rate-limit checks of Machine API calls: admitted, limited (429) or unavailable (503, shared limiter down)',
      labelNames: ['operation', 'decision'],
      registers,
    });
    this.faults = new Counter({
      name: 'rampart_fault_injections_total',
      help: 'Calls a fault rule shaped, by operation and fault kind (error, latency, drop, truncate, outcome)',
      labelNames: ['operation', 'kind'],
      registers,
    });
    const read = () => this.pool?.();
    new Gauge({
      name: 'rampart_postgres_pool_connections',
      help: 'PostgreSQL pool of the store: connections open (total), idle, callers waiting for one, and the most it opens (max)',
      labelNames: ['state'],
      registers,
      collect() {
        const use = read();
        if (!use) return;
        for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, use[state]);
      },
    });
  }

  /** One answered request: counted by operation and status, timed by operation. */
  request(operation: string, status: number, seconds: number): void {
    this.requests.record(operation, status, seconds);
  }

  /** What the store tells of its writes; one set of series per backend. */
  writes(backend: StoreBackend): WriteTelemetry {
    const group = histogram(this.registry, 'rampart_store_write_group_size', 'Writes committed together in one transaction (SQLite group commit; grouped device-value changes on PostgreSQL)', GROUP_BUCKETS);
    const commit = histogram(this.registry, 'rampart_store_commit_seconds', 'Time to apply and commit one group of writes', FLUSH_BUCKETS);
    const flush = histogram(this.registry, 'rampart_store_flush_seconds', 'Time to make committed writes durable (fsync of the SQLite WAL; the whole transaction on PostgreSQL)', FLUSH_BUCKETS);
    const size = group.labels(backend);
    const committing = commit.labels(backend);
    const flushing = flush.labels(backend);
    return {
      group: (count, seconds) => {
        size.observe(count);
        committing.observe(seconds);
      },
      flush: (seconds) => flushing.observe(seconds),
      watchPool: (read) => (this.pool = read),
    };
  }

  /** The rate-limit and fault decisions of TrafficControl. */
  readonly traffic: TrafficObserver = {
    limit: (operation: string, decision: LimitDecision) => this.limits.labels(operation, decision).inc(),
    fault: (operation: string, kind: FaultAction['kind']) => this.faults.labels(operation, kind).inc(),
  };

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const body = `${this.requests.render(REQUESTS, LATENCY)}\n${await this.registry.metrics()}`;
    return { contentType: this.registry.contentType, body };
  }
}

/** A histogram labelled by backend, made once per registry (writes() may be asked twice). */
function histogram(registry: Registry, name: string, help: string, buckets: number[]): Histogram<'backend'> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<'backend'>;
  return new Histogram({ name, help, labelNames: ['backend'], buckets, registers: [registry] });
}
