/**
 * The CLI as a person guesses it (issue 14, items 7 and 10): unknown commands named, --version,
 * per-command help, errors naming the flag or path, numbers, folders and tenants checked, quiet on
 * a closed pipe, one server per SQLite folder, and `seed` then `serve` with the demo credentials.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID } from '../src/config/demo.js';
import { freePort, killAll, makeDataDir, REPO_ROOT, runCli, startServer, type CliResult } from './helpers/process.js';
import { call } from './helpers/server.js';

const show = (r: CliResult): string => `exit ${r.code}\nstdout: ${r.stdout.slice(0, 400)}\nstderr: ${r.stderr.slice(0, 800)}`;

/** A usage error: exit 2, nothing on stdout, one line on stderr (returned). */
function usageError(r: CliResult): string {
  assert.equal(r.code, 2, show(r));
  assert.equal(r.stdout, '', show(r));
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, show(r));
  return lines[0] ?? '';
}

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('rampart CLI hygiene', () => {
  after(() => killAll());

  it('names an unknown command instead of handing it to serve', async () => {
    const line = usageError(await runCli(['frobnicate']));
    assert.match(line, /^rampart: unknown command 'frobnicate'; the commands are serve, seed, /);
    assert.match(usageError(await runCli(['sed'])), /unknown command 'sed' \(did you mean seed\?\)/);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, `${VERSION}\n`);
  });

  it("a command's help lists its own options only", async () => {
    const seed = await runCli(['seed', '--help']);
    assert.equal(seed.code, 0, show(seed));
    for (const flag of ['--count', '--stale-fraction', '--data-dir', '--store']) assert.match(seed.stdout, new RegExp(`${flag}\\b`));
    for (const flag of ['--port', '--tls', '--rate-limits', '--trust-issuer', '--proxy']) assert.doesNotMatch(seed.stdout, new RegExp(`${flag}\\b`));
    const serve = await runCli(['serve', '--help']);
    for (const flag of ['--port', '--tls', '--rate-limits', '--data-dir']) assert.match(serve.stdout, new RegExp(`${flag}\\b`));
    // A flag a command does not take is refused, not silently ignored.
    assert.match(usageError(await runCli(['seed', '--port', '5'])), /unknown option '--port'/);
  });

  it('validates numbers, naming the flag', async () => {
    assert.match(usageError(await runCli(['history', 'x', '--limit', 'abc'])), /'--limit <n>' argument 'abc' is invalid\. expected a whole number/);
    assert.match(usageError(await runCli(['journal', '--limit', 'abc'])), /'--limit <n>' argument 'abc' is invalid/);
    assert.match(usageError(await runCli(['seed', '--stale-fraction', '2'])), /'--stale-fraction <f>' argument '2' is invalid\. expected a number from 0 to 1/);
    assert.match(usageError(await runCli(['seed', '--count', '0'])), /'--count <n>' argument '0' is invalid\. expected a whole number from 1 to 10000000/);
  });

  it('a read-only command refuses a folder without a database, and creates nothing there', async () => {
    const empty = await makeDataDir();
    for (const args of [['export'], ['history', 'some-machine'], ['actions', 'list'], ['tenant', 'show', DEMO_TENANT_ID]]) {
      const line = usageError(await runCli([...args, '--data-dir', empty]));
      assert.equal(line, `rampart: no Rampart database at ${join(empty, 'rampart.db')} (--data-dir ${empty}): run rampart seed or rampart serve there first, or name another folder`);
    }
    assert.deepEqual(readdirSync(empty), []);
    const missing = join(empty, 'nowhere');
    assert.match(usageError(await runCli(['export', '--data-dir', missing])), /no Rampart database at .*nowhere/);
    assert.equal(existsSync(missing), false);
  });

  describe('on a seeded folder', () => {
    let dataDir: string;
    before(async () => {
      dataDir = await makeDataDir();
      const seeded = await runCli(['seed', '--count', '300', '--json', '--data-dir', dataDir]);
      assert.equal(seeded.code, 0, show(seeded));
    });

    it('refuses an unknown tenant, naming it', async () => {
      const tenant = randomUUID();
      for (const args of [['export'], ['history', 'x'], ['actions', 'list']]) {
        assert.match(usageError(await runCli([...args, '--tenant', tenant, '--data-dir', dataDir])), new RegExp(`^rampart: --tenant ${tenant}: no such tenant in `));
      }
    });

    it('names the path of a file it cannot read or write', async () => {
      const nowhere = join(dataDir, 'no', 'such', 'folder', 'fleet.json');
      assert.equal(usageError(await runCli(['export', '--out', nowhere, '--data-dir', dataDir])), `rampart: --out ${nowhere}: no such file or folder`);
      assert.equal(usageError(await runCli(['import', nowhere, '--data-dir', dataDir])), `rampart: ${nowhere}: no such file or folder`);
    });

    it('stops quietly when the reader of its output goes away (export | head)', async () => {
      const script = `node --import tsx src/main.ts export --data-dir '${dataDir}' | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
      const child = spawn('bash', ['-c', script], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
      child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      await new Promise((resolve) => child.once('close', resolve));
      clearTimeout(timer);
      assert.equal(err, '', 'nothing on stderr (no EPIPE)');
      assert.equal(out.trim(), '0', 'exit 0');
    });
  });

  it('one server per SQLite folder: a second is refused naming the first pid; a crashed one leaves no block', async () => {
    const dataDir = await makeDataDir();
    const first = await startServer({ dataDir });
    const lockFile = join(dataDir, 'rampart.db.lock');
    assert.equal(readFileSync(lockFile, 'utf8'), `${first.child.pid}\n`);
    const second = await runCli(['serve', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir]);
    assert.equal(
      usageError(second),
      `rampart: ${join(dataDir, 'rampart.db')} is already served by process ${first.child.pid} (lock file ${lockFile}); stop it first, or give this one another --data-dir`,
    );
    // kill -9 leaves the lock file behind; its process is gone, so the next server takes it over.
    await first.kill('SIGKILL');
    assert.equal(existsSync(lockFile), true);
    const next = await startServer({ dataDir });
    assert.equal(readFileSync(lockFile, 'utf8'), `${next.child.pid}\n`);
    // A graceful stop removes it.
    await next.kill('SIGTERM');
    assert.equal(existsSync(lockFile), false);
  });

  it('seed then serve: the demo credentials the banner prints get a token, and the seeded fleet is listed', async () => {
    const dataDir = await makeDataDir();
    const seeded = await runCli(['seed', '--count', '120', '--stale-fraction', '0', '--json', '--data-dir', dataDir]);
    assert.equal(seeded.code, 0, show(seeded));
    const server = await startServer({ dataDir });
    const banner = `${server.stdout()}${server.stderr()}`;
    if (banner.includes('client secret')) {
      assert.match(banner, new RegExp(`client id\\s+${DEMO_APP.clientId}`));
      assert.match(banner, new RegExp(`client secret\\s+${DEMO_APP.clientSecret}`));
    }
    const token = await server.token(DEMO_APP);
    const response = await call(`${server.base}/api/machines`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(((await response.json()) as { value: unknown[] }).value.length, 120, 'the seeded fleet, not a fresh demo one');
    await server.kill('SIGTERM');
  });
});
