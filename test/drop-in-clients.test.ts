/**
 * Unmodified clients against Rampart (issue 12), each in a process of its own with nothing but a
 * proxy setting and the local CA (or, directly, Rampart's HTTPS address): Microsoft's msal-node and
 * @azure/identity, Debian's python3-requests and curl. Every process talks to 127.0.0.1 only: the
 * Node ones run with a guard that refuses any other lookup or connection, the Python one too, and
 * curl sends everything to the proxy (which never connects anywhere).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { DEMO_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { runClient, runNodeClient, skipWithoutTool, SYSTEM_PYTHON, CLIENTS, type ClientRun } from './helpers/clients.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';

const API = 'https://api.securitycenter.microsoft.com';
const SCOPE = `${API}/.default`;
const credentials = { CLIENT_ID: DEMO_APP.clientId, CLIENT_SECRET: DEMO_APP.clientSecret };

/** The client's JSON line, or a failure that shows what the client printed. */
function output(run: ClientRun): Record<string, unknown> {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr.slice(-2000)}\n${run.stdout.slice(-500)}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('unmodified clients through the proxy and over HTTPS', () => {
  let server: TestServer;
  let ca: string;
  let proxyEnv: Record<string, string>;
  before(async () => {
    server = await startTestServer({ tls: true });
    ca = join(server.dataDir, 'ca.pem');
    // What a user sets, and nothing else: the proxy, and trust in one CA. NO_PROXY keeps the
    // loopback itself off the proxy, as it should be on any machine.
    proxyEnv = { HTTPS_PROXY: server.base, HTTP_PROXY: server.base, NO_PROXY: '127.0.0.1,localhost', NODE_EXTRA_CA_CERTS: ca };
  });
  after(() => server.close());

  /** The token works on Rampart's API whatever route it came by, and says what Entra would. */
  const assertUsable = async (accessToken: unknown, audience = API) => {
    const claims = decodeJwt(String(accessToken));
    assert.equal(claims.aud, audience);
    assert.equal(claims.tid, DEMO_TENANT_ID);
    assert.equal(claims.iss, `${server.app.config.issuer}/${DEMO_TENANT_ID}/`);
    const response = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}`, { headers: { authorization: `Bearer ${String(accessToken)}` } });
    assert.equal(response.status, 200);
  };

  it('msal-node: acquireTokenByClientCredential as login.microsoftonline.com through the proxy, then setDeviceValue', async () => {
    const result = output(
      await runNodeClient('msal-node.mjs', {
        ...credentials,
        ...proxyEnv,
        AUTHORITY: `https://login.microsoftonline.com/${DEMO_TENANT_ID}`,
        SCOPE,
        API,
        MACHINE: REFERENCE_MACHINE.id,
      }),
    );
    await assertUsable(result.accessToken);
    assert.equal(result.status, 200);
    const body = result.body as Record<string, unknown>;
    assert.equal(body['@odata.context'], `${API}/api/$metadata#Machines/$entity`);
    assert.equal(body.deviceValue, 'Low');
  });

  it('msal-node: directly from https://127.0.0.1:<port>/<tenant>, with knownAuthorities', async () => {
    const httpsBase = server.httpsBase ?? '';
    const result = output(
      await runNodeClient('msal-node.mjs', {
        ...credentials,
        NODE_EXTRA_CA_CERTS: ca,
        AUTHORITY: `${httpsBase}/${DEMO_TENANT_ID}`,
        KNOWN_AUTHORITY: httpsBase,
        SCOPE: 'https://api-eu.securitycenter.microsoft.com/.default',
        API: httpsBase,
        MACHINE: REFERENCE_MACHINE.computerDnsName,
      }),
    );
    await assertUsable(result.accessToken, 'https://api-eu.securitycenter.microsoft.com');
    assert.equal(result.status, 200);
    assert.equal((result.body as Record<string, unknown>)['@odata.context'], `${httpsBase}/api/$metadata#Machines/$entity`);
  });

  it('@azure/identity: ClientSecretCredential with HTTPS_PROXY and the CA only', async () => {
    const result = output(await runNodeClient('azure-identity.mjs', { ...credentials, ...proxyEnv, TENANT: DEMO_TENANT_ID, SCOPE }));
    await assertUsable(result.accessToken);
  });

  it('@azure/identity: ClientSecretCredential directly over HTTPS (authorityHost, disableInstanceDiscovery)', async () => {
    const result = output(
      await runNodeClient('azure-identity.mjs', { ...credentials, NODE_EXTRA_CA_CERTS: ca, TENANT: DEMO_TENANT_ID, SCOPE: 'https://api.securitycenter.windows.com/.default', AUTHORITY_HOST: server.httpsBase ?? '' }),
    );
    await assertUsable(result.accessToken, 'https://api.securitycenter.windows.com');
  });

  const python = skipWithoutTool('python3-requests', [SYSTEM_PYTHON, '-c', 'import requests'], 'apt-get install -y python3-requests');
  it("Debian's python3-requests with HTTPS_PROXY and REQUESTS_CA_BUNDLE", { skip: python }, async () => {
    const result = output(
      await runClient(SYSTEM_PYTHON, [`${CLIENTS}requests_client.py`], { ...credentials, HTTPS_PROXY: server.base, NO_PROXY: '127.0.0.1,localhost', REQUESTS_CA_BUNDLE: ca, TENANT: DEMO_TENANT_ID, MACHINE: REFERENCE_MACHINE.id }),
    );
    await assertUsable(result.accessToken);
    assert.equal(result.status, 200);
    const body = result.body as Record<string, unknown>;
    assert.equal(body['@odata.context'], `${API}/api/$metadata#Machines/$entity`);
    assert.equal(body.deviceValue, 'High');
  });

  const curl = skipWithoutTool('curl', ['curl', '--version'], 'apt-get install -y curl');
  it('curl with --proxy and --cacert', { skip: curl }, async () => {
    const args = (url: string, ...more: string[]) => ['--silent', '--show-error', '--max-time', '10', '--noproxy', '', '--proxy', server.base, '--cacert', ca, ...more, url];
    const tokenRun = await runClient('curl', args(`https://login.microsoftonline.com/${DEMO_TENANT_ID}/oauth2/v2.0/token`, '-d', 'grant_type=client_credentials', '-d', `client_id=${DEMO_APP.clientId}`, '-d', `client_secret=${DEMO_APP.clientSecret}`, '-d', `scope=${SCOPE}`), {});
    const token = String(output(tokenRun).access_token);
    await assertUsable(token);
    const set = await runClient('curl', args(`${API}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, '-X', 'POST', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '-d', '{"DeviceValue":"Normal"}'), {});
    const body = output(set);
    assert.equal(body['@odata.context'], `${API}/api/$metadata#Machines/$entity`);
    assert.equal(body.deviceValue, 'Normal');
    // A host Rampart does not serve: curl reports the refused tunnel, and nothing was contacted.
    const refused = await runClient('curl', args('https://example.invalid/'), {});
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /403/);
    // Without the CA, curl refuses Rampart's certificate.
    const untrusted = await runClient('curl', ['--silent', '--show-error', '--max-time', '10', '--noproxy', '', '--proxy', server.base, '--cacert', '/dev/null', `${API}/api/machines`], {});
    assert.notEqual(untrusted.code, 0);
  });
});
