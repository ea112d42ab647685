import pg from 'pg';
import type { Change, ChangeTopic, Cluster } from './cluster.js';

const CHANNEL = 'rampart_changes';
/** An arbitrary constant naming Rampart's leader lock among the database's advisory locks. */
const LEADER_LOCK = 0x52414d50; // "RAMP"
const RETRY_MS = 2000;
const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['faults', 'directory', 'keys']);

/**
 * Instances on one PostgreSQL database, coordinated through one dedicated connection each:
 * the leader is whoever holds a session-level advisory lock (PostgreSQL frees it the moment that
 * instance's connection dies, so a killed leader is replaced within RETRY_MS), and changes travel
 * by LISTEN/NOTIFY. A lost connection is re-opened; until then the instance is not the leader
 * and hears nothing, and the short caches behind each topic bound how stale it can get.
 */
export class PostgresCluster implements Cluster {
  private client: pg.Client | undefined;
  private isLeader = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((change: Change) => void)[] = [];

  private constructor(
    private readonly url: string,
    readonly instanceId: string,
    private readonly log: (message: string) => void,
  ) {}

  static async start(url: string, instanceId: string, log: (message: string) => void = () => {}): Promise<PostgresCluster> {
    const cluster = new PostgresCluster(url, instanceId, log);
    await cluster.tick();
    return cluster;
  }

  get leader(): boolean {
    return this.isLeader;
  }

  async publish(change: Change): Promise<void> {
    const client = this.client;
    if (!client) return; // the others' caches expire on their own
    await client.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...change, from: this.instanceId })]).catch(() => {});
  }

  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.isLeader = false;
    await client?.end().catch(() => {});
  }

  /** Connects if needed and tries for the lock; runs again every RETRY_MS until closed. */
  private async tick(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (!this.isLeader) {
        const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [LEADER_LOCK]);
        if (rows[0]?.locked) {
          this.isLeader = true;
          this.log(`instance ${this.instanceId} is now the leader`);
        }
      }
    } catch (error) {
      this.log(`cluster connection failed: ${error instanceof Error ? error.message : String(error)}`);
      this.dropClient();
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.tick(), RETRY_MS);
      this.timer.unref();
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => this.dropClient());
    client.on('notification', (message) => this.deliver(message.payload));
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
    return client;
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (this.isLeader) this.log(`instance ${this.instanceId} lost the leader lock with its connection`);
    this.isLeader = false;
    void client?.end().catch(() => {});
  }

  private deliver(payload: string | undefined): void {
    let message: { topic?: unknown; tenantId?: unknown; from?: unknown };
    try {
      message = JSON.parse(payload ?? '') as typeof message;
    } catch {
      return;
    }
    if (message.from === this.instanceId || typeof message.topic !== 'string' || !TOPICS.has(message.topic)) return;
    const change: Change = { topic: message.topic as ChangeTopic, tenantId: typeof message.tenantId === 'string' ? message.tenantId : '' };
    for (const listener of this.listeners) listener(change);
  }
}

/**
 * Tells every running instance on the database about a change made without one (a CLI command
 * such as `tenant apply` or `keys rotate`), so they drop their copies at once.
 */
export async function notifyInstances(url: string, change: Change): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...change, from: 'cli' })]);
  } finally {
    await client.end();
  }
}
