import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { killAll, makeDataDir, runCli, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';

/** The tester's commands against a running server: faults, journal, reset (they use its admin API). */
describe('rampart faults / journal / reset', () => {
  let server: ServerProcess;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', server.dataDir, '--url', server.base]);

  before(async () => {
    server = await startServer({ dataDir: await makeDataDir() });
  });
  after(killAll);

  it('adds a fault that the next call meets, and the journal shows it', async () => {
    const added = await cli('faults', 'add', '{"id":"cli-429","operations":["GetMachine"],"error":"TooManyRequests","calls":"1"}');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout.trim(), 'added fault rule cli-429');
    const token = await server.token();
    const answer = await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 429);
    const journal = await cli('journal', '--json', '--limit', '1');
    assert.equal(journal.code, 0, journal.stderr);
    const [entry] = (JSON.parse(journal.stdout) as { value: { status: number; fault: string | null }[] }).value;
    assert.deepEqual({ status: entry?.status, fault: entry?.fault }, { status: 429, fault: 'cli-429' });
  });

  it('resets the tenant, and says so', async () => {
    const reset = await cli('reset', '--json');
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(JSON.parse(reset.stdout), { tenant: '7e57da7a-de70-4e2a-9c3d-000000000001', machines: 50 });
    const faults = await cli('faults', 'list', '--json');
    assert.deepEqual(JSON.parse(faults.stdout), { value: [] });
  });

  it('fails with one clear line when no server answers', async () => {
    const r = await runCli(['journal', '--data-dir', server.dataDir, '--url', 'http://127.0.0.1:9']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr.trim(), /^rampart: cannot reach http:\/\/127\.0\.0\.1:9: .*is the server running\?/);
  });
});
