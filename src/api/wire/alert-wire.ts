import type { AlertView } from '../../domain/alerts/alert.js';
import { alertToJson, type AlertKey } from '../../domain/alerts/alert-json.js';
import { odataCollection, project, selectedContext } from './collection-wire.js';

export const alertsContext = (base: string): string => `${base}/api/$metadata#Alerts`;

/**
 * The single-entity envelope, evidence included. COMPAT: the docs' example is the bare object;
 * Rampart adds `@odata.context` as for its other entities (docs/compat.md).
 */
export const alertEntity = (base: string, view: AlertView): Record<string, unknown> => ({ '@odata.context': `${alertsContext(base)}/$entity`, ...alertToJson(view, true) });

export interface AlertCollectionOptions {
  readonly select: readonly AlertKey[] | null;
  readonly withEvidence: boolean;
  readonly count: number | undefined;
  readonly nextLink: string | undefined;
}

/** `$metadata#Alerts`, or `$metadata#Alerts(id,status)` for a `$select`, as OData writes it. */
export function alertsCollection(base: string, views: readonly AlertView[], options: AlertCollectionOptions): Record<string, unknown> {
  const { select, withEvidence, count, nextLink } = options;
  const value = views.map((v) => (select === null ? alertToJson(v, withEvidence) : project(alertToJson(v, withEvidence), select)));
  return odataCollection(selectedContext(alertsContext(base), select), value, count, nextLink);
}
