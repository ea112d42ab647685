import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { MACHINE_API_RESOURCES } from '../src/auth/resources.js';
import { DEMO_APP, DEMO_READONLY_APP, DEMO_TENANT_ID } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';

describe('built-in authority (client credentials)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    call(`${server.base}${path}`, { method: 'POST', body: new URLSearchParams(form), headers });
  const v2 = `/${DEMO_TENANT_ID}/oauth2/v2.0/token`;
  const v1 = `/${DEMO_TENANT_ID}/oauth2/token`;
  const creds = { grant_type: 'client_credentials', client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret };

  it('v2 issues a one-hour RS256 token shaped like an MDE token', async () => {
    const response = await post(v2, { ...creds, scope: 'https://api.securitycenter.microsoft.com/.default' });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['token_type', 'expires_in', 'ext_expires_in', 'access_token']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    const token = String(body.access_token);
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
    const claims = decodeJwt(token);
    assert.equal(claims.aud, 'https://api.securitycenter.microsoft.com');
    assert.equal(claims.iss, `${server.app.config.issuer}/${DEMO_TENANT_ID}/`);
    assert.equal(claims.tid, DEMO_TENANT_ID);
    assert.equal(claims.appid, DEMO_APP.clientId);
    assert.deepEqual(claims.roles, [...DEMO_APP.roles]);
    assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
    assert.equal(claims.scp, undefined);
  });

  it('v1 takes resource= and answers numbers as strings', async () => {
    const response = await post(v1, { ...creds, resource: 'https://api.securitycenter.windows.com' });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.expires_in, '3599');
    assert.equal(body.resource, 'https://api.securitycenter.windows.com');
    assert.equal(typeof body.expires_on, 'string');
    assert.equal(decodeJwt(String(body.access_token)).aud, 'https://api.securitycenter.windows.com');
  });

  it('accepts the client secret in HTTP Basic', async () => {
    const basic = Buffer.from(`${DEMO_READONLY_APP.clientId}:${DEMO_READONLY_APP.clientSecret}`).toString('base64');
    const response = await post(v2, { grant_type: 'client_credentials', scope: 'https://securitycenter.onmicrosoft.com/windowsatpservice/.default' }, { authorization: `Basic ${basic}` });
    assert.equal(response.status, 200);
    const claims = decodeJwt(String(((await response.json()) as Record<string, unknown>).access_token));
    assert.deepEqual(claims.roles, ['Machine.Read.All']);
    assert.equal(claims.aud, 'https://securitycenter.onmicrosoft.com/windowsatpservice');
  });

  const cases: [string, string, Record<string, string>, number, string, number][] = [
    ['unknown tenant', `/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token`, { ...creds, scope: 'https://api.securitycenter.microsoft.com/.default' }, 400, 'invalid_request', 90002],
    ['wrong secret', v2, { ...creds, client_secret: 'nope', scope: 'https://api.securitycenter.microsoft.com/.default' }, 401, 'invalid_client', 7000215],
    ['no secret', v2, { grant_type: 'client_credentials', client_id: DEMO_APP.clientId, scope: 'https://api.securitycenter.microsoft.com/.default' }, 401, 'invalid_client', 7000218],
    ['unknown client', v2, { ...creds, client_id: '11111111-1111-1111-1111-111111111111', scope: 'https://api.securitycenter.microsoft.com/.default' }, 400, 'unauthorized_client', 700016],
    ['scope without /.default', v2, { ...creds, scope: 'https://api.securitycenter.microsoft.com/Machine.Read.All' }, 400, 'invalid_scope', 1002012],
    ['scope of another resource', v2, { ...creds, scope: 'https://graph.microsoft.com/.default' }, 400, 'invalid_resource', 500011],
    ['unknown v1 resource', v1, { ...creds, resource: 'https://graph.microsoft.com' }, 400, 'invalid_resource', 500011],
    ['unsupported grant', v2, { ...creds, grant_type: 'authorization_code', scope: 'https://api.securitycenter.microsoft.com/.default' }, 400, 'unsupported_grant_type', 70003],
    ['missing grant', v2, { client_id: DEMO_APP.clientId }, 400, 'invalid_request', 900144],
  ];
  for (const [name, path, form, status, error, code] of cases) {
    it(`answers ${name} as Entra does (${status} ${error})`, async () => {
      const response = await post(path, form);
      assert.equal(response.status, status);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(String(body.error_description), new RegExp(`^AADSTS${code}: `));
      assert.equal(body.access_token, undefined);
    });
  }

  it('accepts every resource form of the API (regional, legacy, government, the app id) and issues aud as requested', async () => {
    for (const resource of MACHINE_API_RESOURCES) {
      const v2Body = (await (await post(v2, { ...creds, scope: `${resource}/.default` })).json()) as Record<string, unknown>;
      const v1Body = (await (await post(v1, { ...creds, resource: `${resource.toUpperCase()}/` })).json()) as Record<string, unknown>;
      for (const body of [v2Body, v1Body]) {
        const token = String(body.access_token);
        assert.equal(decodeJwt(token).aud, resource, resource);
        const machine = await call(`${server.base}/api/machines/mymachine1.contoso.com`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(machine.status, 200, `${resource}: ${await machine.text()}`);
      }
      assert.equal(v1Body.resource, resource);
    }
    assert.ok(MACHINE_API_RESOURCES.includes('https://api-eu.securitycenter.microsoft.com'));
    assert.ok(MACHINE_API_RESOURCES.includes('https://eu.api.security.microsoft.com'));
    assert.ok(MACHINE_API_RESOURCES.includes('https://api-us.securitycenter.windows.com'));
  });

  it('answers MSAL\'s instance discovery in Entra\'s shape', async () => {
    const authorize = encodeURIComponent(`${server.base}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize`);
    const response = await call(`${server.base}/common/discovery/instance?api-version=1.1&authorization_endpoint=${authorize}`);
    assert.equal(response.status, 200);
    const host = new URL(server.base).host;
    assert.deepEqual(await response.json(), {
      tenant_discovery_endpoint: `${server.base}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] },
        { preferred_network: host, preferred_cache: host, aliases: [host] },
      ],
    });
    const bare = (await (await call(`${server.base}/common/discovery/instance?authorization_endpoint=%zz`)).json()) as Record<string, unknown>;
    assert.equal(bare.tenant_discovery_endpoint, `${server.base}/common/v2.0/.well-known/openid-configuration`);
  });

  it('publishes the signing keys as a JWKS', async () => {
    const response = await call(`${server.base}/${DEMO_TENANT_ID}/discovery/v2.0/keys`);
    assert.equal(response.status, 200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.kty, 'RSA');
    assert.equal(jwks.keys[0]?.d, undefined, 'no private part');
  });

  it('keeps accepting tokens signed by the previous key after a rotation', async () => {
    const token = await server.token();
    await server.app.keys.rotate();
    const response = await call(`${server.base}/api/machines/mymachine1.contoso.com`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const fresh = await server.token();
    assert.notEqual(decodeProtectedHeader(fresh).kid, decodeProtectedHeader(token).kid);
  });
});
