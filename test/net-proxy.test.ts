/**
 * The forward proxy and the HTTPS port (issue 12), over real sockets on 127.0.0.1: an HTTP client
 * with a proxy agent reaches Rampart as api.securitycenter.microsoft.com and login.microsoftonline.com
 * trusting only the local CA; every other target, malformed CONNECT, stalled handshake or
 * untrusting client is refused cleanly and leaves normal traffic alone. Refused targets are
 * named under `.invalid` or are loopback ports nobody listens on: the proxy never connects
 * anywhere, and these tests would not let it try.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch, ProxyAgent } from 'undici';
import { DEMO_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { connectRequest, requestOver, sendToProxy, startTls } from './helpers/proxy.js';
import { assertEntity, replyOf } from './helpers/wire.js';

const API = 'https://api.securitycenter.microsoft.com';
const LOGIN = 'https://login.microsoftonline.com';
const form = (scope: string) =>
  new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret, scope });

describe('forward proxy and HTTPS port', () => {
  let server: TestServer;
  let ca: string;
  let agent: ProxyAgent;
  /** fetch through the proxy, trusting only Rampart's CA, bounded in time. */
  const viaProxy = (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => undiciFetch(url, { ...init, dispatcher: agent, signal: AbortSignal.timeout(10_000) });
  const tokenViaProxy = async (scope = `${API}/.default`) => {
    const response = await viaProxy(`${LOGIN}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', body: form(scope) });
    assert.equal(response.status, 200);
    return String(((await response.json()) as { access_token: string }).access_token);
  };

  before(async () => {
    server = await startTestServer({ tls: true, interceptHosts: ['mde.rampart.invalid'] });
    ca = readFileSync(join(server.dataDir, 'ca.pem'), 'utf8');
    agent = new ProxyAgent({ uri: server.base, requestTls: { ca } });
  });
  after(async () => {
    await agent.close();
    await server.close();
  });

  it('an HTTP client with a proxy agent gets a token from login.microsoftonline.com and sets a device value on api.securitycenter.microsoft.com', async () => {
    const token = await tokenViaProxy('https://api-eu.securitycenter.microsoft.com/.default');
    const response = await viaProxy(`${API}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ DeviceValue: 'High' }),
    });
    const body = assertEntity(await replyOf(response as unknown as Response));
    assert.equal(body['@odata.context'], `${API}/api/$metadata#Machines/$entity`);
    assert.equal(body.deviceValue, 'High');
    const history = await server.app.machines.history(DEMO_TENANT_ID, REFERENCE_MACHINE.id, 1);
    assert.equal(history[0]?.newValue, 'High');
  });

  it('links name the host the client called: regional and legacy hosts, an added --intercept-host', async () => {
    const token = await tokenViaProxy();
    for (const base of ['https://eu.api.security.microsoft.com', 'https://api-uk.securitycenter.windows.com', 'https://mde.rampart.invalid']) {
      const response = await viaProxy(`${base}/api/machines?$top=1&$select=id`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200, base);
      assert.equal(((await response.json()) as Record<string, unknown>)['@odata.context'], `${base}/api/$metadata#Machines(id)`);
    }
  });

  it('the HTTPS port serves what the HTTP port serves, with a certificate for 127.0.0.1 from the local CA', async () => {
    const direct = new Agent({ connect: { ca } });
    try {
      const response = await undiciFetch(`${server.httpsBase}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`, { dispatcher: direct, signal: AbortSignal.timeout(10_000) });
      const doc = (await response.json()) as Record<string, unknown>;
      assert.equal(doc.issuer, `${server.httpsBase}/${DEMO_TENANT_ID}/v2.0`);
      assert.equal(doc.token_endpoint, `${server.httpsBase}/${DEMO_TENANT_ID}/oauth2/v2.0/token`);
      const machine = await undiciFetch(`${server.httpsBase}/api/machines/${REFERENCE_MACHINE.id}`, { headers: { authorization: `Bearer ${await server.token()}` }, dispatcher: direct, signal: AbortSignal.timeout(10_000) });
      assert.equal(((await machine.json()) as Record<string, unknown>)['@odata.context'], `${server.httpsBase}/api/$metadata#Machines/$entity`);
    } finally {
      await direct.close();
    }
  });

  it('the certificates are proper X.509: a CA limited to signing, a server certificate for every name', () => {
    const authority = new X509Certificate(ca);
    assert.equal(authority.ca, true);
    assert.ok(authority.checkIssued(authority));
    assert.ok(authority.verify(authority.publicKey));
    const keyFile = join(server.dataDir, 'ca-key.pem');
    // On PostgreSQL (npm run test:postgres) the key is in the database and the folder has none.
    if (server.app.config.store?.startsWith('postgres')) assert.ok(!existsSync(keyFile));
    else assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.doesNotMatch(ca, /PRIVATE KEY/);
  });

  it('the server certificate names localhost, 127.0.0.1 and every intercepted host', async () => {
    const { reply, socket } = await sendToProxy(server.base, connectRequest('login.microsoftonline.com:443'));
    assert.equal(reply.status, 200);
    const tls = await startTls(socket, 'login.microsoftonline.com', ca);
    const peer = new X509Certificate(tls.getPeerX509Certificate()?.raw ?? Buffer.alloc(0));
    tls.destroy();
    assert.equal(peer.ca, false);
    assert.ok(peer.checkIssued(new X509Certificate(ca)));
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:api.securitycenter.microsoft.com', 'DNS:login.microsoftonline.com', 'DNS:eu.api.security.microsoft.com', 'DNS:mde.rampart.invalid']) {
      assert.ok(peer.subjectAltName?.includes(name), name);
    }
  });

  it('CONNECT to any other host, port or address is 403 with the reason, and no tunnel', async () => {
    const cases: [string, number, RegExp][] = [
      ['example.invalid:443', 403, /example\.invalid:443 is not one/],
      ['EXAMPLE.invalid.:443', 403, /example\.invalid:443 is not one/],
      ['127.0.0.1:9', 403, /is an IP address/],
      ['127.0.0.2:443', 403, /is an IP address/],
      ['[::1]:443', 403, /is an IP address/],
      ['api.securitycenter.microsoft.com:80', 403, /on port 443 only, not on 80/],
      ['login.microsoftonline.com:22', 403, /on port 443 only, not on 22/],
      ['user@example.invalid:443', 400, /not a host:port/],
      ['http://example.invalid/', 400, /not a host:port/],
    ];
    for (const [target, status, reason] of cases) {
      const { reply, socket } = await sendToProxy(server.base, connectRequest(target));
      assert.equal(reply.status, status, target);
      assert.match(reply.body, reason, target);
      assert.match(reply.header('proxy-status') ?? '', /^rampart; error=/, target);
      assert.equal(reply.header('connection'), 'close', target);
      assert.ok(socket.destroyed || socket.readableEnded, `${target}: the connection is closed`);
      socket.destroy();
    }
  });

  it('absolute-form requests: intercepted hosts are served, anything else is refused', async () => {
    const token = await server.token();
    for (const [target, status] of [[`http://api.securitycenter.microsoft.com/api/machines/${REFERENCE_MACHINE.id}`, 200], [`https://api.security.microsoft.com/api/machines/${REFERENCE_MACHINE.id}`, 200], ['http://example.invalid/api/machines', 403], ['http://127.0.0.1:9/', 403], ['https://api.securitycenter.microsoft.com:8443/', 403]] as const) {
      const { reply, socket } = await sendToProxy(server.base, `GET ${target} HTTP/1.1\r\nHost: ${new URL(target).host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      assert.equal(reply.status, status, target);
      if (status === 200) assert.match(reply.body, new RegExp(`"@odata.context":"${new URL(target).protocol}//${new URL(target).host}/api/`));
    }
  });

  it('malformed CONNECT lines and garbage get an error or a closed socket, never a crash', async () => {
    const hostile = [
      'CONNECT\r\n\r\n',
      'CONNECT  HTTP/1.1\r\n\r\n',
      'CONNECT a b c HTTP/1.1\r\n\r\n',
      `CONNECT ${'a'.repeat(70_000)}:443 HTTP/1.1\r\n\r\n`,
      'CONNECT api.securitycenter.microsoft.com:443\0 HTTP/1.1\r\n\r\n',
      'CONNECT api.securitycenter.microsoft.com:99999 HTTP/1.1\r\nHost: x\r\n\r\n',
      'CONNECT :443 HTTP/1.1\r\nHost: x\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]),
      'CONNECT api.securitycenter.microsoft.com:443 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    ];
    for (const bytes of hostile) {
      const { reply, socket } = await sendToProxy(server.base, bytes);
      socket.destroy();
      assert.ok(reply.status === 0 || reply.status === 200 || (reply.status >= 400 && reply.status < 500), `${String(bytes).slice(0, 60)} -> ${reply.head.slice(0, 80)}`);
    }
    assert.equal((await call(`${server.base}/healthz`)).status, 200);
  });

  it('a TLS handshake that never finishes and a client that does not trust the CA do not disturb anyone', async () => {
    const stalled = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
    assert.equal(stalled.reply.status, 200);
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01])); // the first bytes of a ClientHello, then nothing
    const untrusting = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
    await assert.rejects(startTls(untrusting.socket, 'api.securitycenter.microsoft.com', undefined), /self-signed|unable to (get|verify)|certificate/i);
    const token = await tokenViaProxy();
    const response = await viaProxy(`${API}/api/machines/${REFERENCE_MACHINE.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal((await call(`${server.base}/healthz`)).status, 200);
    stalled.socket.destroy();
    untrusting.socket.destroy();
  });

  it('an HTTP/1.1 request over a tunnel is answered by Rampart itself, with the Host it named', async () => {
    const { reply, socket } = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
    assert.equal(reply.status, 200);
    const tls = await startTls(socket, 'api.securitycenter.microsoft.com', ca);
    const answer = await requestOver(tls, 'GET /api/machines HTTP/1.1\r\nHost: api.securitycenter.microsoft.com\r\nConnection: close\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /"code":"Unauthorized"/);
  });

  it('no route serves the CA private key', async () => {
    for (const path of ['/ca-key.pem', '/ca.pem', '/data/ca-key.pem', '/console/../ca-key.pem', '/docs/static/../../ca-key.pem', '/admin/ca']) {
      const text = await (await call(`${server.base}${path}`)).text();
      assert.doesNotMatch(text, /PRIVATE KEY/, path);
    }
  });
});

describe('forward proxy limits and switches', () => {
  it('holds at most maxTunnels tunnels at once (503 beyond), and frees a place when one closes', async () => {
    const server = await startTestServer({}, undefined, { maxTunnels: 2, handshakeTimeoutMs: 10_000, idleTimeoutMs: 10_000 });
    try {
      const first = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
      const second = await sendToProxy(server.base, connectRequest('login.microsoftonline.com:443'));
      assert.deepEqual([first.reply.status, second.reply.status], [200, 200]);
      const third = await sendToProxy(server.base, connectRequest('api.security.microsoft.com:443'));
      assert.equal(third.reply.status, 503);
      assert.match(third.reply.body, /holds 2 tunnels already/);
      third.socket.destroy();
      await new Promise<void>((resolve) => {
        first.socket.once('close', () => resolve());
        first.socket.destroy();
      });
      let fourth = await sendToProxy(server.base, connectRequest('api.security.microsoft.com:443'));
      // The server may see the close a moment after the client: ask again (bounded) rather than time it.
      for (let tries = 0; fourth.reply.status === 503 && tries < 50; tries += 1) {
        fourth.socket.destroy();
        await new Promise((resolve) => setImmediate(resolve));
        fourth = await sendToProxy(server.base, connectRequest('api.security.microsoft.com:443'));
      }
      assert.equal(fourth.reply.status, 200);
      second.socket.destroy();
      fourth.socket.destroy();
      assert.equal((await call(`${server.base}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('a handshake that stalls is dropped by the server after its time-out', async () => {
    const server = await startTestServer({}, undefined, { maxTunnels: 8, handshakeTimeoutMs: 200, idleTimeoutMs: 200 });
    try {
      const stalled = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
      assert.equal(stalled.reply.status, 200);
      // Waits for the server to close it (bounded, so a server that never does fails rather than hangs).
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error('the server kept a stalled handshake open')), 10_000);
        const done = () => {
          clearTimeout(deadline);
          resolve();
        };
        if (stalled.socket.destroyed) done();
        else stalled.socket.once('close', done);
      });
      assert.equal((await call(`${server.base}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('a CA it cannot read is a 503 that says so (never a half-open tunnel), and is tried again on the next CONNECT', async () => {
    const server = await startTestServer();
    try {
      if (server.app.config.store?.startsWith('postgres')) return; // the CA is in the database there: net-ca.test.ts
      writeFileSync(join(server.dataDir, 'ca-key.pem'), 'damaged', { mode: 0o600 });
      const refused = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
      refused.socket.destroy();
      assert.equal(refused.reply.status, 503);
      assert.match(refused.reply.body, /could not prepare its certificate/);
      rmSync(join(server.dataDir, 'ca-key.pem'));
      const accepted = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
      accepted.socket.destroy();
      assert.equal(accepted.reply.status, 200);
    } finally {
      await server.close();
    }
  });

  it('--no-proxy refuses every CONNECT and absolute-form request with the reason', async () => {
    const server = await startTestServer({ proxy: false });
    try {
      const { reply, socket } = await sendToProxy(server.base, connectRequest('api.securitycenter.microsoft.com:443'));
      socket.destroy();
      assert.equal(reply.status, 403);
      assert.match(reply.body, /forward proxy is off \(--no-proxy\)/);
      const absolute = await sendToProxy(server.base, 'GET http://api.securitycenter.microsoft.com/healthz HTTP/1.1\r\nHost: api.securitycenter.microsoft.com\r\n\r\n');
      absolute.socket.destroy();
      assert.equal(absolute.reply.status, 403);
      assert.equal((await call(`${server.base}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });
});
