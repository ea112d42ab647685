import { closeSync, fdatasync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { Checkpointer } from './checkpointer.js';
import { NO_WRITE_TELEMETRY, type WriteTelemetry } from '../../shared/write-telemetry.js';
import type { UpdateOutcome, WriteOp, WriteResult } from './write-protocol.js';

/** Longest a group may hold the event loop; a larger backlog (an import) continues next turn. */
const TURN_BUDGET_MS = 15;
/** Rows written between two checkpoints: a WAL of some tens of MB at most, few pauses for them. */
const CHECKPOINT_EVERY = 5000;
/** A WAL that stopped growing is copied into the database this long after the last write. */
const IDLE_CHECKPOINT_MS = 1000;

interface Queued {
  readonly op: WriteOp;
  resolve(result: WriteResult): void;
  reject(error: Error): void;
}

interface Committed {
  readonly items: readonly Queued[];
  readonly results: readonly WriteResult[];
}

interface Applied {
  readonly results: readonly WriteResult[];
  /** Rows written: when to checkpoint. */
  readonly weight: number;
}

/** A write of a group applied without savepoints failed: the group is rolled back. */
class WriteFailed extends Error {
  constructor(readonly reason: unknown) {
    super('a write of the group failed');
  }
}

export interface GroupCommitOptions {
  readonly db: BetterSqlite3.Database;
  readonly apply: (op: WriteOp) => UpdateOutcome | undefined;
  readonly weight: (op: WriteOp) => number;
  /** The WAL to flush before a group's promises resolve (durability `full`); undefined: none. */
  readonly walPath: string | undefined;
  /** Copies the WAL into the database file off this thread; undefined for an in-memory database. */
  readonly checkpointer: Checkpointer | undefined;
  /** Told each group's size and commit time, and each flush's time (/metrics). */
  readonly telemetry?: WriteTelemetry;
}

/**
 * Group commit on the main thread (docs/adr/0007-main-thread-group-commit.md). The writes that
 * arrive during one turn of the event loop are applied in one transaction (each in its own
 * savepoint, so one failing write does not undo its neighbours); the connection commits with
 * `synchronous=OFF`, and the WAL is then flushed with an fdatasync on libuv's thread pool, off
 * the event loop. A group's promises resolve only after a flush that began after its commit has
 * finished. While one flush is in flight the next groups commit and wait for the next flush,
 * which covers all of them: one fsync for many requests.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  /** Committed, waiting for the next flush. */
  private unflushed: Committed[] = [];
  /** Committed, covered by the flush in flight. */
  private flushing: Committed[] | undefined;
  private walFd: number | undefined;
  private checkpointing = false;
  private sinceCheckpoint = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly runInSavepoint: (op: WriteOp) => UpdateOutcome | undefined;
  private readonly transaction: (body: () => void) => void;
  private committedGroups = 0;
  private readonly telemetry: WriteTelemetry;

  constructor(private readonly options: GroupCommitOptions) {
    // A nested better-sqlite3 transaction is a SAVEPOINT inside the outer one.
    this.transaction = options.db.transaction((body: () => void) => body());
    this.runInSavepoint = options.db.transaction((op: WriteOp) => options.apply(op));
    if (options.walPath !== undefined) this.walFd = openSync(options.walPath, 'r+');
    this.telemetry = options.telemetry ?? NO_WRITE_TELEMETRY;
  }

  /** Healthy until a commit, a flush or a checkpoint has failed; readiness reports this. */
  get healthy(): boolean {
    return this.failure === undefined;
  }

  /** Groups committed so far (readers cache what no commit has changed since). */
  get commits(): number {
    return this.committedGroups;
  }

  submit(op: WriteOp): Promise<WriteResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('the store is closed'));
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Lets every queued write commit and flush, stops the checkpoint thread, and closes the WAL. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    clearTimeout(this.idleTimer);
    await this.options.checkpointer?.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    // The connection's last act is a checkpoint of its own: it must fsync like any other.
    this.options.db.pragma('synchronous = FULL');
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  /** Applies and commits what is queued (up to the turn's budget) as one group. */
  private run(): void {
    this.scheduled = false;
    if (this.failure || this.checkpointing || this.queue.length === 0) return this.notifyIdle();
    const queue = this.queue;
    const started = performance.now();
    let applied: Applied;
    try {
      applied = this.applyGroup(queue, false);
    } catch (error) {
      try {
        // One write failed and the group was rolled back: again, each write in its own savepoint.
        if (!(error instanceof WriteFailed)) throw error;
        applied = this.applyGroup(queue, true);
      } catch (failure) {
        // The commit itself failed (disk full, I/O error): nothing of the group was written.
        return this.fail(failure instanceof Error ? failure : new Error(String(failure)));
      }
    }
    const { results, weight } = applied;
    this.committedGroups++;
    this.telemetry.group(results.length, (performance.now() - started) / 1000);
    const items = results.length === queue.length ? queue : queue.slice(0, results.length);
    this.queue = results.length === queue.length ? [] : queue.slice(results.length);
    this.committed({ items, results });
    this.sinceCheckpoint += weight;
    if (this.sinceCheckpoint >= CHECKPOINT_EVERY) this.checkpoint();
    else this.armIdleCheckpoint();
    if (this.queue.length > 0) this.schedule();
    else this.notifyIdle();
  }

  /**
   * One transaction over the queue's first writes. Savepoints cost two statements per write, so
   * the first try goes without: any failing write throws WriteFailed, which rolls the whole group
   * back, and the group is applied again `isolated`, each write in its own savepoint.
   */
  private applyGroup(queue: readonly Queued[], isolated: boolean): Applied {
    const started = performance.now();
    const results: WriteResult[] = [];
    let weight = 0;
    this.transaction(() => {
      for (const item of queue) {
        results.push(isolated ? this.attempt(item.op) : { ok: true, value: this.applyOrThrow(item.op) });
        weight += this.options.weight(item.op);
        if (performance.now() - started > TURN_BUDGET_MS) break;
      }
    });
    return { results, weight };
  }

  private applyOrThrow(op: WriteOp): UpdateOutcome | undefined {
    let outcome: UpdateOutcome | undefined;
    try {
      outcome = this.options.apply(op);
    } catch (error) {
      throw new WriteFailed(error);
    }
    // A write must not end the group's transaction: what follows would commit on its own.
    if (!this.options.db.inTransaction) throw new Error('a write ended the transaction of its group');
    return outcome;
  }

  private attempt(op: WriteOp): WriteResult {
    try {
      return { ok: true, value: this.runInSavepoint(op) };
    } catch (error) {
      // Some errors (I/O, disk full) roll back the whole transaction, not just the savepoint:
      // then the group has failed, and the writes after this one must not commit on their own.
      if (!this.options.db.inTransaction) throw error;
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  private committed(group: Committed): void {
    if (this.walFd === undefined) return settle(group);
    this.unflushed.push(group);
    this.flush();
  }

  /** One fdatasync of the WAL at a time; it covers every group committed before it began. */
  private flush(): void {
    if (this.flushing || this.unflushed.length === 0 || this.walFd === undefined) return;
    const covered = this.unflushed;
    this.unflushed = [];
    this.flushing = covered;
    const started = performance.now();
    fdatasync(this.walFd, (error) => {
      if (error) return this.fail(error); // rejects `covered` too
      this.telemetry.flush((performance.now() - started) / 1000);
      this.flushing = undefined;
      for (const group of covered) settle(group);
      this.flush();
      this.notifyIdle();
    });
  }

  /**
   * Copies the WAL into the database file on the checkpoint thread. New groups wait until it is
   * done (requests keep being served and queue their writes meanwhile), so the checkpoint copies
   * the whole WAL and the next group starts it again from the beginning instead of growing it.
   */
  private checkpoint(): void {
    const checkpointer = this.options.checkpointer;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!checkpointer || this.checkpointing || this.failure) return;
    this.checkpointing = true;
    this.sinceCheckpoint = 0;
    void checkpointer.checkpoint().then((reply) => {
      this.checkpointing = false;
      if (!reply.ok) return this.fail(new Error(`checkpoint failed: ${reply.message}`));
      if (this.queue.length > 0) this.schedule();
      else this.notifyIdle();
    });
  }

  private armIdleCheckpoint(): void {
    if (this.idleTimer || !this.options.checkpointer) return;
    this.idleTimer = setTimeout(() => this.checkpoint(), IDLE_CHECKPOINT_MS);
    this.idleTimer.unref();
  }

  /** After a failed commit, flush or checkpoint nothing more is written: every pending write fails. */
  private fail(error: Error): void {
    this.failure ??= error;
    const pending = [...(this.flushing ?? []), ...this.unflushed].flatMap((g) => g.items).concat(this.queue);
    this.flushing = undefined;
    this.unflushed = [];
    this.queue = [];
    for (const item of pending) item.reject(this.failure);
    this.notifyIdle();
  }

  private isIdle(): boolean {
    if (this.failure) return !this.checkpointing;
    return this.queue.length === 0 && this.unflushed.length === 0 && this.flushing === undefined && !this.checkpointing;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function settle(group: Committed): void {
  group.results.forEach((result, i) => group.items[i]?.resolve(result));
}
