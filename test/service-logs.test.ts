import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { registerErrorHandling } from '../src/api/plugins/errors.js';
import { registerRequestLogging } from '../src/api/plugins/request-log.js';
import { createApp, type App } from '../src/app.js';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { loadConfig } from '../src/config/load-config.js';
import { killAll, makeDataDir, startServer } from './helpers/process.js';
import { call, demoToken } from './helpers/server.js';
import { get } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;
const DEBUG = 20;
const INFO = 30;

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly url?: string;
  readonly fault?: string;
  readonly err?: unknown;
  readonly [key: string]: unknown;
}

/** Every line pino wrote, parsed: a line that is not JSON fails the test. */
class LogCapture extends Writable {
  readonly lines: Line[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) this.lines.push(JSON.parse(text) as Line);
    done();
  }
  /** The lines of one request, once its request line (or a fault's one line) has been written; bounded. */
  async linesOf(requestId: string): Promise<Line[]> {
    const deadline = Date.now() + 5000;
    while (!this.lines.some((l) => l.requestId === requestId && (l.msg.startsWith('request') || l.fault !== undefined))) {
      assert.ok(Date.now() < deadline, `no request line for ${requestId}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.lines.filter((l) => l.requestId === requestId);
  }
}

describe('logs: quiet probes and polls, one line per injected fault', () => {
  const log = new LogCapture();
  let app: App;
  let base: string;
  let token: string;
  let dataDir: string;
  const admin = { authorization: '', 'content-type': 'application/json' };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rampart-logs-'));
    const config = { ...loadConfig({}, {}), dataDir, port: 0, demoMachines: 20, logLevel: 'debug' as const };
    app = await createApp(config, { logger: pino({ level: 'debug' }, log) });
    base = (await app.server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    token = await demoToken(base);
    admin.authorization = `Bearer ${app.adminKey}`;
  });
  after(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const requestLines = async (response: Response): Promise<Line[]> => {
    const id = response.headers.get('request-id');
    assert.ok(id, 'a request-id header');
    await response.arrayBuffer();
    return log.linesOf(id);
  };

  it('writes health probes and /metrics at debug, a real call at info', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const [line, ...more] = await requestLines(await call(`${base}${path}`));
      assert.equal(more.length, 0);
      assert.equal(line?.level, DEBUG, `${path} at debug`);
    }
    const [line] = await requestLines(await get(`${base}/api/machines/${ID}`, token));
    assert.equal(line?.level, INFO);
    assert.equal(line?.operation, 'GetMachine');
  });

  it("writes the console's htmx polls at debug, its pages at info", async () => {
    const [poll] = await requestLines(await call(`${base}/console/testing/journal`, { headers: { 'hx-request': 'true' }, redirect: 'manual' }));
    assert.equal(poll?.level, DEBUG);
    const [page] = await requestLines(await call(`${base}/console/login`, { redirect: 'manual' }));
    assert.equal(page?.level, INFO);
  });

  it('writes an injected error as one info line naming the rule, without error or stack', async () => {
    const added = await call(`${base}/admin/tenants/${DEMO_TENANT_ID}/faults`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'flaky-get', operations: ['GetMachine'], error: 'InternalServerError', calls: '1' }),
    });
    assert.equal(added.status, 201);
    const response = await get(`${base}/api/machines/${ID}`, token);
    assert.equal(response.status, 500);
    const lines = await requestLines(response);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const [line] = lines;
    assert.equal(line?.level, INFO);
    assert.equal(line?.fault, 'flaky-get');
    assert.match(line?.msg ?? '', /flaky-get/);
    assert.equal(line?.err, undefined);
    assert.doesNotMatch(JSON.stringify(line), /\n\s+at /, 'no stack trace');
  });

  it('writes a dropped connection as one info line naming the rule', async () => {
    const added = await call(`${base}/admin/tenants/${DEMO_TENANT_ID}/faults`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'cut-wire', operations: ['ListMachines'], drop: true, calls: '1' }),
    });
    assert.equal(added.status, 201);
    const before = log.lines.length;
    await assert.rejects(get(`${base}/api/machines`, token));
    const deadline = Date.now() + 5000;
    while (!log.lines.slice(before).some((l) => l.fault === 'cut-wire')) {
      assert.ok(Date.now() < deadline, 'no line for the dropped call');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lines = log.lines.slice(before).filter((l) => l.fault === 'cut-wire');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, INFO);
    assert.match(lines[0]?.msg ?? '', /dropped.*cut-wire/);
  });

  it('leads GET / to the console, and serves /docs without upgrade-insecure-requests', async () => {
    const home = await call(`${base}/`, { redirect: 'manual' });
    assert.equal(home.status, 302);
    assert.equal(home.headers.get('location'), '/console');
    const docs = await call(`${base}/docs/static/index.html`);
    assert.equal(docs.status, 200);
    const csp = docs.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  });
});

describe('a real 500 keeps its error', () => {
  it('logs the error with its stack at error level, and answers the envelope without it', async () => {
    const log = new LogCapture();
    const app = Fastify({
      loggerInstance: pino({ level: 'info' }, log),
      logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
      genReqId: () => 'req-1',
    }) as unknown as FastifyInstance;
    registerErrorHandling(app);
    registerRequestLogging(app);
    app.get('/boom', async () => {
      throw new Error('the disk caught fire');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(response.statusCode, 500);
    assert.doesNotMatch(response.body, /disk caught fire|\n\s+at /);
    const lines = await log.linesOf('req-1');
    const failure = lines.find((l) => l.msg === 'request failed');
    assert.equal(failure?.level, 50);
    assert.match(String((failure?.err as { stack?: string } | undefined)?.stack), /the disk caught fire\n\s+at /);
    await app.close();
  });
});

describe('a served process: JSON lines on stdout, no banner off a terminal', () => {
  after(() => killAll());

  it('writes only JSON lines to stdout, and no banner to a stderr that is not a terminal', async () => {
    const server = await startServer({ dataDir: await makeDataDir(), env: { RAMPART_LOG_LEVEL: 'info' } });
    assert.equal((await call(`${server.base}/healthz`)).status, 200);
    await server.kill('SIGTERM');
    const lines = server.stdout().split('\n').filter(Boolean);
    assert.ok(lines.length > 0, 'the JSON log is on stdout');
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    assert.ok(lines.some((l) => (JSON.parse(l) as Line).msg.startsWith('Rampart listening on')), 'start-up is one JSON line');
    assert.doesNotMatch(server.stderr(), /listening on|client secret/);
  });
});
