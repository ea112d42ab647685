import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createApp, type App } from '../src/app.js';
import { DEMO_USERS } from '../src/config/demo.js';
import { ConfigError, loadConfig } from '../src/config/load-config.js';
import { call } from './helpers/server.js';
import { appToken, userToken } from './helpers/tokens.js';
import { expectError } from './helpers/wire.js';

/** Tenant files (YAML and JSON, applied at start, idempotent, refused with one clear line) and the admin API. */
const YAML_TENANT = 'c0c0c0c0-0000-4000-8000-00000000000c';
const JSON_TENANT = 'd0d0d0d0-0000-4000-8000-00000000000d';
const YAML_APP = { clientId: 'c0c0c0c0-0000-4000-8000-0000000000a1', clientSecret: 'yaml-app-secret' };
const JSON_APP = { clientId: 'd0d0d0d0-0000-4000-8000-0000000000a1', clientSecret: 'json-app-secret' };
const ALICE = { userPrincipalName: 'alice@contoso.test', password: 'alice-password' };
const BOB = { userPrincipalName: 'bob@fabrikam.test', password: 'bob-password' };

const YAML_TEXT = `# A tenant as a team would write it
id: ${YAML_TENANT}
name: Contoso (YAML)
retentionDays: 90
applications:
  - clientId: ${YAML_APP.clientId}
    name: Contoso inventory sync
    secret: ${YAML_APP.clientSecret}
    applicationPermissions: [Machine.Read.All, Machine.ReadWrite.All]
    delegatedPermissions: [Machine.Read, Machine.ReadWrite]
users:
  - userPrincipalName: ${ALICE.userPrincipalName}
    displayName: Alice
    password: ${ALICE.password}
    userGroups: [soc]
roles:
  - name: SOC
    permissions: [View data, Manage security setting]
    userGroups: [soc]
deviceGroups:
  - id: 7
    name: Kiosks
    rank: 1
    rules: { tags: [Kiosk], osPlatforms: [Windows10, Windows11] }
    userGroups: [soc]
`;
const JSON_DOC = {
  id: JSON_TENANT,
  name: 'Fabrikam (JSON)',
  applications: [{ clientId: JSON_APP.clientId, name: 'Fabrikam reader', secret: JSON_APP.clientSecret, applicationPermissions: ['Machine.Read.All'], delegatedPermissions: ['Machine.Read'] }],
  users: [{ userPrincipalName: BOB.userPrincipalName, password: BOB.password, userGroups: ['readers'] }],
  roles: [{ name: 'Readers', permissions: ['View data'], userGroups: ['readers'] }],
};

interface Running {
  readonly app: App;
  readonly base: string;
  close(): Promise<void>;
}

/** Like startTestServer, on a data folder this file owns (kept across restarts, removed at the end). */
async function startOn(dataDir: string, tenantFiles: readonly string[]): Promise<Running> {
  const app = await createApp({ ...loadConfig({}, {}), dataDir, port: 0, logLevel: 'silent', demoMachines: 20, tenantFiles });
  const base = (await app.server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  return { app, base, close: () => app.close() };
}

describe('tenant files', () => {
  let root: string;
  let folder: string;
  let dataDir: string;
  let server: Running;
  const files = () => [join(folder, 'contoso.yaml'), join(folder, 'fabrikam.json')];
  const admin = (s: Running, path: string, init: RequestInit = {}) =>
    call(`${s.base}/admin${path}`, { ...init, headers: { authorization: `Bearer ${s.app.adminKey}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  const missing = 'f'.repeat(40);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'rampart-tenants-'));
    folder = join(root, 'tenants');
    dataDir = join(root, 'data');
    await mkdir(folder);
    await writeFile(join(folder, 'contoso.yaml'), YAML_TEXT);
    await writeFile(join(folder, 'fabrikam.json'), JSON.stringify(JSON_DOC, null, 2));
    server = await startOn(dataDir, files());
  });
  after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('a YAML and a JSON file create their tenants: apps get tokens, users get delegated tokens', async () => {
    for (const [tenant, client, user, scp] of [[YAML_TENANT, YAML_APP, ALICE, 'Machine.Read Machine.ReadWrite'], [JSON_TENANT, JSON_APP, BOB, 'Machine.Read']] as const) {
      const app = await appToken(server.base, client, { tenant });
      const v1 = await appToken(server.base, client, { tenant, version: 'v1' });
      const delegated = await userToken(server.base, user, { tenant, client });
      assert.equal(decodeJwt(app).tid, tenant);
      assert.equal(decodeJwt(delegated).scp, scp);
      assert.equal(decodeJwt(delegated).upn, user.userPrincipalName);
      // Past the token and permission checks, the tenant's (empty) fleet answers "not found".
      for (const token of [app, v1, delegated]) {
        await expectError(await call(`${server.base}/api/machines/${missing}`, { headers: { authorization: `Bearer ${token}` } }), 404, 'ResourceNotFound');
      }
    }
  });

  it('applying the same files again (as a folder, after a restart) changes nothing', async () => {
    const before = await Promise.all([YAML_TENANT, JSON_TENANT].map(async (t) => (await admin(server, `/tenants/${t}`)).json()));
    const token = await appToken(server.base, YAML_APP, { tenant: YAML_TENANT });
    await server.close();
    server = await startOn(dataDir, [folder]);
    const again = await Promise.all([YAML_TENANT, JSON_TENANT].map(async (t) => (await admin(server, `/tenants/${t}`)).json()));
    assert.deepEqual(again, before);
    const yaml = again[0] as { applications: { secretHash: string }[]; users: { passwordHash: string }[]; retentionDays: number };
    assert.match(yaml.applications[0]?.secretHash ?? '', /^scrypt:/);
    assert.match(yaml.users[0]?.passwordHash ?? '', /^scrypt:/);
    assert.equal(yaml.retentionDays, 90);
    assert.deepEqual(await server.app.tenants.apply((await import('../src/config/tenant-files.js')).readTenantFile(files()[0] ?? '')), { regrouped: 0 });
    assert.deepEqual(await (await admin(server, `/tenants/${YAML_TENANT}`)).json(), before[0]);
    await expectError(await call(`${server.base}/api/machines/${missing}`, { headers: { authorization: `Bearer ${token}` } }), 404, 'ResourceNotFound');
  });

  const base = JSON.parse(JSON.stringify(JSON_DOC)) as Record<string, unknown> & typeof JSON_DOC;
  const groups = [{ id: 1, name: 'one', rank: 1, rules: { tags: ['x'] } }, { id: 2, name: 'two', rank: 2, rules: { tags: ['y'] } }];
  const BAD: [string, string, string, RegExp][] = [
    ['unknown property', 'json', JSON.stringify({ ...base, colour: 'blue' }), /: \/colour: /],
    ['unknown nested property', 'yaml', YAML_TEXT.replace('    displayName: Alice', '    displayname: Alice'), /: \/users\/0\/displayname: /],
    ['bad permission name', 'json', JSON.stringify({ ...base, applications: [{ ...base.applications[0], applicationPermissions: ['Machine.Teleport'] }] }), /: \/applications\/0\/applicationPermissions\/0: /],
    ['bad role permission', 'yaml', YAML_TEXT.replace('[View data, Manage security setting]', '[View data, Root]'), /: \/roles\/0\/permissions\/1: /],
    ['bad GUID', 'json', JSON.stringify({ ...base, applications: [{ ...base.applications[0], clientId: 'not-a-guid' }] }), /: \/applications\/0\/clientId: /],
    ['bad tenant id', 'yaml', YAML_TEXT.replace(`id: ${YAML_TENANT}`, 'id: contoso'), /: \/id: /],
    ['YAML syntax', 'yaml', 'id: [\n  oops', /: .+/],
    ['duplicate rank', 'json', JSON.stringify({ ...base, deviceGroups: [groups[0], { ...groups[1], rank: 1 }] }), /: \/deviceGroups\/1\/rank: /],
  ];
  for (const [name, ext, text, pointer] of BAD) {
    it(`a bad file (${name}) stops start-up with one ConfigError line naming the file and the field`, async () => {
      const file = join(root, `bad-${name.replaceAll(' ', '-')}.${ext}`);
      await writeFile(file, text);
      const config = { ...loadConfig({}, {}), dataDir: join(root, `data-${name.replaceAll(' ', '-')}`), port: 0, logLevel: 'silent' as const, demoMachines: 10, tenantFiles: [file] };
      await assert.rejects(createApp(config), (error: Error) => {
        assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
        assert.doesNotMatch(error.message, /\n/);
        assert.ok(error.message.startsWith(`tenant file ${file}`), error.message);
        assert.match(error.message, pointer);
        return true;
      });
    });
  }

  it('an unknown property is reported as such', async () => {
    const file = join(root, 'colour.json');
    await writeFile(file, JSON.stringify({ ...base, colour: 'blue' }));
    const config = { ...loadConfig({}, {}), dataDir: join(root, 'data-colour'), port: 0, logLevel: 'silent' as const, demoMachines: 10, tenantFiles: [file] };
    await assert.rejects(createApp(config), /\/colour: unknown property 'colour'/);
  });

  describe('admin API', () => {
    const E = 'e0e0e0e0-0000-4000-8000-00000000000e';
    const E_APP = { clientId: 'e0e0e0e0-0000-4000-8000-0000000000a1', clientSecret: 'e-app-clear-secret' };
    const doc = {
      name: 'Tenant E',
      applications: [{ clientId: E_APP.clientId, name: 'E app', secret: E_APP.clientSecret, applicationPermissions: ['Machine.Read.All'] }],
      users: [{ userPrincipalName: 'eve@e.test', password: 'eve-clear-password', userGroups: ['g'] }],
      roles: [{ name: 'R', permissions: ['View data'], userGroups: ['g'] }],
    };
    const put = (body: unknown, authorization = `Bearer ${server.app.adminKey}`, tenant = E) =>
      call(`${server.base}/admin/tenants/${tenant}`, { method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('PUT creates a tenant; GET returns it with hashes, never the clear-text secrets', async () => {
      const response = await put(doc);
      assert.equal(response.status, 200);
      const reply = (await response.json()) as { tenant: unknown };
      const got = await admin(server, `/tenants/${E}`);
      const text = await got.text();
      assert.equal(got.status, 200);
      assert.deepEqual(JSON.parse(text), reply.tenant);
      assert.ok(!text.includes(E_APP.clientSecret) && !text.includes('eve-clear-password'), 'a clear-text secret leaked');
      const tenant = JSON.parse(text) as { applications: Record<string, unknown>[]; users: Record<string, unknown>[] };
      assert.equal(tenant.applications[0]?.secret, undefined);
      assert.match(String(tenant.applications[0]?.secretHash), /^scrypt:/);
      assert.equal(tenant.users[0]?.password, undefined);
      assert.match(String(tenant.users[0]?.passwordHash), /^scrypt:/);
      assert.ok(await appToken(server.base, E_APP, { tenant: E }));
    });

    const bad: [string, unknown, RegExp][] = [
      ['a bad permission', { ...doc, applications: [{ ...doc.applications[0], applicationPermissions: ['Machine.Everything'] }] }, /\/applications\/0\/applicationPermissions\/0/],
      ['an unknown property', { ...doc, owner: 'x' }, /\/owner/],
      ['a bad user principal name', { ...doc, users: [{ userPrincipalName: 'no-at-sign' }] }, /\/users\/0\/userPrincipalName/],
      ['an id that is not the path', { ...doc, id: JSON_TENANT }, /\/id/],
      ['a body that is not an object', [1, 2], /.+/],
    ];
    for (const [name, body, field] of bad) {
      it(`PUT with ${name} is 400 InvalidInput naming the field, and changes nothing`, async () => {
        const before = await (await admin(server, `/tenants/${E}`)).text();
        await expectError(await put(body), 400, 'InvalidInput', field);
        assert.equal(await (await admin(server, `/tenants/${E}`)).text(), before);
      });
    }

    it('never accepts a Machine API token (application or delegated), nor no key: 401', async () => {
      const before = await (await admin(server, `/tenants/${E}`)).text();
      const machineTokens = [await appToken(server.base), await userToken(server.base, DEMO_USERS.admin)];
      for (const authorization of [...machineTokens.map((t) => `Bearer ${t}`), '', `Basic ${Buffer.from(`admin:${server.app.adminKey}`).toString('base64')}`]) {
        await expectError(await put({ ...doc, name: 'hijacked' }, authorization), 401, 'Unauthorized');
        await expectError(await call(`${server.base}/admin/tenants/${E}`, { headers: { authorization } }), 401, 'Unauthorized');
        await expectError(await call(`${server.base}/admin/keys/rotate`, { method: 'POST', headers: { authorization } }), 401, 'Unauthorized');
      }
      assert.equal(await (await admin(server, `/tenants/${E}`)).text(), before);
    });

    it('GET of an unknown tenant is 404 ResourceNotFound', async () => {
      await expectError(await admin(server, '/tenants/00000000-0000-4000-8000-000000000000'), 404, 'ResourceNotFound');
    });
  });
});
