import type { Machine } from '../../domain/machine.js';
import { machineToJson } from '../../domain/machine-json.js';

export const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

/** `<scheme>://<host the client called>/api/$metadata#Machines` (spec section 2). */
export const machinesContext = (base: string): string => `${base}/api/$metadata#Machines`;

/** The single-entity envelope; the compiled response schema fixes the property order. */
export function machineEntity(base: string, m: Machine): Record<string, unknown> {
  return { '@odata.context': `${machinesContext(base)}/$entity`, ...machineToJson(m) };
}
