/**
 * The CLI on PostgreSQL (issue 6): migrate, seed, export, import, tenant files, history, token
 * and admin-key with `--store postgres://...`, against a running server on the same database,
 * exactly as they work on SQLite (test/cli.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { eventually, killAll, makeDataDir, runCli, startServer, type CliResult, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';

const skip = await skipWithoutPostgres();

function ok(r: CliResult): string {
  assert.equal(r.code, 0, `exit ${r.code}${r.timedOut ? ' TIMED OUT' : ''}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 1000)}`);
  return r.stdout;
}

describe('the CLI on PostgreSQL', { skip }, () => {
  let db: TestDatabase;
  let cli: (...args: string[]) => Promise<string>;

  before(async () => {
    db = await createTestDatabase();
    cli = async (...args) => ok(await runCli([...args, '--store', db.url]));
  });

  after(async () => {
    await killAll();
    await db?.drop();
  });

  it('migrates, seeds, exports and imports a fleet that round-trips unchanged', async () => {
    await cli('migrate');
    const [a, b] = [randomUUID(), randomUUID()];
    assert.equal((JSON.parse(await cli('seed', '--count', '200', '--tenant', a, '--json')) as { machines: number }).machines, 200);
    const exported = await cli('export', '--tenant', a);
    assert.equal((JSON.parse(exported) as { value: unknown[] }).value.length, 200);
    const file = join(await makeDataDir(), 'fleet.json');
    await writeFile(file, exported);
    await cli('import', file, '--tenant', b, '--json');
    assert.equal(await cli('export', '--tenant', b), exported);
  });

  it('applies a tenant file and shows it back', async () => {
    const applied = JSON.parse(await cli('tenant', 'apply', 'examples/contoso.yaml', '--json')) as { tenant: string };
    const shown = JSON.parse(await cli('tenant', 'show', applied.tenant, '--json')) as { id: string; applications: unknown[] };
    assert.equal(shown.id, applied.tenant);
    assert.ok(shown.applications.length > 0);
  });

  describe('beside a running server on the same database', () => {
    let server: ServerProcess;

    before(async () => {
      server = await startServer({ dataDir: await makeDataDir(), env: { RAMPART_STORE: db.url } });
    });

    it('prints a token the server accepts and the admin key it uses, and shows a change in the history', async () => {
      const token = (await cli('token')).trim();
      const set = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"DeviceValue":"High"}',
      });
      assert.equal(set.status, 200, await set.text());
      const requestId = set.headers.get('request-id');

      const { value } = JSON.parse(await cli('history', REFERENCE_MACHINE.id, '--json')) as { value: { newValue: string; requestId: string }[] };
      assert.deepEqual(
        { requestId: value[0]?.requestId, newValue: value[0]?.newValue },
        { requestId, newValue: 'High' },
        'the newest entry is the change made through the server',
      );

      // A key rotated by the CLI is announced: the server publishes it and signs with it at once.
      const kid = (await cli('keys', 'rotate')).trim();
      await eventually(async () => {
        const jwks = (await (await call(`${server.base}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] };
        return jwks.keys.some((k) => k.kid === kid);
      }, `the server publishes ${kid}`);
      const signed = await server.token();
      assert.equal((JSON.parse(Buffer.from(signed.split('.')[0] as string, 'base64url').toString()) as { kid: string }).kid, kid);

      const adminKey = (await cli('admin-key')).trim();
      const journal = await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/journal?limit=1`, { headers: { authorization: `Bearer ${adminKey}` } });
      assert.equal(journal.status, 200);
    });
  });
});
