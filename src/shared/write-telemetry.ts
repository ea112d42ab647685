/**
 * What a store reports about its writes, for /metrics (docs/observability.md). A port, so the
 * stores stay free of the metrics library: the server passes prom-client's side in, the CLI
 * passes nothing and pays nothing.
 */
export interface WriteTelemetry {
  /** A group of writes committed in one transaction: how many, and how long the commit took. */
  group(size: number, seconds: number): void;
  /** The committed writes became durable (an fsync of the SQLite WAL, a PostgreSQL COMMIT): how long that took. */
  flush(seconds: number): void;
  /** A PostgreSQL store hands over how to read its pool's use, read at each scrape. */
  watchPool(read: () => PoolUse): void;
}

/** Connections of a pool: open in all, idle among them, callers waiting for one, and the most it opens. */
export interface PoolUse {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

export const NO_WRITE_TELEMETRY: WriteTelemetry = { group() {}, flush() {}, watchPool() {} };
