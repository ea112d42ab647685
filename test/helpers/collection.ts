import assert from 'node:assert/strict';
import { MACHINE_PROPERTIES } from '../../src/domain/machines/machine.js';
import { GUID, ODATA_CONTENT_TYPE, replyOf, type WireReply } from './wire.js';

export interface Collection {
  readonly '@odata.context': string;
  readonly '@odata.count'?: number;
  readonly value: Record<string, unknown>[];
  readonly '@odata.nextLink'?: string;
}

/**
 * A 200 OData collection answer: the headers, the envelope keys in order
 * (`@odata.context`, `@odata.count`?, `value`, `@odata.nextLink`?), and each machine either whole
 * in wire order or, with `$select`, exactly the selected properties in wire order.
 */
export function assertCollection(reply: WireReply, select?: readonly string[]): Collection {
  const where = `${reply.status} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, 200, where);
  assert.equal(reply.header('content-type'), ODATA_CONTENT_TYPE, where);
  assert.equal(reply.header('odata-version'), '4.0', where);
  assert.match(reply.header('request-id') ?? '', GUID, where);
  const body = JSON.parse(reply.text) as Collection;
  const keys = Object.keys(body);
  assert.deepEqual(keys.filter((k) => k !== '@odata.count' && k !== '@odata.nextLink'), ['@odata.context', 'value'], where);
  assert.equal(keys[0], '@odata.context');
  if ('@odata.count' in body) assert.equal(keys[1], '@odata.count');
  if ('@odata.nextLink' in body) assert.equal(keys.at(-1), '@odata.nextLink');
  const context = select ? `#Machines(${select.join(',')})` : '#Machines';
  assert.ok(body['@odata.context'].endsWith(`/api/$metadata${context}`), body['@odata.context']);
  const expected = select ? MACHINE_PROPERTIES.filter((p) => select.includes(p)) : [...MACHINE_PROPERTIES];
  for (const machine of body.value) assert.deepEqual(Object.keys(machine), expected);
  return body;
}

export async function expectCollection(response: Response, select?: readonly string[]): Promise<Collection> {
  return assertCollection(await replyOf(response), select);
}

export const idsOf = (c: Collection): string[] => c.value.map((m) => String(m.id));
