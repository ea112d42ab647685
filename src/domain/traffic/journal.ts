/** One Machine API call as the request journal keeps it (issue 4). */
export interface JournalEntry {
  readonly at: string;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly operation: string | null;
  readonly appId: string | null;
  readonly userId: string | null;
  readonly status: number;
  readonly latencyMs: number;
  /** The fault rule that shaped this answer, if one did. */
  readonly fault: string | null;
  /** What the client sent, bounded and with secrets redacted (journal-body.ts); absent or null without a body. */
  readonly body?: string | null;
}

/** In memory for one instance; in the database when several instances share it. */
export interface Journal {
  /** Never waits: recording must not slow the call it records. */
  record(tenantId: string, entry: JournalEntry): void;
  /** Newest first. */
  list(tenantId: string, limit: number): JournalEntry[] | Promise<JournalEntry[]>;
  clear(tenantId: string): void | Promise<void>;
}

/**
 * The last `capacity` calls of each tenant, in a ring buffer: recording is O(1) with no
 * allocation beyond the entry, so the journal can stay on for every call.
 */
export class MemoryJournal implements Journal {
  private readonly rings = new Map<string, { entries: JournalEntry[]; next: number }>();

  constructor(private readonly capacity: number) {}

  record(tenantId: string, entry: JournalEntry): void {
    if (this.capacity === 0) return;
    let ring = this.rings.get(tenantId);
    if (!ring) {
      ring = { entries: [], next: 0 };
      this.rings.set(tenantId, ring);
    }
    if (ring.entries.length < this.capacity) ring.entries.push(entry);
    else ring.entries[ring.next] = entry;
    ring.next = (ring.next + 1) % this.capacity;
  }

  list(tenantId: string, limit: number): JournalEntry[] {
    const ring = this.rings.get(tenantId);
    if (!ring) return [];
    const { entries, next } = ring;
    const ordered = entries.length < this.capacity ? entries : [...entries.slice(next), ...entries.slice(0, next)];
    return ordered.slice(-limit).reverse();
  }

  clear(tenantId: string): void {
    this.rings.delete(tenantId);
  }
}
