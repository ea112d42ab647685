import { Type } from 'typebox';
import type { Machine } from '../../domain/machines/machine.js';
import { machineToJson } from '../../domain/machines/machine-json.js';
import type { MachinePropertyName } from '../../domain/machines/machine-query.js';
import { MachineSchema } from './machine-schema.js';
import { machinesContext } from './machine-wire.js';

/**
 * The collection envelope `{"@odata.context", "@odata.count"?, "value": [...], "@odata.nextLink"?}`.
 * Every machine property is optional here so that `$select` answers only what was asked, while
 * the compiled serialiser still writes each machine in wire order without a generic stringify.
 */
// fast-json-stringify writes required properties before optional ones: all are optional here so
// that `@odata.count` stays before `value` and `@odata.nextLink` after it.
export const MachineCollectionSchema = Type.Object(
  {
    '@odata.context': Type.Optional(Type.String()),
    '@odata.count': Type.Optional(Type.Integer()),
    value: Type.Optional(Type.Array(Type.Partial(MachineSchema))),
    '@odata.nextLink': Type.Optional(Type.String({ description: 'the same query with $skip of the next page; only when more machines exist' })),
  },
  { description: 'Machines in the OData collection envelope' },
);

export interface CollectionOptions {
  readonly select?: readonly MachinePropertyName[] | null;
  readonly count?: number | undefined;
  readonly nextLink?: string | undefined;
}

/** `$metadata#Machines`, or `$metadata#Machines(id,deviceValue)` for a `$select`, as OData writes it (every entity set). */
export const selectedContext = (context: string, select: readonly string[] | null): string => (select === null ? context : `${context}(${select.join(',')})`);

/** The envelope of any entity set's page, its keys in OData's order. */
export function odataCollection(context: string, value: readonly unknown[], count: number | undefined, nextLink: string | undefined): Record<string, unknown> {
  return {
    '@odata.context': context,
    ...(count === undefined ? {} : { '@odata.count': count }),
    value,
    ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
  };
}

/** Only the `$select`ed keys of an entity's wire JSON, in the order asked. */
export function project(json: Readonly<Record<string, unknown>>, select: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of select) out[p] = json[p];
  return out;
}

export function machinesCollection(base: string, machines: readonly Machine[], options: CollectionOptions = {}): Record<string, unknown> {
  const { select = null, count, nextLink } = options;
  const value = select === null ? machines.map(machineToJson) : machines.map((m) => project(machineToJson(m), select));
  return odataCollection(selectedContext(machinesContext(base), select), value, count, nextLink);
}

/**
 * The same envelope spliced from machines already in wire JSON text (MachineStore.listMachineJson):
 * a page of ten thousand machines is a string join, not ten thousand objects to stringify.
 */
export function machinesCollectionText(base: string, machines: readonly string[], options: CollectionOptions = {}): string {
  const { select = null, count, nextLink } = options;
  const context = selectedContext(machinesContext(base), select);
  const head = `{"@odata.context":${JSON.stringify(context)}${count === undefined ? '' : `,"@odata.count":${count}`},"value":[`;
  return `${head}${machines.join(',')}]${nextLink === undefined ? '' : `,"@odata.nextLink":${JSON.stringify(nextLink)}`}}`;
}
