import type { Worker } from 'node:worker_threads';
import type { CheckpointReply, CheckpointerData } from './checkpoint-protocol.js';
import { startWorker } from './start-worker.js';

/**
 * The main thread's side of the checkpoint thread (checkpoint-worker.ts): one checkpoint at a
 * time, each answered with whether it failed.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private waiting: ((reply: CheckpointReply) => void) | undefined;
  private failure: string | undefined;

  constructor(private readonly data: CheckpointerData) {}

  /**
   * The thread starts with the first checkpoint, not when the store opens: a CLI command that
   * only reads never checkpoints, and a thread costs about 0.1 s of CPU to start.
   */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('checkpoint-worker', this.data);
    worker.on('message', (reply: CheckpointReply) => this.answer(reply));
    worker.on('error', (error) => this.fail(error.message));
    worker.on('exit', (code) => this.fail(`checkpoint thread exited with code ${code}`));
    // An idle checkpoint thread must not keep a CLI command's process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  checkpoint(): Promise<CheckpointReply> {
    if (this.failure !== undefined) return Promise.resolve({ ok: false, message: this.failure });
    if (this.waiting) throw new Error('one checkpoint at a time');
    return new Promise((resolve) => {
      this.waiting = resolve;
      const worker = this.thread();
      // Held by a checkpoint in progress: a write waiting for it keeps the process alive.
      worker.ref();
      worker.postMessage('checkpoint');
    });
  }

  /** Stops the thread; a checkpoint in progress finishes first (messages are handled in order). */
  async close(): Promise<void> {
    if (this.failure !== undefined) return;
    this.failure = 'closed';
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private answer(reply: CheckpointReply): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.worker?.unref();
    waiting?.(reply);
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.answer({ ok: false, message });
  }
}
