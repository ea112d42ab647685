import { randomUUID } from 'node:crypto';
import type { CompiledQuery } from 'kysely';

const NONCE = randomUUID();

/**
 * A statement Kysely compiles once, with a marker value (a NUL, the slot's name and a fresh GUID:
 * nothing a client can send) in every place a call fills in; each call then only binds its values.
 * Compiling a query costs tens of microseconds, as much as running it (docs/adr/0007).
 */
export class StatementTemplate<K extends string> {
  readonly sql: string;
  private readonly constants: readonly unknown[];
  /** For each parameter, the slot that fills it, or undefined for a constant. */
  private readonly slots: readonly (K | undefined)[];

  constructor(build: (slot: (name: K) => string) => CompiledQuery) {
    const byMarker = new Map<string, K>();
    const compiled = build((name) => {
      const marker = `\u0000${name}:${NONCE}`;
      byMarker.set(marker, name);
      return marker;
    });
    this.sql = compiled.sql;
    this.constants = compiled.parameters;
    this.slots = compiled.parameters.map((p) => (typeof p === 'string' ? byMarker.get(p) : undefined));
    if (byMarker.size !== new Set(this.slots.filter((s) => s !== undefined)).size) throw new Error('a slot of the statement was not bound');
  }

  bind(values: Readonly<Record<K, unknown>>): unknown[] {
    const parameters = new Array<unknown>(this.slots.length);
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      parameters[i] = slot === undefined ? this.constants[i] : values[slot];
    }
    return parameters;
  }
}
