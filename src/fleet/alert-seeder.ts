import type { AlertRecord } from '../domain/alerts/alert.js';
import type { AlertChangeContext, AlertStore } from '../domain/alerts/alert-ports.js';
import { createdChanges } from '../domain/alerts/alert-service.js';
import type { Machine } from '../domain/machines/machine.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import { generateAlerts } from './alert-generator.js';

/** Alerts per write: one transaction each, like a batch of machines. */
const BATCH = 20_000;

/**
 * Writes the generated alerts of machines as they stream past a seed, in batches, with at most
 * one batch in flight while the next is generated. Each alert gets its `created` history entry,
 * stamped as the seed's (no application, no user), as alerts raised any other way do.
 */
export class AlertSeeder {
  private batch: AlertRecord[] = [];
  private pending: Promise<void> = Promise.resolve();
  private written = 0;
  private readonly context: AlertChangeContext;

  constructor(
    private readonly store: Pick<AlertStore, 'insertNewAlerts'>,
    private readonly tenantId: string,
    private readonly seed: number,
    private readonly perMachine: number,
    nowMs: number,
    private readonly batchSize = BATCH,
  ) {
    this.context = { at: timestampFromMillis(nowMs), appId: null, userId: null, route: 'seed', requestId: null };
  }

  async add(machine: Machine): Promise<void> {
    for (const alert of generateAlerts(this.seed, this.tenantId, machine, this.perMachine)) this.batch.push(alert);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** Writes what is buffered and waits for every write; returns how many alerts were written. */
  async finish(): Promise<number> {
    await this.flush();
    await this.pending;
    return this.written;
  }

  private async flush(): Promise<void> {
    const items = this.batch;
    this.batch = [];
    const previous = this.pending;
    await previous;
    if (items.length === 0) return;
    this.pending = this.store.insertNewAlerts(items.map((alert) => ({ alert, changes: createdChanges(alert, null) })), this.context).then(() => {
      this.written += items.length;
    });
  }
}
