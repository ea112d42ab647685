import type { Machine } from '../../domain/machines/machine.js';
import { wireTimestamp } from '../../shared/timestamp.js';

export const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

/** `<scheme>://<host the client called>/api/$metadata#Machines` (spec section 2). */
export const machinesContext = (base: string): string => `${base}/api/$metadata#Machines`;

/**
 * The single-entity envelope; the compiled response schema fixes the property order. The same
 * object machineToJson builds, with the context in front, in one copy of the machine instead of
 * two (this is on every GET and setDeviceValue).
 */
export function machineEntity(base: string, m: Machine): Record<string, unknown> {
  return { '@odata.context': `${machinesContext(base)}/$entity`, ...m, firstSeen: wireTimestamp(m.firstSeen), lastSeen: wireTimestamp(m.lastSeen) };
}
