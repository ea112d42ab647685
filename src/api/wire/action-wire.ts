import { actionToJson } from '../../domain/actions/action-json.js';
import type { ActionView } from '../../domain/actions/action-view.js';

export const actionsContext = (base: string): string => `${base}/api/$metadata#MachineActions`;
export const investigationsContext = (base: string): string => `${base}/api/$metadata#Investigations`;

/** The single-entity envelope; the compiled response schema fixes the key order. */
export const actionEntity = (base: string, view: ActionView): Record<string, unknown> => ({ '@odata.context': `${actionsContext(base)}/$entity`, ...actionToJson(view) });
