import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from '@sap-ux/edmx-parser';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { actionClient, addMachine, type Json } from './helpers/actions.js';
import { alertInput, raiseAlerts } from './helpers/alerts.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { get, WIRE_TIMESTAMP } from './helpers/wire.js';

/** What the EDMX parser answers, as far as these tests read it. */
interface EdmProperty {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}
interface Metadata {
  readonly version: string;
  readonly schema: {
    readonly namespace: string;
    readonly entityTypes: readonly { name: string; fullyQualifiedName: string; keys: readonly { name: string }[]; entityProperties: readonly EdmProperty[] }[];
    readonly complexTypes: readonly { name: string; fullyQualifiedName: string; properties: readonly EdmProperty[] }[];
    readonly entitySets: readonly { name: string; entityTypeName: string }[];
  };
}

describe('$metadata: the CSDL of the served entities', () => {
  let server: TestServer;
  let token: string;
  let xml: string;
  let metadata: Metadata;
  const url = (path: string) => `${server.base}${path}`;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    const response = await call(url('/api/$metadata'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(response.headers.get('odata-version'), '4.0');
    xml = await response.text();
    metadata = parse(xml) as unknown as Metadata;
  });
  after(() => server.close());

  const entityType = (name: string) => {
    const found = metadata.schema.entityTypes.find((t) => t.name === name);
    assert.ok(found, `entity type ${name}`);
    return found;
  };
  const complexType = (fullName: string) => {
    const found = metadata.schema.complexTypes.find((t) => t.fullyQualifiedName === fullName);
    assert.ok(found, `complex type ${fullName}`);
    return found;
  };

  /**
   * A live JSON object against its declared type: the same keys in the same order, each value of
   * its declared type (null only where nullable), nested objects against their complex types.
   */
  function conforms(value: Json, properties: readonly EdmProperty[], where: string): void {
    assert.deepEqual(Object.keys(value), properties.map((p) => p.name), `${where}: keys in wire order`);
    for (const p of properties) {
      const v = value[p.name];
      const at = `${where}.${p.name}`;
      if (v === null) {
        assert.ok(p.nullable, `${at} is null but not Nullable`);
        continue;
      }
      const collection = /^Collection\((.+)\)$/.exec(p.type);
      if (collection?.[1]) {
        assert.ok(Array.isArray(v), `${at} is a collection`);
        for (const [i, item] of (v as unknown[]).entries()) valueConforms(item, collection[1], `${at}[${i}]`);
      } else valueConforms(v, p.type, at);
    }
  }
  function valueConforms(v: unknown, type: string, at: string): void {
    switch (type) {
      case 'Edm.String':
        return assert.equal(typeof v, 'string', at);
      case 'Edm.DateTimeOffset':
        return assert.match(String(v), WIRE_TIMESTAMP, at);
      case 'Edm.Boolean':
        return assert.equal(typeof v, 'boolean', at);
      case 'Edm.Int64':
        return assert.ok(Number.isInteger(v), at);
      default:
        conforms(v as Json, complexType(type).properties, at);
    }
  }

  const withoutContext = ({ '@odata.context': context, ...entity }: Json) => ({ context: String(context), entity });

  it('declares each served entity set with its type and the key id', () => {
    assert.equal(metadata.version, '4.0');
    assert.deepEqual(
      metadata.schema.entitySets.map((s) => [s.name, s.entityTypeName]),
      ['Machine', 'MachineAction', 'Investigation', 'Alert'].map((t, i) => [['Machines', 'MachineActions', 'Investigations', 'Alerts'][i], `${metadata.schema.namespace}.${t}`]),
    );
    for (const type of metadata.schema.entityTypes) assert.deepEqual(type.keys.map((k) => k.name), ['id'], `${type.name} is keyed by id`);
  });

  it('declares every key a machine GET returns, in order, with its type; @odata.context points at it', async () => {
    const machine = await addMachine(server.app, { vmMetadata: { vmId: 'vm-1', cloudProvider: 'Azure', resourceId: null, subscriptionId: null } });
    for (const id of [REFERENCE_MACHINE.id, machine.id]) {
      const { context, entity } = withoutContext((await (await get(url(`/api/machines/${id}`), token)).json()) as Json);
      assert.equal(context, `${server.base}/api/$metadata#Machines/$entity`);
      conforms(entity, entityType('Machine').entityProperties, 'Machine');
    }
    const list = (await (await get(url('/api/machines?$top=3'), token)).json()) as { '@odata.context': string; value: Json[] };
    assert.equal(list['@odata.context'], `${server.base}/api/$metadata#Machines`);
    for (const m of list.value) conforms(m, entityType('Machine').entityProperties, 'Machine');
  });

  it('declares every key of a machine action and its commands, and of an investigation', async () => {
    const api = actionClient(server.base, token);
    const machine = await addMachine(server.app);
    const commands = [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.ps1' }] }];
    const live = await api.act(machine.id, 'runliveresponse', { Comment: 'triage', Commands: commands });
    const other = await addMachine(server.app);
    const quarantine = await api.act(other.id, 'StopAndQuarantineFile', { Comment: 'stop it', Sha1: '87662bc3d60e4200ceaf7aae249d1c343f4b83c9' });
    for (const action of [live, quarantine]) {
      const { context, entity } = withoutContext(action);
      assert.equal(context, `${server.base}/api/$metadata#MachineActions/$entity`);
      conforms(entity, entityType('MachineAction').entityProperties, 'MachineAction');
    }
    const third = await addMachine(server.app);
    const started = await call(url(`/api/machines/${third.id}/startInvestigation`), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Comment: 'look' }),
    });
    assert.equal(started.status, 201);
    const { context, entity } = withoutContext((await started.json()) as Json);
    assert.equal(context, `${server.base}/api/$metadata#Investigations/$entity`);
    conforms(entity, entityType('Investigation').entityProperties, 'Investigation');
  });

  it('declares every key of an alert and its evidence, in a single GET and in a list', async () => {
    const machine = await addMachine(server.app);
    const [alert] = await raiseAlerts(server.app, [alertInput(machine.id, Date.now())]);
    const { context, entity } = withoutContext((await (await get(url(`/api/alerts/${alert?.id}`), token)).json()) as Json);
    assert.equal(context, `${server.base}/api/$metadata#Alerts/$entity`);
    assert.ok((entity.evidence as unknown[]).length > 0, 'evidence is filled in');
    conforms(entity, entityType('Alert').entityProperties, 'Alert');
    const list = (await (await get(url('/api/alerts?$top=3&$expand=evidence'), token)).json()) as { '@odata.context': string; value: Json[] };
    assert.equal(list['@odata.context'], `${server.base}/api/$metadata#Alerts`);
    for (const a of list.value) conforms(a, entityType('Alert').entityProperties, 'Alert');
  });

  it('is served where each context points, under /api/v1.0 too, without a token', async () => {
    for (const path of ['/api/$metadata', '/api/v1.0/$metadata', '/API/$METADATA']) {
      const response = await call(url(path));
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), xml);
    }
  });
});
