import { Worker } from 'node:worker_threads';
import type { WriteBatch, WriteOp, WriteReply, WriteResult, WriterData } from './write-protocol.js';

interface Pending {
  resolve(result: WriteResult): void;
  reject(error: Error): void;
}

/**
 * The main thread's side of the writer thread. Operations queued during one turn of the event
 * loop travel in one message, and each promise resolves only after the writer has committed
 * (and, with durability `full`, flushed) the transaction that holds it.
 */
export class WriteQueue {
  private readonly worker: Worker;
  private queued: { op: WriteOp; pending: Pending }[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private nextId = 1;
  private flushScheduled = false;
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;

  constructor(data: WriterData) {
    this.worker = startWriter(data);
    this.worker.on('message', (replies: WriteReply[]) => this.settle(replies));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`writer thread exited with code ${code}`)));
  }

  /** Healthy until the writer thread has died; readiness reports this. */
  get healthy(): boolean {
    return this.failure === undefined;
  }

  submit(op: WriteOp): Promise<WriteResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<WriteResult>((resolve, reject) => {
      this.queued.push({ op, pending: { resolve, reject } });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Lets queued writes commit, then stops the writer thread. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.flush();
      const finish = () => {
        this.worker.removeAllListeners('exit');
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('close');
      };
      if (this.inFlight.size === 0) finish();
      else this.onIdle = finish;
    });
    return this.closed;
  }

  private onIdle: (() => void) | undefined;

  private flush(): void {
    this.flushScheduled = false;
    if (this.queued.length === 0) return;
    const items = this.queued;
    this.queued = [];
    const batch: WriteBatch = { id: this.nextId++, ops: items.map((i) => i.op) };
    this.inFlight.set(batch.id, items.map((i) => i.pending));
    this.worker.postMessage(batch);
  }

  private settle(replies: WriteReply[]): void {
    for (const reply of replies) {
      const pendings = this.inFlight.get(reply.id) ?? [];
      this.inFlight.delete(reply.id);
      reply.results.forEach((result, i) => pendings[i]?.resolve(result));
    }
    if (this.inFlight.size === 0 && this.onIdle) {
      const idle = this.onIdle;
      this.onIdle = undefined;
      idle();
    }
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.failure = error;
    for (const pendings of this.inFlight.values()) for (const p of pendings) p.reject(error);
    this.inFlight.clear();
    for (const item of this.queued) item.pending.reject(error);
    this.queued = [];
  }
}

/**
 * From the build the writer is plain JavaScript. Under tsx (tests, `npm run rampart`) the sources
 * are TypeScript and a worker thread does not inherit tsx's loader, so it registers it first.
 */
function startWriter(workerData: WriterData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./write-worker.js', import.meta.url), { workerData });
  const source = new URL('./write-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
