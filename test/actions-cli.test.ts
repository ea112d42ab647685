/**
 * `rampart actions` as a user runs it against the data folder a server uses: timings set before
 * the server starts, then list, show and cancel of an action requested through the API, and the
 * admin API's view of the same timings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { actionClient, ACTION_KEYS, type Json } from './helpers/actions.js';
import { killAll, makeDataDir, runCli, type CliResult } from './helpers/process.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectError } from './helpers/wire.js';

const ok = (r: CliResult): string => {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

describe('rampart actions (CLI) and the admin API for action timings', () => {
  let dataDir: string;
  let server: TestServer;
  before(async () => {
    dataDir = await makeDataDir();
    ok(await runCli(['token', '--data-dir', dataDir])); // provisions the demo tenant
    // Long enough that nothing moves on while the test runs, whatever the machine's load.
    const set = JSON.parse(ok(await runCli(['actions', 'timings', '--pending', '3600', '--in-progress', '3600', '--json', '--data-dir', dataDir]))) as Json;
    assert.deepEqual(set, { pendingSeconds: 3600, inProgressSeconds: 3600 });
    server = await startTestServer({ dataDir });
  });
  after(async () => {
    await server?.close();
    await killAll();
  });

  it('lists, shows and cancels an action requested through the API', async () => {
    const created = await actionClient(server.base, await server.token()).act(REFERENCE_MACHINE.computerDnsName, 'isolate', { Comment: 'from the API' });
    const listed = JSON.parse(ok(await runCli(['actions', 'list', '--status', 'pending', '--json', '--data-dir', dataDir]))) as { value: Json[] };
    assert.deepEqual(listed.value.map((a) => [a.id, a.type, a.status]), [[created.id, 'Isolate', 'Pending']]);
    const shown = JSON.parse(ok(await runCli(['actions', 'show', String(created.id), '--data-dir', dataDir]))) as Json;
    assert.deepEqual(Object.keys(shown), ACTION_KEYS);
    assert.match(ok(await runCli(['actions', 'list', '--machine', REFERENCE_MACHINE.id, '--data-dir', dataDir])), new RegExp(`Isolate +Pending +${REFERENCE_MACHINE.computerDnsName}.*${created.id}`));

    assert.equal(ok(await runCli(['actions', 'cancel', String(created.id), '--comment', 'from the CLI', '--data-dir', dataDir])), `cancelled ${created.id} (Isolate on ${REFERENCE_MACHINE.computerDnsName})\n`);
    const read = await actionClient(server.base, await server.token()).action(String(created.id));
    assert.deepEqual([read.status, read.cancellationRequestor, read.cancellationComment], ['Cancelled', 'rampart-cli', 'from the CLI']);

    const again = await runCli(['actions', 'cancel', String(created.id), '--comment', 'twice', '--data-dir', dataDir]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'rampart: Action is already in a final state\n');
    const bad = await runCli(['actions', 'list', '--status', 'Sleeping', '--data-dir', dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status .*Sleeping.* expected one of Pending, InProgress, Succeeded, Failed, TimeOut, Cancelled/);
  });

  it('reads and replaces the timings through the admin API, refusing what is not a timing', async () => {
    const admin = (init: RequestInit = {}) =>
      call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/actions/timings`, { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' } });
    assert.deepEqual(await (await admin()).json(), { pendingSeconds: 3600, inProgressSeconds: 3600 });
    const put = await admin({ method: 'PUT', body: JSON.stringify({ preset: 'realistic', types: { Isolate: { inProgressSeconds: 90 } } }) });
    assert.equal(put.status, 200);
    assert.deepEqual(await (await admin()).json(), { preset: 'realistic', types: { Isolate: { inProgressSeconds: 90 } } });
    await expectError(await admin({ method: 'PUT', body: JSON.stringify({ preset: 'glacial' }) }), 400, 'InvalidInput');
    await expectError(await admin({ method: 'PUT', body: JSON.stringify({ types: { Teleport: {} } }) }), 400, 'InvalidInput', /unknown property 'Teleport'/);
    await expectError(await admin({ method: 'PUT', body: JSON.stringify({ pendingSeconds: -1 }) }), 400, 'InvalidInput');
  });
});
