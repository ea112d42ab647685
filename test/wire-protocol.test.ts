/**
 * HTTP itself, in the envelope (issue 14 item 4): a method no route takes on a known path is 405
 * with Allow (OPTIONS and TRACE included), an HTTP/1.1 request without Host is 400, and headers
 * over the limit are 431 RequestHeaderFieldsTooLarge.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { assertEnvelope, rawRequest, type WireReply } from './helpers/wire.js';

/** Writes bytes exactly as given on a fresh connection and reads until the server closes it (or answers with a body). */
function rawBytes(base: string, bytes: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(bytes));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
      const bodyAt = text.indexOf('\r\n\r\n');
      if (length && bodyAt >= 0 && Buffer.byteLength(text.slice(bodyAt + 4)) >= Number(length[1])) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function errorCode(reply: WireReply): string {
  assertEnvelope(reply);
  return (JSON.parse(reply.text) as { error: { code: string } }).error.code;
}

describe('HTTP protocol errors in the envelope', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  const cases: [string, string, string][] = [
    ['OPTIONS', `/api/machines/${REFERENCE_MACHINE.id}`, 'GET, PATCH'],
    ['TRACE', `/api/machines/${REFERENCE_MACHINE.id}`, 'GET, PATCH'],
    ['PROPFIND', `/api/machines/${REFERENCE_MACHINE.id}`, 'GET, PATCH'],
    ['OPTIONS', '/api/v1.0/machines', 'GET'],
    ['TRACE', `/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, 'POST'],
    ['OPTIONS', '/healthz', 'GET'],
    ['DELETE', '/readyz', 'GET'],
    ['TRACE', '/openapi.json', 'GET'],
  ];
  for (const [method, path, allow] of cases) {
    it(`${method} ${path.replace(REFERENCE_MACHINE.id, '{id}')} is 405 MethodNotAllowed with Allow: ${allow}`, async () => {
      const reply = await rawRequest(server.base, { method, path, headers: { authorization: `Bearer ${token}` } });
      assert.equal(reply.status, 405, reply.text);
      assert.equal(errorCode(reply), 'MethodNotAllowed');
      assert.deepEqual(reply.header('allow')?.split(/,\s*/).sort(), allow.split(', ').sort());
      assert.equal(JSON.parse(reply.text).error.message, `The requested resource does not support http method '${method}'.`);
    });
  }

  it('OPTIONS on a path no route takes is still 404 NotFound', async () => {
    const reply = await rawRequest(server.base, { method: 'OPTIONS', path: '/api/nothing' });
    assert.equal(reply.status, 404);
    assert.equal(errorCode(reply), 'NotFound');
  });

  it('an HTTP/1.1 request without Host is 400 BadRequest in the envelope', async () => {
    const text = await rawBytes(server.base, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(text, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string; target: string } };
    assert.equal(body.error.code, 'BadRequest');
    assert.equal(body.error.message, 'The request has no Host header; HTTP/1.1 requires one.');
    assert.match(text, new RegExp(`\\r\\nrequest-id: ${body.error.target}\\r\\n`, 'i'));
  });

  it('an HTTP/1.0 request needs no Host', async () => {
    const text = await rawBytes(server.base, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  });

  it('headers over the limit are 431 RequestHeaderFieldsTooLarge', async () => {
    const reply = await rawRequest(server.base, { method: 'GET', path: '/healthz', headers: { 'x-big': 'a'.repeat(70_000) } });
    assert.equal(reply.status, 431);
    assert.equal(errorCode(reply), 'RequestHeaderFieldsTooLarge');
  });
});
