import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { killAll, makeDataDir, runCli, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';
import { foreignKey, MDE_RESOURCE, sign, type ForeignKey } from './helpers/tokens.js';

/**
 * The identity settings as an operator gives them: `rampart serve` flags and environment
 * variables, in a real process. Each flag must mean what its environment variable means.
 */
const TENANT = 'c1c1c1c1-0000-4000-8000-00000000000c';
const CLIENT = { clientId: 'c1c1c1c1-0000-4000-8000-0000000000a1', clientSecret: 'cli-tenant-secret' };
const OTHER_TENANT = 'a2a2a2a2-0000-4000-8000-00000000000a';
const KID = 'cli-entra-kid';
/** Start-up of a tsx process can be slow on a loaded machine. */
const READY_MS = 60_000;

// Each test starts its own processes on its own data folder: two at a time is enough on a small machine.
describe('identity settings on the command line', () => {
  let dir: string;
  let goodFile: string;
  let badFile: string;
  let jwksFile: string;
  let entra: ForeignKey;
  before(async () => {
    dir = await makeDataDir();
    goodFile = join(dir, 'tenant.yaml');
    badFile = join(dir, 'bad.json');
    jwksFile = join(dir, 'jwks.json');
    await writeFile(goodFile, `id: ${TENANT}\nname: CLI tenant\napplications:\n  - clientId: ${CLIENT.clientId}\n    name: cli app\n    secret: ${CLIENT.clientSecret}\n    applicationPermissions: [Machine.Read.All]\n`);
    await writeFile(badFile, JSON.stringify({ id: TENANT, name: 'x', colour: 'blue' }));
    entra = await foreignKey('RS256', KID);
    await writeFile(jwksFile, JSON.stringify({ keys: [entra.publicJwk] }));
  });
  after(() => killAll());

  const tenantToken = async (server: ServerProcess) => {
    const response = await call(`${server.base}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, scope: `${MDE_RESOURCE}/.default` }),
    });
    return response.status;
  };
  const entraToken = () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: MDE_RESOURCE, iss: `https://sts.windows.net/${DEMO_TENANT_ID}/`, iat: now, nbf: now, exp: now + 3600, appid: randomUUID(), roles: ['Machine.Read.All'], tid: DEMO_TENANT_ID, oid: randomUUID() };
    return sign(claims, { alg: 'RS256', typ: 'JWT', kid: KID }, entra.privateKey);
  };
  const getReference = async (server: ServerProcess, token: string) =>
    (await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('RAMPART_TENANT_FILES applies a tenant file at start (positive control)', async () => {
    const server = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), env: { RAMPART_TENANT_FILES: goodFile } });
    assert.equal(await tenantToken(server), 200);
    await server.kill();
  });

  it('RAMPART_TENANT_FILES with a bad file stops start-up with one line naming the file and the field', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', await makeDataDir()], { env: { RAMPART_TENANT_FILES: badFile }, timeoutMs: 20_000 });
    assert.equal(result.timedOut, false, 'the server started anyway');
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.ok(result.stderr.includes(`tenant file ${badFile}: /colour`), result.stderr);
  });

  it('--tenant-file applies a tenant file at start', async () => {
    const server = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), args: ['--tenant-file', goodFile] });
    try {
      assert.equal(await tenantToken(server), 200);
    } finally {
      await server.kill();
    }
  });

  it('--tenant-file with a bad file stops start-up', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', await makeDataDir(), '--tenant-file', badFile], { timeoutMs: 90_000 });
    assert.equal(result.timedOut, false, 'the server started anyway');
    assert.notEqual(result.code, 0);
  });

  it('RAMPART_TRUST_TENANTS restricts the external authority (positive control)', async () => {
    const trust = { RAMPART_TRUST_ISSUER: 'https://sts.windows.net/{tenant}/', RAMPART_TRUST_JWKS: jwksFile };
    const open = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), env: trust });
    assert.equal(await getReference(open, await entraToken()), 200);
    await open.kill();
    const scoped = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), env: { ...trust, RAMPART_TRUST_TENANTS: OTHER_TENANT } });
    assert.equal(await getReference(scoped, await entraToken()), 401);
    await scoped.kill();
  });

  it('--trust-tenant restricts the external authority', async () => {
    const args = ['--trust-issuer', 'https://sts.windows.net/{tenant}/', '--trust-jwks', jwksFile, '--trust-tenant', OTHER_TENANT];
    const server = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), args });
    try {
      assert.equal(await getReference(server, await entraToken()), 401);
    } finally {
      await server.kill();
    }
  });

  it('--trust-audience replaces the accepted audiences', async () => {
    const args = ['--trust-issuer', 'https://sts.windows.net/{tenant}/', '--trust-jwks', jwksFile, '--trust-audience', 'api://only-this'];
    const server = await startServer({ readyTimeoutMs: READY_MS, dataDir: await makeDataDir(), args });
    try {
      assert.equal(await getReference(server, await entraToken()), 401);
    } finally {
      await server.kill();
    }
  });
});
