import assert from 'node:assert/strict';
import { createPublicKey, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_READONLY_APP, DEMO_TENANT_ID, DEMO_USERS, REFERENCE_MACHINE } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import {
  appClaims, appToken, b64url, foreignKey, nowSeconds, serverKid, sign, signWithServerKey, tamper, unsigned, userToken,
} from './helpers/tokens.js';
import { assertEnvelope, expectEntity, expectError, rawRequest, replyOf, type WireReply } from './helpers/wire.js';

/**
 * Every token a hostile caller might present is refused with 401, the MDE envelope and a
 * `WWW-Authenticate: Bearer error="invalid_token"` header, on a read and on a write, and none of
 * them changes the reference machine. Claim-level cases are signed with the server's REAL key.
 */
const TENANT_B = 'b0b0b0b0-0000-4000-8000-00000000000b';
const APP_B = { clientId: 'b0b0b0b0-0000-4000-8000-0000000000a1', clientSecret: 'tenant-b-secret-1' };
const MACHINE = `/api/machines/${REFERENCE_MACHINE.id}`;

describe('hostile tokens', () => {
  // A whole second, so "exp exactly now" is exact.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  let server: TestServer;
  let good: string;
  let readOnly: string;
  let valueBefore: unknown;
  let historyBefore: unknown;
  const url = (path: string) => `${server.base}${path}`;
  const admin = (method: string, path: string, body?: unknown) =>
    call(url(`/admin${path}`), { method, headers: { authorization: `Bearer ${server.app.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  before(async () => {
    server = await startTestServer({}, clock);
    good = await appToken(server.base);
    readOnly = await appToken(server.base, DEMO_READONLY_APP);
    const machine = await expectEntity(await call(url(MACHINE), { headers: { authorization: `Bearer ${good}` } }));
    valueBefore = machine.deviceValue;
    historyBefore = await server.app.machines.history(DEMO_TENANT_ID, REFERENCE_MACHINE.id);
    const put = await admin('PUT', `/tenants/${TENANT_B}`, {
      name: 'Tenant B',
      applications: [{ clientId: APP_B.clientId, name: 'B app', secret: APP_B.clientSecret, applicationPermissions: ['Machine.Read.All', 'Machine.ReadWrite.All'] }],
    });
    assert.equal(put.status, 200, await put.text());
  });
  after(() => server.close());

  const now = () => nowSeconds(server.app);
  const claims = (overrides: Record<string, unknown> = {}) => appClaims(server.app, overrides);
  const real = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => signWithServerKey(server.app, claims(overrides), header);
  const withServerKid = async (alg: string) => {
    const key = await foreignKey(alg);
    return sign(claims(), { alg, typ: 'JWT', kid: serverKid(server.app) }, key.privateKey);
  };
  const serverPublicJwk = () => server.app.keys.jwks().keys.find((k) => k.kid === serverKid(server.app));
  const hs256 = (secret: string) => sign(claims(), { alg: 'HS256', typ: 'JWT', kid: serverKid(server.app) }, new TextEncoder().encode(secret));
  const junkTenant = (junk: string) => real({ tid: `${DEMO_TENANT_ID}${junk}`, iss: `${server.app.config.issuer}/${DEMO_TENANT_ID}${junk}/` });
  const bearer = async (token: string | Promise<string>) => `Bearer ${await token}`;

  const [SCHEME, MALFORMED, ALG, SIG, KID, ISS, AUD] = [/Bearer scheme/, /well-formed/, /signed with RS256/, /signature is invalid/, /unknown key/, /iss claim/, /aud claim/];
  /** Each case: the whole Authorization header (undefined: none), and the reason it must be refused for. */
  const cases: [string, RegExp, () => Promise<string | undefined>][] = [
    ['no Authorization header', /No bearer token/, async () => undefined],
    ['Basic scheme with the demo app credentials', SCHEME, async () => `Basic ${Buffer.from(`${DEMO_APP.clientId}:${DEMO_APP.clientSecret}`).toString('base64')}`],
    ['Token scheme', SCHEME, async () => `Token ${good}`],
    ['Bearer with two tokens', SCHEME, async () => `Bearer ${good} ${good}`],
    ['empty Bearer', SCHEME, async () => 'Bearer '],
    ['Bearer with no space or token', SCHEME, async () => 'Bearer'],
    ['the token without a scheme', SCHEME, async () => good],
    ['garbage', MALFORMED, async () => 'Bearer not-a-jwt-at-all'],
    ['a two-part JWT', MALFORMED, async () => bearer(good.split('.').slice(0, 2).join('.'))],
    ['a four-part JWT', MALFORMED, async () => bearer(`${good}.${good.split('.')[2]}`)],
    ['a JWE-looking five-part token', MALFORMED, async () => bearer(`${b64url({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.${b64url('k')}.${b64url('iv')}.${b64url('ct')}.${b64url('tag')}`)],
    ['alg none, unsigned', ALG, async () => bearer(unsigned(claims()))],
    ['alg none header on a real token, signature dropped', ALG, async () => bearer(`${tamper(good, 0, (h) => ({ ...h, alg: 'none' })).split('.').slice(0, 2).join('.')}.`)],
    ['HS256 keyed with the public key PEM', ALG, async () => bearer(hs256(createPublicKey({ key: serverPublicJwk() as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()))],
    ['HS256 keyed with the public JWK', ALG, async () => bearer(hs256(JSON.stringify(serverPublicJwk())))],
    ['RS256 by another key with the same kid', SIG, async () => bearer(withServerKid('RS256'))],
    ['RS512 (same kid, another key)', ALG, async () => bearer(withServerKid('RS512'))],
    ['PS256 (same kid, another key)', ALG, async () => bearer(withServerKid('PS256'))],
    ['ES256 (same kid, another key)', ALG, async () => bearer(withServerKid('ES256'))],
    ['tampered payload: read-only app given Machine.ReadWrite.All', SIG, async () => bearer(tamper(readOnly, 1, (p) => ({ ...p, roles: ['Machine.Read.All', 'Machine.ReadWrite.All'] })))],
    ['tampered header, signature kept', SIG, async () => bearer(tamper(good, 0, (h) => ({ ...h, typ: 'at+jwt' })))],
    ['unknown kid', KID, async () => bearer(sign(claims(), { alg: 'RS256', kid: randomUUID() }, (await foreignKey()).privateKey))],
    ['injection in kid', KID, async () => bearer(real({}, { kid: "' OR 1=1 --/../../etc/passwd" }))],
    ['no kid (signed with the real key)', KID, async () => bearer(real({}, { kid: undefined }))],
    ['a foreign key embedded as jwk in the header', SIG, async () => {
      const key = await foreignKey();
      return bearer(sign(claims(), { alg: 'RS256', kid: serverKid(server.app), jwk: key.publicJwk }, key.privateKey));
    }],
    ['a foreign key offered by jku', KID, async () => bearer(sign(claims(), { alg: 'RS256', kid: randomUUID(), jku: 'http://127.0.0.1:9/keys' }, (await foreignKey()).privateKey))],
    ['a crit header naming an unknown extension', /could not be verified/, async () => bearer(real({ 'x-ext': 1 }, { crit: ['x-ext'], 'x-ext': true }))],
    ['expired (exp in the past)', /expired/, async () => bearer(real({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 60 }))],
    ['exp exactly now', /expired/, async () => bearer(real({ iat: now() - 3600, nbf: now() - 3600, exp: now() }))],
    ['not yet valid (nbf in the future)', /nbf/, async () => bearer(real({ nbf: now() + 600 }))],
    ['missing exp', /exp claim/, async () => bearer(real({ exp: undefined }))],
    ['missing iat', /iat claim/, async () => bearer(real({ iat: undefined }))],
    ['missing tid', ISS, async () => bearer(real({ tid: undefined }))],
    ['wrong aud (graph.microsoft.com)', AUD, async () => bearer(real({ aud: 'https://graph.microsoft.com' }))],
    ['aud an array of wrong values only', AUD, async () => bearer(real({ aud: ['https://graph.microsoft.com', 'https://management.azure.com'] }))],
    ['wrong iss (sts.windows.net, no trust configured)', ISS, async () => bearer(real({ iss: `https://sts.windows.net/${DEMO_TENANT_ID}/` }))],
    ['iss of another served tenant (tid A, iss B)', ISS, async () => bearer(real({ iss: `${server.app.config.issuer}/${TENANT_B}/` }))],
    ['tid of another served tenant (tid B, iss A)', ISS, async () => bearer(real({ tid: TENANT_B }))],
    ['a tenant Rampart does not serve', /not served here/, async () => {
      const tid = randomUUID();
      return bearer(real({ tid, iss: `${server.app.config.issuer}/${tid}/` }));
    }],
    ['a tid with latin-1 junk (signed, iss to match)', /not served here/, async () => bearer(junkTenant('\u00e9\u00ff'))],
    ['roles AND scp in one token', /both roles and scp/, async () => bearer(real({ scp: 'Machine.ReadWrite', upn: DEMO_USERS.analyst.userPrincipalName }))],
    ['scp in an app-style token without oid', /missing scp or oid/, async () => bearer(real({ roles: undefined, oid: undefined, scp: 'Machine.Read Machine.ReadWrite' }))],
    ['no client application (appid/azp)', /no client application/, async () => bearer(real({ appid: undefined }))],
    ['a large (15 KiB) token signed by another key', SIG, async () => bearer(sign(claims({ pad: 'x'.repeat(11_000) }), { alg: 'RS256', kid: serverKid(server.app) }, (await foreignKey()).privateKey))],
    ['the admin key', MALFORMED, async () => `Bearer ${server.app.adminKey}`],
  ];

  const assertInvalidToken = (reply: WireReply, where: string, reason?: RegExp) => {
    assertEnvelope(reply, 401, 'Unauthorized', 'Authorization has been denied for this request.');
    const challenge = reply.header('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer error="invalid_token"/, `${where}: www-authenticate`);
    if (reason) assert.match(challenge, reason, `${where}: refused for another reason than expected`);
  };

  for (const [name, reason, authorization] of cases) {
    it(`refuses ${name}: 401 on GET and on setDeviceValue`, async () => {
      const header = await authorization();
      const headers: Record<string, string> = header === undefined ? {} : { authorization: header };
      assertInvalidToken(await replyOf(await call(url(MACHINE), { headers })), `GET ${name}`, reason);
      const write = await call(url(`${MACHINE}/setDeviceValue`), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ DeviceValue: valueBefore === 'High' ? 'Low' : 'High' }),
      });
      assertInvalidToken(await replyOf(write), `POST ${name}`, reason);
    });
  }
  assert.ok(cases.length >= 30);

  it('refuses a token with raw non-ASCII bytes in it (401, sent byte for byte)', async () => {
    const junk = `${good.slice(0, 40)}\u00ff\u00e9\u00a0${good.slice(40)}`;
    assertInvalidToken(await rawRequest(server.base, { method: 'GET', path: MACHINE, headers: { authorization: `Bearer ${junk}` } }), 'latin-1 junk');
  });

  it('a NUL byte in the Authorization header is refused by the HTTP parser: 400 BadRequest in the envelope', async () => {
    // Not 401: Node's parser rejects the request before any route runs (RFC 9110 forbids NUL in a field value).
    const { port } = new URL(server.base);
    const head = `GET ${MACHINE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${good.slice(0, 30)}`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head), Buffer.from([0]), Buffer.from(`${good.slice(30)}\r\n\r\n`)])));
      let text = '';
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
    assert.equal(body.error.code, 'BadRequest');
  });

  it('refuses a signed token whose tid holds NUL / control / non-latin-1 characters with 401', async () => {
    for (const junk of ['\u0000', '\r\n', '\u0007', '\u202e']) {
      const header = `Bearer ${await junkTenant(junk)}`;
      assertInvalidToken(await replyOf(await call(url(MACHINE), { headers: { authorization: header } })), JSON.stringify(junk));
    }
  });

  it('refuses an oversized token (> 16 KiB) with 401', async () => {
    const big = await real({ pad: 'x'.repeat(17_000) });
    assert.ok(big.length > 16 * 1024);
    assertInvalidToken(await replyOf(await call(url(MACHINE), { headers: { authorization: `Bearer ${big}` } })), 'oversized');
  });

  it('a token of tenant B cannot see tenant A\'s machine: 404 ResourceNotFound, as if missing', async () => {
    const tokenB = await appToken(server.base, APP_B, { tenant: TENANT_B });
    const notFound = `Machine ${REFERENCE_MACHINE.id} was not found`;
    await expectError(await call(url(MACHINE), { headers: { authorization: `Bearer ${tokenB}` } }), 404, 'ResourceNotFound', notFound);
    const write = await call(url(`${MACHINE}/setDeviceValue`), {
      method: 'POST', headers: { authorization: `Bearer ${tokenB}`, 'content-type': 'application/json' }, body: '{"DeviceValue":"High"}',
    });
    await expectError(write, 404, 'ResourceNotFound', notFound);
    const byName = await call(url(`/api/machines/${REFERENCE_MACHINE.computerDnsName}`), { headers: { authorization: `Bearer ${tokenB}` } });
    await expectError(byName, 404, 'ResourceNotFound');
  });

  it('accepts the lowercase "bearer" scheme (positive control)', async () => {
    await expectEntity(await call(url(MACHINE), { headers: { authorization: `bearer ${good}` } }));
    await expectEntity(await call(url(MACHINE), { headers: { authorization: `bearer ${await real()}` } }));
  });

  it('keeps accepting a token signed by a key rotated out (positive control)', async () => {
    const oldKid = serverKid(server.app);
    const signedByOld = await real(); // never used before the rotation, so not cached
    const issuedByOld = await userToken(server.base, DEMO_USERS.admin);
    const rotated = await call(url('/admin/keys/rotate'), { method: 'POST', headers: { authorization: `Bearer ${server.app.adminKey}` } });
    assert.equal(rotated.status, 200);
    assert.notEqual(serverKid(server.app), oldKid);
    await expectEntity(await call(url(MACHINE), { headers: { authorization: `Bearer ${signedByOld}` } }));
    await expectEntity(await call(url(MACHINE), { headers: { authorization: `Bearer ${issuedByOld}` } }));
  });

  it('refuses a cached token once the clock passes its exp', async () => {
    const token = await appToken(server.base);
    const start = clock.now();
    await expectEntity(await call(url(MACHINE), { headers: { authorization: `Bearer ${token}` } })); // now cached
    try {
      clock.advance(3600 * 1000);
      assertInvalidToken(await replyOf(await call(url(MACHINE), { headers: { authorization: `Bearer ${token}` } })), 'expired, cached');
      clock.advance(60 * 1000);
      assertInvalidToken(await replyOf(await call(url(MACHINE), { headers: { authorization: `Bearer ${token}` } })), 'expired, again');
    } finally {
      clock.set(start);
    }
  });

  it('left the reference machine exactly as it was', async () => {
    const machine = await expectEntity(await call(url(MACHINE), { headers: { authorization: `Bearer ${good}` } }));
    assert.equal(machine.deviceValue, valueBefore);
    assert.deepEqual(await server.app.machines.history(DEMO_TENANT_ID, REFERENCE_MACHINE.id), historyBefore);
  });
});
