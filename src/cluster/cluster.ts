/**
 * What several instances on one database must agree on beyond the data itself: which one runs
 * periodic work, and news that something every instance caches has changed (fault rules, a
 * tenant's directory, signing keys), so each drops its copy at once instead of serving it stale.
 */
export type ChangeTopic = 'faults' | 'directory' | 'keys';

export interface Change {
  readonly topic: ChangeTopic;
  /** The tenant concerned; empty for changes that are not a tenant's (signing keys). */
  readonly tenantId: string;
}

export interface Cluster {
  /** True on exactly one instance at a time: the one that runs periodic work. */
  readonly leader: boolean;
  /** How this instance names itself in logs and on /readyz. */
  readonly instanceId: string;
  /** Tells the other instances; this one has already applied the change. */
  publish(change: Change): Promise<void>;
  /** Called for every change another instance publishes. */
  onChange(listener: (change: Change) => void): void;
  close(): Promise<void>;
}

/** A single instance (SQLite): always the leader, with nobody to tell. */
export class SoloCluster implements Cluster {
  readonly leader = true;

  constructor(readonly instanceId: string) {}

  async publish(): Promise<void> {}

  onChange(): void {}

  async close(): Promise<void> {}
}
