/*
 * The grouping both batched statements of the PostgreSQL store share (value-batch.ts for
 * device-value changes, machine-read-batch.ts for reads by id): what arrives while `inFlight`
 * statements are running waits (never on a timer) and goes as one statement when one of them
 * returns. A lone request on an idle server goes at once, alone; under load, each statement's
 * fixed costs (a round trip, a parse and bind, an executor start, for writes a commit) are shared
 * by everything that waited.
 */

export interface BatchLimits {
  /** Statements running at once; the pool's other connections stay free for everything else. */
  readonly inFlight: number;
  /** Items per statement at most (1: a statement per item). */
  readonly maxBatch: number;
}

/** One waiting item and how to answer it. */
export interface Waiting<I, O> {
  readonly item: I;
  /** Items with one key never share a statement (undefined: no such rule). */
  readonly key: string | undefined;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs one group's statement and settles its items from the rows; throws when the statement
 * failed (the queue then decides, see `sendOrSplit`).
 */
export type SendBatch<I, O> = (batch: readonly Waiting<I, O>[]) => Promise<void>;

export class BatchQueue<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly send: SendBatch<I, O>,
    private readonly limits: BatchLimits,
    private readonly keyOf: (item: I) => string | undefined = () => undefined,
  ) {}

  /** Settles when the statement carrying `item` has returned. */
  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, key: this.keyOf(item), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.inFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void sendOrSplit(batch, this.send).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest items, at most one per key (later ones keep their place for the next group). */
  private take(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    const rest: Waiting<I, O>[] = [];
    for (const waiting of this.queue) {
      const free = waiting.key === undefined || !keys.has(waiting.key);
      if (batch.length < this.limits.maxBatch && free) {
        if (waiting.key !== undefined) keys.add(waiting.key);
        batch.push(waiting);
      } else {
        rest.push(waiting);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }
}

/** A row of a batched statement: `batch_ord` is the position in the group of the item it answers. */
export type Positioned<R> = R & { readonly batch_ord: number };

/** Answers each item with the row returned for its position (that column dropped), or undefined when none was. */
export function settleByPosition<I, R>(batch: readonly Waiting<I, R | undefined>[], rows: readonly Positioned<R>[]): void {
  const byPosition = new Map(rows.map((r) => [Number(r.batch_ord), r]));
  batch.forEach((waiting, position) => {
    const row = byPosition.get(position);
    if (!row) return waiting.resolve(undefined);
    const { batch_ord: _position, ...rest } = row;
    waiting.resolve(rest as R);
  });
}

/**
 * Runs a group; when PostgreSQL refused its statement (its one transaction then wrote nothing),
 * a group of several is tried again item by item, so one item's failure is that item's only. A
 * lost connection leaves a commit unknown: trying a write again could apply it twice, so then
 * every item fails as it is, as a single one would.
 */
async function sendOrSplit<I, O>(batch: readonly Waiting<I, O>[], send: SendBatch<I, O>): Promise<void> {
  try {
    await send(batch);
  } catch (error) {
    if (batch.length === 1 || !refusedByServer(error)) for (const waiting of batch) waiting.reject(error);
    else await Promise.all(batch.map((waiting) => sendOrSplit([waiting], send)));
  }
}

/** An error PostgreSQL reported for the statement (it carries a SQLSTATE and a severity), not a lost connection. */
const refusedByServer = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { severity?: unknown }).severity === 'string';
