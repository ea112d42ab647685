/**
 * The local certificate authority: made once per data folder (mode 600) or once per PostgreSQL
 * database for every instance, its key never written anywhere else; `rampart ca`; and the
 * settings of HTTPS and the proxy, whose bad values stop start-up with one line.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import pg from 'pg';
import { ConfigError, loadConfig } from '../src/config/load-config.js';
import type { Config } from '../src/config/settings.js';
import { loadOrCreateCa } from '../src/net/ca-store.js';
import { createTestDatabase, skipWithoutPostgres } from './helpers/postgres.js';
import { killAll, makeDataDir, runCli } from './helpers/process.js';
import { startTestServer } from './helpers/server.js';

const configFor = (overrides: Partial<Config>): Config => ({ ...loadConfig({}, {}), ...overrides });
const folders: string[] = [];
const folder = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-ca-'));
  folders.push(dir);
  return dir;
};
after(async () => {
  await killAll();
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('local certificate authority in the data folder', () => {
  it('is made once, even by two processes at once, with the key in a mode-600 file that nothing else copies', async () => {
    const dataDir = await folder();
    const [a, b] = await Promise.all([loadOrCreateCa(configFor({ dataDir })), loadOrCreateCa(configFor({ dataDir }))]);
    assert.equal(a.ca.certificate, b.ca.certificate);
    assert.equal((await loadOrCreateCa(configFor({ dataDir }))).ca.certificate, a.ca.certificate);
    assert.equal(a.certificatePath, join(dataDir, 'ca.pem'));
    assert.deepEqual(readdirSync(dataDir).sort(), ['ca-key.pem', 'ca.pem']);
    assert.equal(statSync(join(dataDir, 'ca-key.pem')).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(a.certificatePath, 'utf8'), /PRIVATE KEY/);
    assert.equal(new X509Certificate(readFileSync(a.certificatePath)).ca, true);
  });

  it('a damaged key file is named, not guessed at', async () => {
    const dataDir = await folder();
    writeFileSync(join(dataDir, 'ca-key.pem'), 'not a key', { mode: 0o600 });
    await assert.rejects(loadOrCreateCa(configFor({ dataDir })), /local certificate authority in .*ca-key\.pem is damaged/);
  });

  it('rampart ca prints the certificate path first, then how to trust it; --pem prints the certificate only', async () => {
    const dataDir = await makeDataDir();
    const info = await runCli(['ca', '--data-dir', dataDir]);
    assert.equal(info.code, 0, info.stderr);
    const [first = '', ...rest] = info.stdout.split('\n');
    assert.equal(first, join(dataDir, 'ca.pem'));
    const text = rest.join('\n');
    for (const hint of ['NODE_EXTRA_CA_CERTS=', 'REQUESTS_CA_BUNDLE=', 'SSL_CERT_FILE=', 'curl --cacert', 'Import-Certificate', 'keytool -importcert']) assert.ok(text.includes(hint), hint);
    const pem = await runCli(['ca', '--pem', '--data-dir', dataDir]);
    assert.equal(pem.stdout, readFileSync(first, 'utf8'));
    assert.doesNotMatch(info.stdout + pem.stdout, /PRIVATE KEY/);
  });
});

describe('local certificate authority on PostgreSQL', async () => {
  const skip = await skipWithoutPostgres();
  it('is made once in the database for every instance; the data folders get the certificate only, and HTTPS chains to it', { skip }, async () => {
    const database = await createTestDatabase();
    try {
      const store = database.url;
      const [one, two] = [await folder(), await folder()];
      // The tables first (a server migrates), then two instances asking at once.
      const server = await startTestServer({ store, dataDir: one, tls: true });
      try {
        const [a, b] = await Promise.all([loadOrCreateCa(configFor({ store, dataDir: one })), loadOrCreateCa(configFor({ store, dataDir: two }))]);
        assert.equal(a.ca.certificate, b.ca.certificate);
        for (const dir of [one, two]) {
          assert.ok(existsSync(join(dir, 'ca.pem')));
          assert.ok(!existsSync(join(dir, 'ca-key.pem')), 'the key stays in the database');
        }
        const client = new pg.Client({ connectionString: store });
        await client.connect();
        const rows = (await client.query<{ value: string }>("SELECT value FROM shared_secrets WHERE name = 'tls-ca'")).rows;
        await client.end();
        assert.equal(rows.length, 1);
        assert.match(rows[0]?.value ?? '', /PRIVATE KEY/);
        const agent = new Agent({ connect: { ca: a.ca.certificate } });
        try {
          const response = await undiciFetch(`${server.httpsBase}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(10_000) });
          assert.equal(response.status, 200);
        } finally {
          await agent.close();
        }
      } finally {
        await server.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('HTTPS and proxy settings', () => {
  it('default to the port after --port, the proxy on, HTTPS off', () => {
    const config = loadConfig({}, {});
    assert.deepEqual([config.tls, config.tlsPort, config.proxy, config.interceptHosts], [false, 4322, true, []]);
    assert.equal(loadConfig({ port: '0' }, {}).tlsPort, 0);
    const env = loadConfig({}, { RAMPART_TLS: 'true', RAMPART_TLS_PORT: '9443', RAMPART_PROXY: 'false', RAMPART_INTERCEPT_HOSTS: 'MDE.Example.invalid.,b.example.invalid' });
    assert.deepEqual([env.tls, env.tlsPort, env.proxy, env.interceptHosts], [true, 9443, false, ['mde.example.invalid', 'b.example.invalid']]);
  });

  it('stop start-up with one line on a bad value', () => {
    assert.throws(() => loadConfig({ tlsCert: 'a.pem' }, {}), new ConfigError('--tls-cert and --tls-key go together: give both or neither'));
    assert.throws(() => loadConfig({ tls: true, port: '65535' }, {}), /--tls-port \(RAMPART_TLS_PORT\): --port 65535 leaves no port after it/);
    assert.throws(() => loadConfig({ tls: true, port: '5000', tlsPort: '5000' }, {}), /5000 is the HTTP port already/);
    for (const bad of ['10.0.0.1', 'host:443', 'https://x.invalid', 'a b', '*.example.invalid']) {
      assert.throws(() => loadConfig({ interceptHosts: [bad] }, {}), /--intercept-host \(RAMPART_INTERCEPT_HOSTS\): .* is not a host name/, bad);
    }
  });

  it('a --tls-cert/--tls-key pair that cannot be read or does not match stops start-up with one line', async () => {
    const dir = await folder();
    writeFileSync(join(dir, 'cert.pem'), 'nonsense');
    writeFileSync(join(dir, 'key.pem'), 'nonsense');
    await assert.rejects(startTestServer({ tlsCert: join(dir, 'missing.pem'), tlsKey: join(dir, 'key.pem') }), /--tls-cert\/--tls-key: cannot read .*missing\.pem \(ENOENT\)/);
    await assert.rejects(startTestServer({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') }), new ConfigError('--tls-cert/--tls-key: not a PEM certificate and its matching private key'));
  });

  it('serves HTTPS with your own certificate when given one', async () => {
    const source = await folder();
    const { ca } = await loadOrCreateCa(configFor({ dataDir: source }));
    const { issueServerCertificate } = await import('../src/net/certificate-authority.js');
    const own = await issueServerCertificate(ca, ['127.0.0.1']);
    writeFileSync(join(source, 'own-cert.pem'), own.certificate);
    writeFileSync(join(source, 'own-key.pem'), own.privateKey);
    const server = await startTestServer({ tls: true, tlsCert: join(source, 'own-cert.pem'), tlsKey: join(source, 'own-key.pem') });
    const agent = new Agent({ connect: { ca: ca.certificate } });
    try {
      const response = await undiciFetch(`${server.httpsBase}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 200);
      assert.ok(!existsSync(join(server.dataDir, 'ca-key.pem')), 'no local CA is made for an HTTPS port with its own certificate');
    } finally {
      await agent.close();
      await server.close();
    }
  });
});
