import type { Machine } from '../domain/machines/machine.js';
import { csvRow } from '../shared/csv.js';

/** The columns of the inventory's CSV export, in order: the page's columns, then the id. */
export const CSV_HEADER = ['Device name', 'Device value', 'Health', 'OS platform', 'Risk', 'Exposure', 'Last seen (UTC)', 'Device group', 'Tags', 'Machine id'] as const;

export function machineCsvRow(m: Machine): string {
  return csvRow([
    m.computerDnsName,
    m.deviceValue,
    m.healthStatus,
    m.osPlatform,
    m.riskScore,
    m.exposureLevel,
    m.lastSeen,
    m.rbacGroupName || 'Ungrouped',
    m.machineTags.join('; '),
    m.id,
  ]);
}

/** The export as text chunks, one per batch of machines: the caller streams them. */
export async function* inventoryCsv(batches: AsyncIterable<readonly Machine[]>): AsyncGenerator<string> {
  yield csvRow(CSV_HEADER);
  for await (const batch of batches) yield batch.map(machineCsvRow).join('');
}
