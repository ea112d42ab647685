/** Messages between a bulk load (bulk-load.ts, on the main thread) and its writer thread (bulk-load-worker.ts). */
export interface BulkLoadData {
  readonly path: string;
  /** The tables whose indexes and triggers are set aside for the load. */
  readonly tables: readonly string[];
  /** Counts every machine into the emptied machine_counts (migration 0008's backfill). */
  readonly backfill: { readonly sql: string; readonly parameters: readonly unknown[] };
}

/**
 * Statements to run, in order: `statements[i]` indexes the SQL texts sent so far (`sql` adds the
 * new ones), bound to `parameters[i]`. Acknowledged by its `seq` once run.
 */
export type ToWriter =
  | { readonly kind: 'rows'; readonly seq: number; readonly sql: readonly string[]; readonly statements: readonly number[]; readonly parameters: readonly (readonly unknown[])[] }
  | { readonly kind: 'finish' }
  | { readonly kind: 'abort' };

export type FromWriter =
  | { readonly kind: 'ready' }
  | { readonly kind: 'ack'; readonly seq: number }
  /** After each index built at the end: how many of how many. */
  | { readonly kind: 'indexed'; readonly built: number; readonly total: number }
  | { readonly kind: 'done' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'failed'; readonly message: string };
