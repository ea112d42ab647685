/**
 * The `rampart` CLI as a user runs it (`rampart <command>`, started as helpers/process.ts starts it): seed, export,
 * import (round trip, bad files, real-service documents), token, history, admin-key, settings
 * errors and help. Server and CLI share a data folder, as SQLite allows.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { MACHINE_PROPERTIES } from '../src/domain/machines/machine.js';
import {
  freePort,
  killAll,
  makeDataDir,
  readAdminKey,
  runCli,
  startServer,
  type CliResult,
  type ServerProcess,
} from './helpers/process.js';
import { call } from './helpers/server.js';

type Json = Record<string, unknown>;

const describeRun = (r: CliResult): string =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 1000)}`;

function assertOk(r: CliResult): void {
  assert.equal(r.code, 0, describeRun(r));
}

/** A failed command: non-zero exit, nothing on stdout, and exactly one line on stderr, returned. */
function assertOneLineFailure(r: CliResult, expectedCode?: number): string {
  assert.equal(r.timedOut, false, describeRun(r));
  if (expectedCode === undefined) assert.notEqual(r.code, 0, describeRun(r));
  else assert.equal(r.code, expectedCode, describeRun(r));
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  return lines[0]!;
}

async function exportTenant(dataDir: string, tenant: string): Promise<{ raw: string; value: Json[] }> {
  const r = await runCli(['export', '--tenant', tenant, '--data-dir', dataDir]);
  assertOk(r);
  const parsed = JSON.parse(r.stdout) as { value: Json[] };
  assert.deepEqual(Object.keys(parsed), ['value']);
  assert.ok(Array.isArray(parsed.value));
  return { raw: r.stdout, value: parsed.value };
}

/** A minimal valid machine in its wire form. */
const wireMachine = (id: string, name: string): Json => ({ id, computerDnsName: name, lastSeen: new Date().toISOString() });

// The suites below use separate data folders, so they run side by side.
describe('rampart CLI', () => {
  after(() => killAll());

  describe('seed, export and import', () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    let dataDir: string;
    let seeded: CliResult;
    let exportA: { raw: string; value: Json[] };

    before(async () => {
      dataDir = await makeDataDir();
      seeded = await runCli(['seed', '--count', '500', '--tenant', tenantA, '--json', '--data-dir', dataDir]);
      assertOk(seeded);
      exportA = await exportTenant(dataDir, tenantA);
    });

    it('seed --count 500 --json prints JSON naming the tenant and 500 machines', () => {
      const result = JSON.parse(seeded.stdout) as Json;
      assert.equal(result.machines, 500);
      assert.equal(result.tenant, tenantA);
      assert.equal(typeof result.seconds, 'number');
    });

    it('export prints {"value":[...]} with 500 machines whose keys are the wire properties in wire order', () => {
      assert.match(exportA.raw, /^\{"value":\[/);
      assert.equal(exportA.value.length, 500);
      for (const machine of exportA.value) assert.deepEqual(Object.keys(machine), [...MACHINE_PROPERTIES]);
      assert.equal(new Set(exportA.value.map((m) => m.id)).size, 500, 'ids are unique');
      // Timestamps in the wire form: up to 7 fractional digits, trailing zeros dropped.
      for (const machine of exportA.value) assert.match(String(machine.lastSeen), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,6}[1-9])?Z$/);
    });

    it('import of that export into another tenant, then export, gives an identical value array', async () => {
      const file = join(dataDir, 'fleet.json');
      await writeFile(file, exportA.raw);
      const imported = await runCli(['import', file, '--tenant', tenantB, '--json', '--data-dir', dataDir]);
      assertOk(imported);
      assert.deepEqual(JSON.parse(imported.stdout), { tenant: tenantB, machines: 500 });
      const exportB = await exportTenant(dataDir, tenantB);
      assert.deepEqual(exportB.value, exportA.value);
      assert.equal(exportB.raw, exportA.raw, 'byte-identical, key order included');
    });

    it('import accepts a real-service document: @odata.context, unknown properties, missing optional ones', async () => {
      const tenant = randomUUID();
      const full = {
        id: '1E5BC9D7E413DDD7902C2932E418702B84D0CC07',
        computerDnsName: 'mymachine1.contoso.com',
        firstSeen: '2018-08-02T14:55:03.7791856Z',
        lastSeen: `${new Date(Date.now() - 3_600_000).toISOString().slice(0, 23)}1234Z`, // 7 digits, last one not 0
        osPlatform: 'Windows10',
        osVersion: null,
        osProcessor: 'x64',
        version: '1709',
        lastIpAddress: '172.17.230.209',
        lastExternalIpAddress: '167.220.196.71',
        agentVersion: '10.5830.18209.1001',
        osBuild: 18209,
        healthStatus: 'Active',
        deviceValue: 'High',
        rbacGroupId: 140,
        rbacGroupName: 'The-A-Team',
        riskScore: 'Low',
        exposureLevel: 'Medium',
        isAadJoined: true,
        aadDeviceId: '80fe8ff8-2624-418e-9591-41f0491218f9',
        machineTags: ['test tag 1', 'test tag 2'],
        // Properties this version of Rampart does not model:
        exposureScore: 'Low',
        deviceCategory: 'Endpoint',
        onboardingStatusDetails: { reason: null },
        ipAddresses: [{ ipAddress: '172.17.230.209', macAddress: '00155D5A2C3E', type: 'Ethernet', operationalStatus: 'Up' }],
      };
      const minimal = { id: 'ab'.repeat(20), computerDnsName: 'minimal.contoso.com', somethingNew: 42 };
      const document = {
        '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#Machines',
        value: [full, minimal],
        '@odata.nextLink': 'https://api.securitycenter.microsoft.com/api/machines?$skip=10000',
      };
      const file = join(dataDir, 'real-service.json');
      await writeFile(file, JSON.stringify(document));
      const imported = await runCli(['import', file, '--tenant', tenant, '--json', '--data-dir', dataDir]);
      assertOk(imported);
      assert.deepEqual(JSON.parse(imported.stdout), { tenant, machines: 2 });

      const { value } = await exportTenant(dataDir, tenant);
      assert.equal(value.length, 2);
      for (const machine of value) assert.deepEqual(Object.keys(machine), [...MACHINE_PROPERTIES], 'unknown properties dropped, missing ones filled');
      const byId = new Map(value.map((m) => [m.id, m]));
      const a = byId.get(full.id.toLowerCase());
      assert.ok(a, 'the machine id is kept (lower-cased)');
      assert.equal(a.firstSeen, full.firstSeen, '7-digit timestamps survive');
      assert.equal(a.lastSeen, full.lastSeen);
      assert.equal(a.deviceValue, 'High');
      assert.equal(a.rbacGroupId, 140);
      assert.deepEqual(a.machineTags, full.machineTags);
      assert.deepEqual(a.ipAddresses, full.ipAddresses);
      assert.equal(a.vmMetadata, null);
      assert.equal(a.mergedIntoMachineId, null);
      const b = byId.get(minimal.id);
      assert.ok(b);
      assert.equal(b.computerDnsName, 'minimal.contoso.com');
      assert.equal(b.deviceValue, 'Normal');
      assert.deepEqual(b.machineTags, []);
      assert.deepEqual(b.ipAddresses, []);
      assert.equal(b.osBuild, null);
      assert.equal(b.aadDeviceId, null);
    });
    // Every device-value change is audited, including one an import makes.
    it(
      're-importing a machine with another deviceValue records the change in its history',
      async () => {
        const tenant = randomUUID();
        const id = 'c'.repeat(40);
        const first = join(dataDir, 'reimport-high.json');
        const second = join(dataDir, 'reimport-low.json');
        await writeFile(first, JSON.stringify({ value: [{ ...wireMachine(id, 'reimport.contoso.com'), deviceValue: 'High' }] }));
        await writeFile(second, JSON.stringify({ value: [{ ...wireMachine(id, 'reimport.contoso.com'), deviceValue: 'Low' }] }));
        assertOk(await runCli(['import', first, '--tenant', tenant, '--json', '--data-dir', dataDir]));
        assertOk(await runCli(['import', second, '--tenant', tenant, '--json', '--data-dir', dataDir]));
        const { value } = await exportTenant(dataDir, tenant);
        assert.equal(value[0]?.deviceValue, 'Low');
        const r = await runCli(['history', id, '--tenant', tenant, '--json', '--data-dir', dataDir]);
        assertOk(r);
        const history = (JSON.parse(r.stdout) as { value: Json[] }).value;
        assert.equal(history[0]?.oldValue, 'High', `history: ${r.stdout}`);
        assert.equal(history[0]?.newValue, 'Low');
        assert.equal(history[0]?.route, 'import');
      },
    );
  });

  describe('import of a bad file fails with one line and writes nothing', () => {
    const good = [wireMachine('0'.repeat(39) + '1', 'good-0.contoso.com'), wireMachine('0'.repeat(39) + '2', 'good-1.contoso.com')];
    const cases: { name: string; text: string; message: RegExp }[] = [
      { name: 'invalid JSON', text: `{"value": [${JSON.stringify(good[0])},`, message: /not valid JSON/i },
      {
        name: "a machine with id 'xyz' (index 2)",
        text: JSON.stringify({ value: [...good, { id: 'xyz', computerDnsName: 'bad.contoso.com' }] }),
        message: /#2\b.*\bid\b.*xyz|xyz.*#2\b/,
      },
      { name: '{"foo":1}', text: '{"foo":1}', message: /value/ },
    ];
    // Each case in its own data folder, so they are independent of each other.
    for (const c of cases) {
      it(c.name, async () => {
        const dataDir = await makeDataDir();
        const tenant = randomUUID();
        const file = join(dataDir, `${tenant}.json`);
        await writeFile(file, c.text);
        const r = await runCli(['import', file, '--tenant', tenant, '--json', '--data-dir', dataDir]);
        const line = assertOneLineFailure(r);
        assert.match(line, c.message);
        assert.equal(r.stdout, '');
        // The file is checked before the store is opened: not even a database is created.
        assert.equal(existsSync(join(dataDir, 'rampart.db')), false, 'nothing was written');
      });
    }
  });

  describe('token, history and admin-key next to a running server', () => {
    let dataDir: string;
    let port: number;
    let cliToken: CliResult;
    let server: ServerProcess;

    before(async () => {
      dataDir = await makeDataDir();
      port = await freePort();
      // The CLI runs first on the fresh folder (creating the signing key); the server starts after.
      // The issuer does not depend on the port, so a CLI token needs only the data folder.
      cliToken = await runCli(['token', '--json', '--data-dir', dataDir]);
      server = await startServer({ dataDir, port });
    });
    after(() => server?.kill('SIGTERM'));

    it('token --json prints an access_token the server accepts', async () => {
      assertOk(cliToken);
      const printed = JSON.parse(cliToken.stdout) as { token_type: string; access_token: string; expires_on: number };
      assert.equal(printed.token_type, 'Bearer');
      assert.match(printed.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.ok(printed.expires_on > Date.now() / 1000);
      const response = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}`, {
        headers: { authorization: `Bearer ${printed.access_token}` },
      });
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal(((await response.json()) as Json).id, REFERENCE_MACHINE.id);
    });

    it('a token printed while the server runs is accepted too', async () => {
      const r = await runCli(['token', '--data-dir', dataDir]);
      assertOk(r);
      const response = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}`, {
        headers: { authorization: `Bearer ${r.stdout.trim()}` },
      });
      assert.equal(response.status, 200, await response.text());
    });

    it('history --json shows a setDeviceValue made through the server', async () => {
      const token = await server.token();
      const response = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ DeviceValue: 'Low' }),
      });
      assert.equal(response.status, 200, await response.text());
      const requestId = response.headers.get('request-id');
      assert.ok(requestId);

      const r = await runCli(['history', REFERENCE_MACHINE.id, '--json', '--data-dir', dataDir]);
      assertOk(r);
      const { value } = JSON.parse(r.stdout) as { value: Json[] };
      assert.ok(value.length >= 1);
      const entry = value[0]!;
      assert.equal(entry.requestId, requestId, 'newest entry first');
      assert.equal(entry.machineId, REFERENCE_MACHINE.id);
      assert.equal(entry.tenantId, DEMO_TENANT_ID);
      assert.equal(entry.oldValue, 'Normal');
      assert.equal(entry.newValue, 'Low');
      assert.equal(entry.route, 'setDeviceValue');
      assert.equal(entry.appId, DEMO_APP.clientId);
      assert.match(String(entry.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

      // By computer name too, as the API addresses machines.
      const byName = await runCli(['history', REFERENCE_MACHINE.computerDnsName, '--json', '--data-dir', dataDir]);
      assertOk(byName);
      assert.deepEqual(JSON.parse(byName.stdout), JSON.parse(r.stdout));
    });

    it('history of an unknown machine exits non-zero with a clear message', async () => {
      const unknown = 'f'.repeat(40);
      const r = await runCli(['history', unknown, '--data-dir', dataDir]);
      const line = assertOneLineFailure(r);
      assert.match(line, new RegExp(`${unknown}.*not found`, 'i'));
      assert.equal(r.stdout, '');
    });

    it('admin-key prints the key the server uses (<data-dir>/admin-key)', async () => {
      const r = await runCli(['admin-key', '--data-dir', dataDir]);
      assertOk(r);
      const printed = r.stdout.trim();
      assert.equal(printed, await readAdminKey(dataDir));
      const history = await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/machines/${REFERENCE_MACHINE.id}/history`, {
        headers: { authorization: `Bearer ${printed}` },
      });
      assert.equal(history.status, 200, await history.clone().text());
      const wrong = await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/machines/${REFERENCE_MACHINE.id}/history`, {
        headers: { authorization: `Bearer ${printed}x` },
      });
      assert.equal(wrong.status, 401);
    });
  });

  it('a command other than serve, token, seed or import writes no demo tenant into the store it opens', async () => {
    const dataDir = await makeDataDir();
    assertOk(await runCli(['keys', 'rotate', '--data-dir', dataDir]));
    const shown = await runCli(['tenant', 'show', DEMO_TENANT_ID, '--json', '--data-dir', dataDir]);
    assert.notEqual(shown.code, 0, describeRun(shown));
    assert.match(shown.stderr, /no tenant/);
  });

  describe('settings errors and help', () => {
    let dataDir: string;
    before(async () => {
      dataDir = await makeDataDir();
    });

    it('serve --port abc exits 2 with one line naming --port', async () => {
      const line = assertOneLineFailure(await runCli(['serve', '--port', 'abc', '--data-dir', dataDir]), 2);
      assert.match(line, /--port/);
      assert.match(line, /abc/);
    });

    it('RAMPART_DURABILITY=sometimes makes serve exit 2 with one line naming the variable', async () => {
      const r = await runCli(['serve', '--data-dir', dataDir], { env: { RAMPART_DURABILITY: 'sometimes' } });
      const line = assertOneLineFailure(r, 2);
      assert.match(line, /RAMPART_DURABILITY/);
      assert.match(line, /sometimes/);
    });

    it('PORT=abc (environment) makes serve exit 2 with one line naming PORT', async () => {
      const line = assertOneLineFailure(await runCli(['serve', '--data-dir', dataDir], { env: { PORT: 'abc' } }), 2);
      assert.match(line, /\bPORT\b/);
    });

    // Usage errors found by the flag parser exit 2 like configuration errors.
    it(
      'serve --durability sometimes (a bad enum flag) exits 2 with one line naming --durability',
      async () => {
        const line = assertOneLineFailure(await runCli(['serve', '--durability', 'sometimes', '--data-dir', dataDir]), 2);
        assert.match(line, /--durability/);
      },
    );

    it(
      'seed --tenant nope (not a GUID) fails with one line naming the tenant',
      async () => {
        const line = assertOneLineFailure(await runCli(['seed', '--count', '1', '--tenant', 'nope', '--json', '--data-dir', dataDir]), 2);
        assert.match(line, /nope/);
        assert.match(line, /GUID/i);
      },
    );

    it('--help lists seed, import, export, token and history', async () => {
      const r = await runCli(['--help']);
      assertOk(r);
      for (const command of ['serve', 'seed', 'import', 'export', 'token', 'history', 'admin-key']) {
        assert.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}`);
      }
    });
  });
});
