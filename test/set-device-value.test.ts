import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /api/machines/{id}/setDeviceValue', () => {
  let server: TestServer;
  let auth: Record<string, string>;
  before(async () => {
    server = await startTestServer();
    auth = { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' };
  });
  after(() => server.close());

  it('sets the value, answers the whole entity and records the change', async () => {
    const response = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ DeviceValue: 'high' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
    assert.equal(response.headers.get('odata-version'), '4.0');
    assert.match(response.headers.get('request-id') ?? '', GUID);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['@odata.context'], `${server.base}/api/$metadata#Machines/$entity`);
    assert.equal(body.deviceValue, 'High');
    assert.equal(body.rbacGroupId, 140);

    const history = await server.app.machines.history(server.app.config.demo ? '7e57da7a-de70-4e2a-9c3d-000000000001' : '', REFERENCE_MACHINE.id);
    assert.equal(history[0]?.oldValue, 'Normal');
    assert.equal(history[0]?.newValue, 'High');
    assert.equal(history[0]?.route, 'setDeviceValue');
    assert.equal(history[0]?.requestId, response.headers.get('request-id'));
  });
});
