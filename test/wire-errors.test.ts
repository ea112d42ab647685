import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_READONLY_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope } from '../src/domain/ports.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampToMillis, type Timestamp } from '../src/shared/timestamp.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { assertEnvelope, expectEntity, expectError, get, rawRequest, send } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;
/** The whole demo tenant, retention ignored: for looking behind the API. */
const EVERYTHING: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };
const DENIED = 'Authorization has been denied for this request.';
const FORBIDDEN = 'The application does not have any of the required application permissions (Machine.ReadWrite.All) to access the resource.';

describe('Machine API wire format: errors', () => {
  let server: TestServer;
  let token: string;
  const url = (path: string) => `${server.base}${path}`;
  const setValueRaw = (body: string, contentType = 'application/json') =>
    send(url(`/api/machines/${ID}/setDeviceValue`), token, 'POST', body, contentType);

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  describe('authentication and permissions', () => {
    it('no Authorization header is 401 Unauthorized', async () => {
      await expectError(await call(url(`/api/machines/${ID}`)), 401, 'Unauthorized', DENIED);
    });

    it('a Basic Authorization header is 401', async () => {
      await expectError(await call(url(`/api/machines/${ID}`), { headers: { authorization: 'Basic xxx' } }), 401, 'Unauthorized');
    });

    it('a garbage bearer token is 401', async () => {
      await expectError(await get(url(`/api/machines/${ID}`), 'garbage'), 401, 'Unauthorized');
      await expectError(await get(url(`/api/machines/${ID}`), 'a.b.c'), 401, 'Unauthorized');
    });

    it('a token with one flipped signature character is 401, even after the genuine one was cached', async () => {
      await expectEntity(await get(url(`/api/machines/${ID}`), token));
      const [header, payload, signature = ''] = token.split('.');
      const i = Math.floor(signature.length / 2);
      const flipped = `${signature.slice(0, i)}${signature[i] === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`;
      await expectError(await get(url(`/api/machines/${ID}`), `${header}.${payload}.${flipped}`), 401, 'Unauthorized');
    });

    it('an expired token is 401, whether or not its verification was cached', async () => {
      const clock = new ManualClock(Date.now());
      const timed = await startTestServer({}, clock);
      try {
        const used = await timed.token();
        const unused = await timed.token();
        await expectEntity(await get(`${timed.base}/api/machines/${ID}`, used));
        clock.advance(3601_000);
        await expectError(await get(`${timed.base}/api/machines/${ID}`, used), 401, 'Unauthorized');
        await expectError(await get(`${timed.base}/api/machines/${ID}`, used), 401, 'Unauthorized');
        await expectError(await get(`${timed.base}/api/machines/${ID}`, unused), 401, 'Unauthorized');
        const write = send(`${timed.base}/api/machines/${ID}/setDeviceValue`, used, 'POST', '{"DeviceValue":"High"}');
        await expectError(await write, 401, 'Unauthorized');
      } finally {
        await timed.close();
      }
    });

    it('the read-only app reads (200) but setDeviceValue and PATCH are 403 Forbidden with the service wording', async () => {
      const readOnly = await server.token(DEMO_READONLY_APP);
      await expectEntity(await get(url(`/api/machines/${ID}`), readOnly));
      const before = await server.app.store.getById(EVERYTHING, ID);
      const body = JSON.stringify({ DeviceValue: before?.deviceValue === 'High' ? 'Low' : 'High' });
      await expectError(await send(url(`/api/machines/${ID}/setDeviceValue`), readOnly, 'POST', body), 403, 'Forbidden', FORBIDDEN);
      await expectError(await send(url(`/api/machines/${ID}`), readOnly, 'PATCH', '{"deviceValue":"Low"}'), 403, 'Forbidden', FORBIDDEN);
      assert.deepEqual(await server.app.store.getById(EVERYTHING, ID), before);
    });
  });

  describe('request bodies', () => {
    it('a text/plain body is 400 InvalidRequestBody', async () => {
      await expectError(await setValueRaw('{"DeviceValue":"High"}', 'text/plain'), 400, 'InvalidRequestBody');
    });

    it('a body without Content-Type is 400 InvalidRequestBody', async () => {
      const response = await call(url(`/api/machines/${ID}/setDeviceValue`), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: new TextEncoder().encode('{"DeviceValue":"High"}'),
      });
      await expectError(response, 400, 'InvalidRequestBody');
    });

    it('malformed JSON is 400 InvalidRequestBody', async () => {
      for (const body of ['{"DeviceValue":', '{DeviceValue: "High"}', "{'DeviceValue':'High'}", '{"DeviceValue":"High"} x']) {
        await expectError(await setValueRaw(body), 400, 'InvalidRequestBody');
      }
    });

    it('an empty body is 400 InvalidRequestBody', async () => {
      await expectError(await setValueRaw(''), 400, 'InvalidRequestBody');
      await expectError(await setValueRaw('  \n '), 400, 'InvalidRequestBody');
    });

    it('a JSON body that is not an object is 400 InvalidRequestBody', async () => {
      for (const body of ['[]', '"High"', 'null', '42', 'true', '[{"DeviceValue":"High"}]']) {
        await expectError(await setValueRaw(body), 400, 'InvalidRequestBody');
        await expectError(await send(url(`/api/machines/${ID}`), token, 'PATCH', body), 400, 'InvalidRequestBody');
      }
    });

    it('a mis-cased key is 400 MissingRequiredParameter "Parameter DeviceValue is missing."', async () => {
      for (const body of ['{"deviceValue":"High"}', '{"DEVICEVALUE":"High"}', '{}']) {
        await expectError(await setValueRaw(body), 400, 'MissingRequiredParameter', 'Parameter DeviceValue is missing.');
      }
    });

    it('a value outside the enum is 400 InvalidInput', async () => {
      for (const value of ['"Critical"', 'null', '3', '""', 'true', '["High"]', '{"v":"High"}', '" High"']) {
        await expectError(await setValueRaw(`{"DeviceValue":${value}}`), 400, 'InvalidInput');
      }
    });

    it('a charset parameter on application/json is accepted', async () => {
      assert.equal((await expectEntity(await setValueRaw('{"DeviceValue":"Low"}', 'application/json; charset=utf-8'))).deviceValue, 'Low');
      assert.equal((await expectEntity(await setValueRaw('{"DeviceValue":"Normal"}', 'application/json;charset=UTF-8'))).deviceValue, 'Normal');
    });

    it('a body over the size limit is 413 RequestEntityTooLarge, not a 500', async () => {
      const small = await startTestServer({ bodyLimit: 2048 });
      try {
        const smallToken = await small.token();
        const body = JSON.stringify({ DeviceValue: 'High', padding: 'x'.repeat(4096) });
        const response = await send(`${small.base}/api/machines/${ID}/setDeviceValue`, smallToken, 'POST', body);
        await expectError(response, 413, 'RequestEntityTooLarge');
        const machine = await small.app.store.getById(EVERYTHING, ID);
        assert.equal(machine?.deviceValue, 'Normal');
      } finally {
        await small.close();
      }
    });

    // Building the message must not walk the value: JSON.stringify of 50,000 nested arrays overflows the stack.
    it('a deeply nested DeviceValue is 400 InvalidInput, not a 500', async () => {
      const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
      await expectError(await setValueRaw(`{"DeviceValue":${deep}}`), 400, 'InvalidInput');
      await expectError(await send(url(`/api/machines/${ID}`), token, 'PATCH', `{"deviceValue":${deep}}`), 400, 'InvalidInput');
    });
  });

  describe('machines and routes', () => {
    it('an unknown machine id is 404 ResourceNotFound "Machine <id> was not found"', async () => {
      const unknown = 'f'.repeat(40);
      await expectError(await get(url(`/api/machines/${unknown}`), token), 404, 'ResourceNotFound', `Machine ${unknown} was not found`);
      const response = await send(url(`/api/machines/${unknown}/setDeviceValue`), token, 'POST', '{"DeviceValue":"High"}');
      await expectError(response, 404, 'ResourceNotFound', `Machine ${unknown} was not found`);
    });

    it('a machine beyond retention is 404 on GET, setDeviceValue and PATCH, and is left unchanged', async () => {
      let stale: Machine | undefined;
      for await (const batch of server.app.store.allMachines(DEMO_TENANT_ID)) {
        stale ??= batch.find((m) => timestampToMillis(m.lastSeen) < Date.now() - 181 * 86_400_000);
      }
      assert.ok(stale, 'the demo fleet has a machine older than 180 days');
      const historyBefore = await server.app.machines.history(DEMO_TENANT_ID, stale.id);
      const next = stale.deviceValue === 'High' ? 'Low' : 'High';
      const notFound = `Machine ${stale.id} was not found`;
      await expectError(await get(url(`/api/machines/${stale.id}`), token), 404, 'ResourceNotFound', notFound);
      const write = send(url(`/api/machines/${stale.id}/setDeviceValue`), token, 'POST', JSON.stringify({ DeviceValue: next }));
      await expectError(await write, 404, 'ResourceNotFound', notFound);
      const patch = send(url(`/api/machines/${stale.id}`), token, 'PATCH', JSON.stringify({ deviceValue: next, machineTags: ['x'] }));
      await expectError(await patch, 404, 'ResourceNotFound', notFound);
      if (stale.computerDnsName !== '') {
        await expectError(await get(url(`/api/machines/${stale.computerDnsName}`), token), 404, 'ResourceNotFound');
      }
      assert.deepEqual(await server.app.store.getById(EVERYTHING, stale.id), stale);
      assert.deepEqual(await server.app.machines.history(DEMO_TENANT_ID, stale.id), historyBefore);
    });

    it('an unknown route is 404 NotFound', async () => {
      await expectError(await get(url('/api/nothing'), token), 404, 'NotFound');
      await expectError(await call(url('/api/nothing')), 404, 'NotFound');
      await expectError(await get(url(`/api/machines/${ID}/nothing`), token), 404, 'NotFound');
    });

    it('DELETE on a machine is 405 MethodNotAllowed with an Allow header', async () => {
      const response = await call(url(`/api/machines/${ID}`), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(response.headers.get('allow')?.split(/,\s*/).sort(), ['GET', 'PATCH']);
      await expectError(response, 405, 'MethodNotAllowed');
      const wrongVerb = await call(url(`/api/machines/${ID}/setDeviceValue`), { method: 'GET', headers: { authorization: `Bearer ${token}` } });
      assert.equal(wrongVerb.headers.get('allow'), 'POST');
      await expectError(wrongVerb, 405, 'MethodNotAllowed');
    });
  });

  describe('errors the framework raises before routing', () => {
    // Fastify's frameworkErrors and the HTTP server's clientError both answer in the envelope (spec section 6).
    const cases: [string, string, string, number][] = [
      ['malformed percent-encoding in the path', 'GET', `/api/machines/%zz`, 400],
      ['a lone % in the path', 'POST', `/api/machines/%/setDeviceValue`, 400],
      ['a path segment over 1024 characters', 'GET', `/api/machines/${'a'.repeat(1100)}`, 400],
      ['a request target over 64 KiB', 'GET', `/api/machines/${'a'.repeat(70_000)}`, 431],
      ['an unknown HTTP method', 'FOO', `/api/machines/${ID}`, 400],
    ];
    for (const [label, method, path, status] of cases) {
      it(`${label} answers ${status} in the envelope`, async () => {
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const reply = await rawRequest(server.base, { method, path, headers, ...(method === 'POST' ? { body: '{"DeviceValue":"High"}' } : {}) });
        assert.equal(reply.status, status);
        assertEnvelope(reply);
      });
    }
  });
});
