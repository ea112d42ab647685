import type { MachineUpdate } from '../../domain/ports.js';
import type { ChangeContext } from '../../domain/machines/value-change.js';
import type { MachineIpRow, MachineRow } from '../schema.js';

/** The write operations the store hands to its group commit (group-commit.ts). */
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
