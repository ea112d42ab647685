import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JWTPayload } from 'jose';
import { DEMO_TENANT_ID, DEMO_USERS, REFERENCE_MACHINE } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { appClaims, foreignKey, MDE_RESOURCE, sign, signWithServerKey, type ForeignKey } from './helpers/tokens.js';
import { expectEntity, expectError } from './helpers/wire.js';

/**
 * Trusting a real authority: tokens shaped like Entra ID's (iss https://sts.windows.net/<tid>/),
 * signed by a key published in a JWKS file or at a JWKS URL, are accepted; anything else is not.
 */
const ENTRA_ISSUER = 'https://sts.windows.net/{tenant}/';
const ENTRA_KID = 'entra-test-kid-1';
const EXTERNAL_APP = '5e1f0000-0000-4000-8000-00000000e1f0';
const OTHER_TENANT = 'a1a1a1a1-0000-4000-8000-00000000000a';
const CUSTOM_AUDIENCE = 'api://rampart-inventory';
const MACHINE = `/api/machines/${REFERENCE_MACHINE.id}`;

/** The claims of a v1 Entra ID application token for the Machine API. */
function entraClaims(tenant: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: MDE_RESOURCE,
    iss: `https://sts.windows.net/${tenant}/`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3540,
    aio: randomBytes(24).toString('base64url'),
    appid: EXTERNAL_APP,
    appidacr: '1',
    idp: `https://sts.windows.net/${tenant}/`,
    oid: randomUUID(),
    rh: randomBytes(16).toString('base64url'),
    roles: ['Machine.Read.All', 'Machine.ReadWrite.All'],
    sub: randomUUID(),
    tid: tenant,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
    ...overrides,
  };
}
const entraToken = (key: ForeignKey, claims: JWTPayload, kid = ENTRA_KID) => sign(claims, { alg: 'RS256', typ: 'JWT', kid, x5t: kid }, key.privateKey);
const getWith = (base: string, token: string, path = MACHINE) => call(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
const expect401 = async (response: Response) => {
  await expectError(response, 401, 'Unauthorized');
  assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
};

describe('trusting an external (Entra-like) authority', () => {
  let dir: string;
  let entra: ForeignKey;
  let impostor: ForeignKey;
  let jwksHttp: Server;
  let jwksHits = 0;
  let fileServer: TestServer;
  let urlServer: TestServer;
  let scopedServer: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-external-'));
    entra = await foreignKey('RS256', ENTRA_KID);
    impostor = await foreignKey('RS256', ENTRA_KID);
    const jwks = JSON.stringify({ keys: [entra.publicJwk] });
    const file = join(dir, 'jwks.json');
    await writeFile(file, jwks);
    jwksHttp = createServer((request, response) => {
      jwksHits++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => jwksHttp.listen(0, '127.0.0.1', resolve));
    const address = jwksHttp.address();
    assert.ok(address && typeof address === 'object');
    const small = { demoMachines: 10 };
    fileServer = await startTestServer({ ...small, trustIssuer: ENTRA_ISSUER, trustJwks: file });
    urlServer = await startTestServer({ ...small, trustIssuer: ENTRA_ISSUER, trustJwks: `http://127.0.0.1:${address.port}/common/discovery/keys` });
    scopedServer = await startTestServer({ ...small, trustIssuer: ENTRA_ISSUER, trustJwks: file, trustTenants: [OTHER_TENANT], trustAudiences: [CUSTOM_AUDIENCE] });
    const put = await call(`${scopedServer.base}/admin/tenants/${OTHER_TENANT}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${scopedServer.app.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Other' }),
    });
    assert.equal(put.status, 200);
  });
  after(async () => {
    await Promise.all([fileServer?.close(), urlServer?.close(), scopedServer?.close()]);
    jwksHttp.closeAllConnections();
    await new Promise((resolve) => jwksHttp.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  for (const form of ['file', 'URL'] as const) {
    const server = () => (form === 'file' ? fileServer : urlServer);

    it(`JWKS ${form}: an Entra-like application token is accepted (GET 200, write audited with its appid)`, async () => {
      const token = await entraToken(entra, entraClaims(DEMO_TENANT_ID));
      const machine = await expectEntity(await getWith(server().base, token));
      const next = machine.deviceValue === 'High' ? 'Low' : 'High';
      const write = await call(`${server().base}${MACHINE}/setDeviceValue`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ DeviceValue: next }),
      });
      assert.equal((await expectEntity(write)).deviceValue, next);
      const [latest] = await server().app.machines.history(DEMO_TENANT_ID, REFERENCE_MACHINE.id, 1);
      assert.equal(latest?.appId, EXTERNAL_APP);
      await expectEntity(await getWith(server().base, await server().token())); // the built-in authority still works
    });

    it(`JWKS ${form}: wrong key, unknown kid, wrong aud, expired, unserved tenant, crossed authorities: 401`, async () => {
      const unserved = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const tokens = [
        await entraToken(impostor, entraClaims(DEMO_TENANT_ID)),
        await entraToken(entra, entraClaims(DEMO_TENANT_ID), 'entra-unknown-kid'),
        await entraToken(entra, entraClaims(DEMO_TENANT_ID, { aud: 'https://graph.microsoft.com' })),
        await entraToken(entra, entraClaims(DEMO_TENANT_ID, { iat: now - 7200, nbf: now - 7200, exp: now - 30 })),
        await entraToken(entra, entraClaims(unserved, { iss: `https://sts.windows.net/${unserved}/` })),
        await entraToken(entra, entraClaims(DEMO_TENANT_ID, { iss: `https://sts.windows.net/${OTHER_TENANT}/` })),
        // The built-in issuer with the external key, and the external issuer with the built-in key.
        await entraToken(entra, appClaims(server().app)),
        await signWithServerKey(server().app, entraClaims(DEMO_TENANT_ID)),
      ];
      for (const token of tokens) await expect401(await getWith(server().base, token));
    });

    it(`JWKS ${form}: delegated Entra-like tokens map to Rampart's users by oid`, async () => {
      const doc = await server().app.tenants.document(DEMO_TENANT_ID);
      const oid = (upn: string) => doc?.users?.find((u) => u.userPrincipalName === upn)?.id;
      // undefined claims are left out of the JSON: these tokens carry scp and no roles.
      const delegated = (upn: string | undefined, scp: string) =>
        entraToken(entra, entraClaims(DEMO_TENANT_ID, { roles: undefined, scp, oid: upn ? oid(upn) : randomUUID(), upn }));
      await expectEntity(await getWith(server().base, await delegated(DEMO_USERS.admin.userPrincipalName, 'Machine.Read')));
      const analyst = await delegated(DEMO_USERS.analyst.userPrincipalName, 'Machine.ReadWrite');
      const write = await call(`${server().base}${MACHINE}/setDeviceValue`, {
        method: 'POST', headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' }, body: '{"DeviceValue":"High"}',
      });
      await expectError(write, 403, 'Forbidden', 'The user does not have any of the required role permissions (Manage security setting) to access the resource.');
      // A user Rampart does not know holds no role: not even View data.
      await expectError(await getWith(server().base, await delegated(undefined, 'Machine.Read')), 403, 'Forbidden', /View data/);
    });
  }

  it('the JWKS URL was fetched, not the file', () => {
    assert.ok(jwksHits >= 1, `JWKS fetched ${jwksHits} times`);
  });

  it('trustTenants and trustAudiences restrict what the external authority may speak for', async () => {
    const base = scopedServer.base;
    const missing = `/api/machines/${'f'.repeat(40)}`;
    // The other tenant with the configured audience: authenticated (its fleet is empty: 404).
    await expectError(await getWith(base, await entraToken(entra, entraClaims(OTHER_TENANT, { aud: CUSTOM_AUDIENCE })), missing), 404, 'ResourceNotFound');
    // The demo tenant is not among trustTenants, whatever the audience.
    await expect401(await getWith(base, await entraToken(entra, entraClaims(DEMO_TENANT_ID, { aud: CUSTOM_AUDIENCE }))));
    await expect401(await getWith(base, await entraToken(entra, entraClaims(DEMO_TENANT_ID))));
    // The Machine API audience is not among trustAudiences.
    await expect401(await getWith(base, await entraToken(entra, entraClaims(OTHER_TENANT)), missing));
    // The built-in authority is not restricted by either.
    await expectEntity(await getWith(base, await scopedServer.token()));
  });
});
