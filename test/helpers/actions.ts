import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Core } from '../../src/core.js';
import { DEMO_TENANT_ID } from '../../src/config/demo.js';
import { generateMachine, Random } from '../../src/fleet/generator.js';
import type { Machine } from '../../src/domain/machines/machine.js';
import { timestampFromMillis } from '../../src/shared/timestamp.js';
import { call } from './server.js';
import { expectEntityEnvelope, GUID, WIRE_TIMESTAMP } from './wire.js';

/** The MachineAction entity's keys, in wire order (spec section 2). */
export const ACTION_KEYS = [
  'id', 'type', 'title', 'requestor', 'requestorComment', 'status', 'machineId', 'computerDnsName', 'creationDateTimeUtc',
  'lastUpdateDateTimeUtc', 'cancellationRequestor', 'cancellationComment', 'cancellationDateTimeUtc', 'errorHResult', 'scope',
  'externalId', 'requestSource', 'relatedFileInfo', 'commands', 'troubleshootInfo',
];

export type Json = Record<string, unknown>;

/** A device put straight into the demo tenant, for the platform, health and group a test needs. */
export async function addMachine(app: Pick<Core, 'clock' | 'store'>, overrides: Partial<Machine> = {}): Promise<Machine> {
  const nowMs = app.clock.now();
  const template = generateMachine(new Random(7), 0, nowMs, false);
  const machine: Machine = {
    ...template,
    id: randomBytes(20).toString('hex'),
    computerDnsName: `test-${randomBytes(4).toString('hex')}.contoso.com`,
    aadDeviceId: crypto.randomUUID(),
    osPlatform: 'Windows11',
    healthStatus: 'Active',
    lastSeen: timestampFromMillis(nowMs - 60_000),
    rbacGroupId: 102,
    rbacGroupName: 'Workstations',
    machineTags: [],
    ...overrides,
  };
  await app.store.putMachines(DEMO_TENANT_ID, [machine], { at: timestampFromMillis(nowMs), appId: null, userId: null, route: 'import', requestId: null });
  return machine;
}

/** Calls of the Machine API with one token; every call has a deadline. */
export function actionClient(base: string, token: string, prefix = '/api') {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    post: (path: string, body: unknown) => call(`${base}${prefix}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
    get: (path: string) => call(`${base}${prefix}${path}`, { headers }),
    /** Requests an action and insists on 201; returns the entity. */
    async act(machineKey: string, operation: string, body: unknown): Promise<Json> {
      const response = await call(`${base}${prefix}/machines/${encodeURIComponent(machineKey)}/${operation}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      return JSON.parse(text) as Json;
    },
    async action(id: string): Promise<Json> {
      const response = await call(`${base}${prefix}/machineactions/${id}`, { headers });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return JSON.parse(text) as Json;
    },
  };
}

/** The exact entity envelope of a MachineAction answer: status, OData headers, context, key order. */
export async function expectAction(response: Response, status: number, base: string): Promise<Json> {
  const body = await expectEntityEnvelope(response, status, base, 'MachineActions', ACTION_KEYS);
  assert.match(String(body.id), GUID);
  assert.match(String(body.creationDateTimeUtc), WIRE_TIMESTAMP);
  assert.match(String(body.lastUpdateDateTimeUtc), WIRE_TIMESTAMP);
  return body;
}
