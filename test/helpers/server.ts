import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { DEMO_APP, DEMO_TENANT_ID } from '../../src/config/demo.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/settings.js';
import type { NetLimits } from '../../src/net/tls-front.js';
import type { Clock } from '../../src/shared/clock.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface TestServer {
  readonly app: App;
  readonly base: string;
  /** `https://127.0.0.1:<port>` when started with `tls: true` (also on a port of its own). */
  readonly httpsBase: string | undefined;
  readonly dataDir: string;
  /** A client-credentials token from the server's own token endpoint. */
  token(client?: { clientId: string; clientSecret: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real Rampart on 127.0.0.1 and a random port, in a fresh data folder removed on close. With
 * RAMPART_TEST_STORE=postgres its data lives in a fresh PostgreSQL database instead (see testStore).
 */
export async function startTestServer(overrides: Partial<Config> = {}, clock?: Clock, net?: NetLimits): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'rampart-test-')));
  const database = await testStore(dataDir, overrides);
  const config: Config = { ...loadConfig({}, {}), dataDir, port: 0, logLevel: 'silent', demoMachines: 60, ...database.settings, ...overrides };
  const app = await createApp(config, { ...(clock ? { clock } : {}), ...(net ? { net } : {}) });
  const address = await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = address.replace('localhost', '127.0.0.1');
  const httpsBase = config.tls ? `https://127.0.0.1:${await app.dropIn.listenTls(0, '127.0.0.1')}` : undefined;
  return {
    app,
    base,
    httpsBase,
    dataDir,
    token: (client = DEMO_APP) => demoToken(base, client),
    async close() {
      await app.close();
      await database.drop();
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL database of each test server's data folder, so a server restarted on the folder finds its data. */
const databasesByDataDir = new Map<string, Promise<TestDatabase>>();
let dropAtExit = false;

/**
 * The store of a test server: the default (SQLite in the data folder) unless RAMPART_TEST_STORE
 * is `postgres`; then a fresh database for the data folder. A server that made its own folder
 * drops the database on close; one restarted on a folder it was given (after `app.close()`, say)
 * gets that folder's database again, which lives until the test process ends.
 */
async function testStore(dataDir: string, overrides: Partial<Config>): Promise<{ settings: Partial<Config>; drop(): Promise<void> }> {
  if (process.env.RAMPART_TEST_STORE !== 'postgres' || overrides.store !== undefined) return { settings: {}, drop: async () => {} };
  let database = databasesByDataDir.get(dataDir);
  if (!database) {
    database = createTestDatabase();
    databasesByDataDir.set(dataDir, database);
  }
  if (!dropAtExit) {
    dropAtExit = true;
    // 'beforeExit' may still do asynchronous work: what is left goes when the test file is done.
    process.once('beforeExit', () => void Promise.all([...databasesByDataDir.values()].map(async (d) => (await d).drop())));
  }
  const { url, drop } = await database;
  const owned = overrides.dataDir === undefined;
  return {
    settings: { store: url },
    async drop() {
      if (!owned) return;
      databasesByDataDir.delete(dataDir);
      await drop();
    },
  };
}

/** fetch with a deadline, so no test can hang on the network. */
export function call(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** A client-credentials token for an application of the demo tenant, from a server's authority. */
export async function demoToken(base: string, client: { clientId: string; clientSecret: string } = DEMO_APP): Promise<string> {
  const response = await call(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'https://api.securitycenter.microsoft.com/.default',
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
