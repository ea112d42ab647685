import type { Worker } from 'node:worker_threads';
import type { CheckpointReply, CheckpointerData } from './checkpoint-protocol.js';
import { startWorker } from './start-worker.js';

/**
 * The main thread's side of the checkpoint thread (checkpoint-worker.ts): one checkpoint at a
 * time, each answered with whether it failed.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private waiting: ((reply: CheckpointReply) => void) | undefined;
  private failure: string | undefined;

  constructor(data: CheckpointerData) {
    this.worker = startWorker('checkpoint-worker', data);
    this.worker.on('message', (reply: CheckpointReply) => this.answer(reply));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => this.fail(`checkpoint thread exited with code ${code}`));
    // An idle checkpoint thread must not keep a CLI command's process alive.
    this.worker.unref();
  }

  checkpoint(): Promise<CheckpointReply> {
    if (this.failure !== undefined) return Promise.resolve({ ok: false, message: this.failure });
    if (this.waiting) throw new Error('one checkpoint at a time');
    return new Promise((resolve) => {
      this.waiting = resolve;
      // Held by a checkpoint in progress: a write waiting for it keeps the process alive.
      this.worker.ref();
      this.worker.postMessage('checkpoint');
    });
  }

  /** Stops the thread; a checkpoint in progress finishes first (messages are handled in order). */
  async close(): Promise<void> {
    if (this.failure !== undefined) return;
    this.failure = 'closed';
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }

  private answer(reply: CheckpointReply): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.worker.unref();
    waiting?.(reply);
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.answer({ ok: false, message });
  }
}
