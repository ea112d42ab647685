/**
 * Idle and slow connections (issue 14 item 1): connections that send nothing, trickle a head or
 * sit on a keep-alive are closed by the server, and a flood of idle sockets beyond the connection
 * cap never locks real clients out. Time-outs are configured small; nothing here measures how
 * long anything took: each test waits for the event it expects, bounded by the test's time-out.
 * The time-outs stay around a second so that a real request on a stalled, loaded machine is not
 * itself cut off before the server reads it.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';
import { rawRequest } from './helpers/wire.js';

/** A client socket that records what the server sent and whether the server ended it. */
interface Probe {
  readonly socket: Socket;
  readonly received: () => string;
  /** Resolves when the connection is gone (the server closed it: these tests never close probes first). */
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

async function openProbe(base: string): Promise<Probe> {
  const url = new URL(base);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {}); // a reset is one way of being closed
  const gone = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks).toString('utf8'), closed: gone, isClosed: () => closed };
}

/** Waits until `count` of the probes are closed; each close wakes the check, so no polling interval. */
async function untilClosed(probes: readonly Probe[], count: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = () => {
      if (probes.filter((p) => p.isClosed()).length >= count) resolve();
    };
    for (const probe of probes) void probe.closed.then(check);
    check();
  });
}

async function healthy(base: string): Promise<void> {
  const reply = await rawRequest(base, { method: 'GET', path: '/healthz' });
  assert.equal(reply.status, 200, reply.text);
}

/** If the server said anything before closing, it was the 408 envelope. */
function assertTimedOut(probe: Probe): void {
  const text = probe.received();
  if (text === '') return;
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(text, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string; target: string } };
  assert.equal(body.error.code, 'RequestTimeout');
  assert.match(body.error.target, /^[0-9a-f-]{36}$/);
}

describe('idle and slow connections', () => {
  const servers: TestServer[] = [];
  const probes: Probe[] = [];
  after(async () => {
    for (const probe of probes) probe.socket.destroy();
    for (const server of servers) await server.close();
  });
  const start = async (overrides: Parameters<typeof startTestServer>[0]) => {
    const server = await startTestServer(overrides);
    servers.push(server);
    return server;
  };
  const open = async (base: string, n: number): Promise<Probe[]> => {
    const opened: Probe[] = [];
    for (let i = 0; i < n; i++) opened.push(await openProbe(base));
    probes.push(...opened);
    return opened;
  };

  it('holds at most --max-connections: hundreds of idle sockets beyond it are closed, oldest first, and real requests keep succeeding', { timeout: 120_000 }, async () => {
    // Time-outs far longer than the test: only the cap can close these sockets.
    const server = await start({ maxConnections: 50, headersTimeout: 600_000, requestTimeout: 600_000, keepAliveTimeout: 600_000 });
    const first = await open(server.base, 150);
    await healthy(server.base);
    const second = await open(server.base, 150);
    await healthy(server.base);
    const idle = [...first, ...second];
    // 300 idle sockets against a cap of 50: at least 250 must have been closed by the server.
    await untilClosed(idle, idle.length - 50);
    // The oldest go first: every one of the first batch is gone, and the newest are still held.
    await untilClosed(first, first.length);
    assert.ok(second.slice(-10).every((p) => !p.isClosed()), 'the newest idle sockets are still open');
    for (let i = 0; i < 20; i++) await healthy(server.base);
    for (const probe of idle) assert.equal(probe.received(), '', 'an evicted socket is closed without an answer');
  });

  it('closes connections that send nothing after --headers-timeout, with the 408 envelope, while real requests succeed', { timeout: 120_000 }, async () => {
    const server = await start({ maxConnections: 1000, headersTimeout: 1000, requestTimeout: 2000, keepAliveTimeout: 1000 });
    const idle = await open(server.base, 200);
    await healthy(server.base);
    await untilClosed(idle, idle.length);
    for (const probe of idle) assertTimedOut(probe);
    await healthy(server.base);
  });

  it('cuts off a slowloris head trickled a header at a time, with the 408 envelope', { timeout: 120_000 }, async () => {
    const server = await start({ headersTimeout: 1000, requestTimeout: 2000 });
    const [probe] = await open(server.base, 1);
    assert.ok(probe);
    probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One more header line every 20 ms, for as long as the server lets the connection live.
    const trickle = setInterval(() => {
      if (!probe.socket.destroyed) probe.socket.write('X-Slow: a\r\n');
    }, 20);
    try {
      await probe.closed;
    } finally {
      clearInterval(trickle);
    }
    assert.notEqual(probe.received(), '', 'the server answered before closing');
    assertTimedOut(probe);
    await healthy(server.base);
  });

  it('closes a keep-alive connection left idle after its answer (--keep-alive-timeout)', { timeout: 60_000 }, async () => {
    const server = await start({ keepAliveTimeout: 200 });
    const [probe] = await open(server.base, 1);
    assert.ok(probe);
    probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await probe.closed;
    assert.match(probe.received(), /^HTTP\/1\.1 200 OK\r\n/);
  });

  it('closes a connection to the HTTPS port that never starts its TLS handshake', { timeout: 60_000 }, async () => {
    const server = await start({ tls: true, headersTimeout: 1000, requestTimeout: 2000 });
    assert.ok(server.httpsBase);
    const idle = await open(server.httpsBase, 20);
    await untilClosed(idle, idle.length);
    for (const probe of idle) assert.equal(probe.received(), '');
  });

  it('closes a proxy tunnel whose client never starts its TLS handshake', { timeout: 60_000 }, async () => {
    const server = await start({ headersTimeout: 1000, requestTimeout: 2000 });
    const [probe] = await open(server.base, 1);
    assert.ok(probe);
    probe.socket.write('CONNECT api.securitycenter.microsoft.com:443 HTTP/1.1\r\nHost: api.securitycenter.microsoft.com:443\r\n\r\n');
    await probe.closed;
    assert.match(probe.received(), /^HTTP\/1\.1 200 Connection Established\r\n/);
    await healthy(server.base);
  });
});
