/**
 * Links in answers (issue 14 item 2): @odata.context, @odata.nextLink, download links and the
 * discovery documents start with the configured public URL, or the address the connection reached;
 * never with a Host header a client (or anyone in between) made up. X-Forwarded-* count only with
 * --trust-proxy. The drop-in's Microsoft host names keep their links: drop-in-clients.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { Config } from '../src/config/settings.js';
import { ManualClock } from '../src/shared/clock.js';
import { actionClient, addMachine, type Json } from './helpers/actions.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { rawRequest } from './helpers/wire.js';
import { connectRequest, requestOver, sendToProxy, startTls } from './helpers/proxy.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ATTACKER = 'attacker.example';

/** A GET on its own connection with the headers given (Host included), parsed. */
async function getJson(server: TestServer, path: string, headers: Record<string, string>, token?: string): Promise<Json> {
  const reply = await rawRequest(server.base, { method: 'GET', path, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  assert.equal(reply.status, 200, reply.text);
  return JSON.parse(reply.text) as Json;
}

/** Every string in a JSON document that looks like an absolute URL. */
function absoluteUrls(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(absoluteUrls);
  if (value && typeof value === 'object') return Object.values(value).flatMap(absoluteUrls);
  return [];
}

function withServer(overrides: Partial<Config>, body: (ctx: { server: () => TestServer; token: () => string; clock: ManualClock }) => void) {
  return () => {
    let server: TestServer;
    let token: string;
    const clock = new ManualClock(Date.now());
    before(async () => {
      server = await startTestServer({ pageSize: 5, ...overrides }, clock);
      token = await server.token();
    });
    after(() => server.close());
    body({ server: () => server, token: () => token, clock });
  };
}

describe('links with no --public-url: the address the connection reached', withServer({}, ({ server, token, clock }) => {
  it('Host: attacker.example never appears in @odata.context or @odata.nextLink', async () => {
    const list = await getJson(server(), '/api/machines', { host: ATTACKER }, token());
    assert.equal(list['@odata.context'], `${server().base}/api/$metadata#Machines`);
    assert.match(String(list['@odata.nextLink']), new RegExp(`^${server().base}/api/machines\\?`));
    const entity = await getJson(server(), `/api/machines/${REFERENCE_MACHINE.id}`, { host: ATTACKER }, token());
    assert.equal(entity['@odata.context'], `${server().base}/api/$metadata#Machines/$entity`);
  });

  it('the discovery documents do not take their endpoints from Host', async () => {
    for (const path of [`/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`, `/${DEMO_TENANT_ID}/.well-known/openid-configuration`]) {
      const document = await getJson(server(), path, { host: ATTACKER });
      const urls = absoluteUrls(document);
      assert.ok(urls.length > 0);
      for (const url of urls) assert.doesNotMatch(url, /attacker/, `${path}: ${url}`);
    }
  });

  it('download links do not take their host from Host', async () => {
    const api = actionClient(server().base, token());
    const machine = await addMachine(server().app);
    const created = await api.act(machine.id, 'runliveresponse', {
      Comment: 'links',
      Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect-triage.ps1' }] }],
    });
    clock.advance(60_000);
    assert.equal((await api.action(String(created.id))).status, 'Succeeded');
    const link = await getJson(server(), `/api/machineactions/${created.id}/GetLiveResponseResultDownloadLink(index=0)`, { host: ATTACKER }, token());
    assert.equal(link['@odata.context'], `${server().base}/api/$metadata#Edm.String`);
    assert.match(String(link.value), new RegExp(`^${server().base}/downloads/`));
  });

  it('X-Forwarded-Proto/Host are ignored without --trust-proxy', async () => {
    const list = await getJson(server(), '/api/machines', { host: ATTACKER, 'x-forwarded-host': ATTACKER, 'x-forwarded-proto': 'https' }, token());
    assert.equal(list['@odata.context'], `${server().base}/api/$metadata#Machines`);
  });

  it('through the proxy, a Microsoft name keeps its links and a made-up Host inside the tunnel does not get in', async () => {
    const MDE = 'api.securitycenter.microsoft.com';
    const viaTunnel = async (host: string): Promise<Json> => {
      const { reply, socket } = await sendToProxy(server().base, connectRequest(`${MDE}:443`));
      assert.equal(reply.status, 200);
      const tls = await startTls(socket, MDE, readFileSync(join(server().dataDir, 'ca.pem'), 'utf8'));
      const answer = await requestOver(tls, `GET /api/machines HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token()}\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 200 /);
      return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Json;
    };
    const called = await viaTunnel(MDE);
    assert.equal(called['@odata.context'], `https://${MDE}/api/$metadata#Machines`);
    assert.match(String(called['@odata.nextLink']), new RegExp(`^https://${MDE.replaceAll('.', '\\.')}/api/machines\\?`));
    const forged = await viaTunnel(ATTACKER);
    for (const url of absoluteUrls(forged)) assert.doesNotMatch(url, /attacker/);
  });

  it('a loopback name as Host is kept (a port mapping to this machine)', async () => {
    const list = await getJson(server(), '/api/machines', { host: 'localhost:8080' }, token());
    assert.equal(list['@odata.context'], 'http://localhost:8080/api/$metadata#Machines');
  });
}));

describe('links with --public-url', withServer({ publicUrl: 'https://rampart.example.com/mde' }, ({ server, token }) => {
  it('every link starts with the public URL, whatever Host or X-Forwarded-* say', async () => {
    const variants: Record<string, string>[] = [{ host: ATTACKER }, { host: 'localhost:8080' }, { host: ATTACKER, 'x-forwarded-host': 'other.example' }];
    for (const headers of variants) {
      const list = await getJson(server(), '/api/machines', headers, token());
      assert.equal(list['@odata.context'], 'https://rampart.example.com/mde/api/$metadata#Machines');
      assert.match(String(list['@odata.nextLink']), /^https:\/\/rampart\.example\.com\/mde\/api\/machines\?/);
    }
  });
}));

describe('links with --trust-proxy', withServer({ trustProxy: true }, ({ server, token }) => {
  it('follow the reverse proxy\'s X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const list = await getJson(server(), '/api/machines', { host: '10.0.0.5:4321', 'x-forwarded-host': 'mde.example.org', 'x-forwarded-proto': 'https' }, token());
    assert.equal(list['@odata.context'], 'https://mde.example.org/api/$metadata#Machines');
  });

  it('without X-Forwarded-* an untrusted Host is still not used', async () => {
    const list = await getJson(server(), '/api/machines', { host: ATTACKER }, token());
    assert.equal(list['@odata.context'], `${server().base}/api/$metadata#Machines`);
  });
}));
