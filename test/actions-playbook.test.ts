/**
 * A SOAR responder's playbook, played end to end as real open-source clients do it: find the
 * device by name, isolate it through its aadDeviceId on /api/v1.0, poll the action by id until it
 * succeeds, see a duplicate refused, release the device, and list both actions with `id in (...)`
 * (quoted, and unquoted as Google SecOps writes GUIDs). Time moves with the clock, never a sleep.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import type { Json } from './helpers/actions.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';

describe('a SOAR playbook against Rampart', () => {
  const clock = new ManualClock(Date.parse('2026-08-01T06:00:00Z'));
  let server: TestServer;
  let headers: Record<string, string>;
  const api = (path: string, init: RequestInit = {}) => call(`${server.base}/api/v1.0${path}`, { ...init, headers });
  const json = async (response: Response, status: number): Promise<Json> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as Json;
  };
  /** Polls as a playbook does, one (simulated) second apart, until the action leaves Pending/InProgress. */
  const pollUntilDone = async (id: string): Promise<{ final: Json; seen: string[] }> => {
    const seen: string[] = [];
    for (let poll = 0; poll < 30; poll++) {
      const action = await json(await api(`/machineactions/${id}`), 200);
      if (seen[seen.length - 1] !== action.status) seen.push(String(action.status));
      if (action.status !== 'Pending' && action.status !== 'InProgress') return { final: action, seen };
      clock.advance(1000);
    }
    assert.fail(`action ${id} still ${seen.join(' -> ')} after 30 polls`);
  };

  before(async () => {
    server = await startTestServer({}, clock);
    headers = { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json', accept: 'application/json' };
  });
  after(() => server.close());

  it('isolates, polls to Succeeded, is refused a duplicate, releases, and lists both', async () => {
    const found = await json(await api(`/machines?$filter=computerDnsName eq '${REFERENCE_MACHINE.computerDnsName}'`), 200);
    const device = (found.value as Json[])[0] as Json;
    const aadDeviceId = String(device.aadDeviceId);

    const isolate = await json(await api(`/machines/${aadDeviceId}/isolate`, { method: 'POST', body: JSON.stringify({ Comment: 'Isolated by playbook 42', IsolationType: 'Full' }) }), 201);
    assert.equal(isolate.status, 'Pending');
    const duplicate = await api(`/machines/${aadDeviceId}/isolate`, { method: 'POST', body: JSON.stringify({ Comment: 'again' }) });
    assert.equal(duplicate.status, 400);
    assert.ok((await duplicate.text()).includes('"message":"Action is already in progress"'), 'Rapid7 matches this exact substring');

    const isolated = await pollUntilDone(String(isolate.id));
    assert.deepEqual(isolated.seen, ['Pending', 'InProgress', 'Succeeded']);

    const release = await json(await api(`/machines/${aadDeviceId}/unisolate`, { method: 'POST', body: JSON.stringify({ Comment: 'Released by playbook 42' }) }), 201);
    const released = await pollUntilDone(String(release.id));
    assert.equal(released.final.status, 'Succeeded');

    for (const filter of [`id in ('${isolate.id}','${release.id}')`, `ID IN (${isolate.id}, ${release.id}) AND machineId eq '${REFERENCE_MACHINE.id}'`]) {
      const listed = await json(await api(`/machineactions?$filter=${encodeURIComponent(filter)}`), 200);
      assert.equal(listed['@odata.context'], `${server.base}/api/$metadata#MachineActions`);
      assert.deepEqual((listed.value as Json[]).map((a) => [a.id, a.type, a.status]), [
        [release.id, 'Unisolate', 'Succeeded'],
        [isolate.id, 'Isolate', 'Succeeded'],
      ]);
    }
    const recent = await json(await api(`/machineactions?$filter=${encodeURIComponent(`(type eq 'Isolate' or type eq 'Unisolate') and creationDateTimeUtc ge ${String(isolate.creationDateTimeUtc)}`)}&$orderby=creationDateTimeUtc asc&$count=true`), 200);
    assert.equal(recent['@odata.count'], 2);
    assert.deepEqual((recent.value as Json[]).map((a) => a.id), [isolate.id, release.id]);
  });
});
