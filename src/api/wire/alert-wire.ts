import type { AlertView } from '../../domain/alerts/alert.js';
import { alertToJson, type AlertKey } from '../../domain/alerts/alert-json.js';

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
  const context = select === null ? alertsContext(base) : `${alertsContext(base)}(${select.join(',')})`;
  const value = views.map((v) => {
    const json = alertToJson(v, withEvidence);
    if (select === null) return json;
    const out: Record<string, unknown> = {};
    for (const key of select) out[key] = json[key];
    return out;
  });
  return {
    '@odata.context': context,
    ...(count === undefined ? {} : { '@odata.count': count }),
    value,
    ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
  };
}
