/**
 * Known routes of the real Machine API that Rampart does not serve yet (the operation table's
 * `implemented: false` rows): 501 NotImplemented in the envelope after the token check, never a
 * bare 404, under /api and /api/v1.0, with 405 for another verb.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPERATIONS, type Operation } from '../src/api/operations.js';
import { DEMO_READONLY_APP, REFERENCE_MACHINE } from '../src/config/demo.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { assertEnvelope, rawRequest } from './helpers/wire.js';

const ALERT = 'da637472900382838869_1364969609';
const pending = (OPERATIONS as readonly Operation[]).filter((o) => !o.implemented);
const pathOf = (op: Operation, prefix: string) => `${prefix}${op.path.replace(':machineId', REFERENCE_MACHINE.id).replace(':alertId', ALERT)}`;

describe('operations Rampart does not serve yet', () => {
  let server: TestServer;
  let token: string;
  let readOnly: string;
  before(async () => {
    server = await startTestServer();
    token = await server.token();
    readOnly = await server.token(DEMO_READONLY_APP);
  });
  after(() => server.close());

  const send = (op: Operation, path: string, authorization?: string, method: string = op.method) => {
    const body = method === 'POST' || method === 'PATCH' ? '{}' : undefined;
    const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
    return rawRequest(server.base, { method, path, headers, body });
  };

  it("the table lists logon users, an alert's user, domains, files and IPs, software, vulnerabilities and recommendations", () => {
    const paths = pending.map((o) => `${o.method} ${o.path}`);
    for (const wanted of ['GET /machines/:machineId/logonusers', 'GET /alerts/:alertId/user', 'GET /alerts/:alertId/domains', 'GET /alerts/:alertId/files', 'GET /alerts/:alertId/ips', 'GET /software', 'GET /vulnerabilities', 'GET /recommendations']) {
      assert.ok(paths.includes(wanted), wanted);
    }
    // Issue 16 serves the alert queue itself.
    for (const served of ['GET /alerts', 'GET /alerts/:alertId', 'PATCH /alerts/:alertId', 'GET /machines/:machineId/alerts']) assert.ok(!paths.includes(served), served);
  });

  for (const prefix of ['/api', '/api/v1.0']) {
    it(`every one answers 501 NotImplemented under ${prefix}, whatever the application's permissions`, async () => {
      for (const op of pending) {
        for (const bearer of [token, readOnly]) {
          const reply = await send(op, pathOf(op, prefix), `Bearer ${bearer}`);
          assertEnvelope(reply, 501, 'NotImplemented', `${op.method} /api${op.path} is not implemented by this version of Rampart.`);
        }
      }
    });
  }

  it('without a token they are 401, and another verb is 405 with Allow', async () => {
    for (const op of pending) {
      const reply = await send(op, pathOf(op, '/api'));
      assertEnvelope(reply, 401, 'Unauthorized');
    }
    const user = await send(pending.find((o) => o.id === 'GetAlertUser') as Operation, `/api/alerts/${ALERT}/user`, `Bearer ${token}`, 'DELETE');
    assertEnvelope(user, 405, 'MethodNotAllowed');
    assert.equal(user.header('allow'), 'GET');
    const alert = await send(pending.find((o) => o.id === 'GetAlertUser') as Operation, `/api/alerts/${ALERT}`, `Bearer ${token}`, 'POST');
    assertEnvelope(alert, 405, 'MethodNotAllowed');
    assert.equal(alert.header('allow'), 'GET, PATCH');
  });

  it('a route the real API does not have stays a 404 NotFound', async () => {
    assertEnvelope(await rawRequest(server.base, { method: 'GET', path: '/api/nothing', headers: { authorization: `Bearer ${token}` } }), 404, 'NotFound');
  });
});
