import type { MachineUpdate } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/value-change.js';
import type { MachineIpRow, MachineRow } from '../schema.js';

/** Messages between the store (main thread) and the writer thread that owns the write connection. */
export type WriteOp =
  | { readonly op: 'update'; readonly update: MachineUpdate }
  | { readonly op: 'putMachines'; readonly rows: readonly MachineRow[]; readonly change: ChangeContext }
  | { readonly op: 'putIpHistory'; readonly rows: readonly MachineIpRow[] }
  | { readonly op: 'exec'; readonly statements: readonly Statement[] };

export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export interface UpdateOutcome {
  readonly row: MachineRow;
  readonly previousDeviceValue: string;
}

export type WriteResult = { readonly ok: true; readonly value: UpdateOutcome | undefined } | { readonly ok: false; readonly message: string };

export interface WriteBatch {
  readonly id: number;
  readonly ops: readonly WriteOp[];
}

export interface WriteReply {
  readonly id: number;
  readonly results: readonly WriteResult[];
}

export interface WriterData {
  readonly path: string;
  readonly durability: 'full' | 'normal';
}
