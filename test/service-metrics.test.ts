import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { parseExposition, valueOf, type Sample } from './helpers/prometheus.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectError, get, send } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;
const MISSING = 'f'.repeat(40);
const REQUESTS = 'rampart_http_requests_total';
const backend = process.env.RAMPART_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await call(`${server.base}/metrics`, { headers });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

describe('/metrics counts requests by operation and status', () => {
  let server: TestServer;
  let token: string;
  const url = (path: string) => `${server.base}${path}`;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  it('counts each Machine API call under its operation id and status, and times it', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get(url(`/api/machines/${ID}`), token)).status, 200);
    await expectError(await get(url(`/api/machines/${MISSING}`), token), 404, 'ResourceNotFound');
    await expectError(await call(url(`/api/machines/${ID}`)), 401, 'Unauthorized');
    // The versioned copy of the API is the same operation.
    assert.equal((await get(url(`/api/v1.0/machines/${ID}`), token)).status, 200);
    for (const value of ['High', 'Low']) {
      assert.equal((await send(url(`/api/machines/${ID}/setDeviceValue`), token, 'POST', JSON.stringify({ DeviceValue: value }))).status, 200);
    }

    const samples = await scrape(server);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'GetMachine', status: '200' }), 4);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'GetMachine', status: '404' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'GetMachine', status: '401' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'SetDeviceValue', status: '200' }), 2);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'POST /:tenant/oauth2/v2.0/token', status: '200' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'ListMachines' }), undefined, 'no series for an operation never called');
    assert.equal(valueOf(samples, 'rampart_http_request_duration_seconds_count', { operation: 'GetMachine' }), 6);
    assert.equal(valueOf(samples, 'rampart_http_request_duration_seconds_bucket', { operation: 'GetMachine', le: '+Inf' }), 6);
    assert.equal(valueOf(samples, 'rampart_http_request_duration_seconds_count', { operation: 'SetDeviceValue' }), 2);
    // Buckets are cumulative: never decreasing, ending at the count.
    const buckets = samples.filter((s) => s.name === 'rampart_http_request_duration_seconds_bucket' && s.labels.operation === 'GetMachine').map((s) => s.value);
    assert.equal(buckets.length, 14);
    assert.deepEqual([...buckets].sort((a, b) => a - b), buckets);
    assert.ok((valueOf(samples, 'rampart_http_request_duration_seconds_sum', { operation: 'GetMachine' }) ?? 0) > 0);
  });

  it('labels an unknown path as unmatched, never by its raw URL', async () => {
    await expectError(await call(url('/no/such/page/12345')), 404, 'NotFound');
    const samples = await scrape(server);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'unmatched', status: '404' }), 1);
    assert.ok(!samples.some((s) => Object.values(s.labels).some((v) => v.includes('12345'))), 'a raw URL became a label');
  });

  it('counts the writes the store committed, in groups, and their flushes', async () => {
    const before = await scrape(server);
    const sizeBefore = valueOf(before, 'rampart_store_write_group_size_sum', { backend }) ?? 0;
    for (const value of ['High', 'Normal', 'Low']) {
      assert.equal((await send(url(`/api/machines/${ID}/setDeviceValue`), token, 'POST', JSON.stringify({ DeviceValue: value }))).status, 200);
    }
    const samples = await scrape(server);
    const size = valueOf(samples, 'rampart_store_write_group_size_sum', { backend }) ?? 0;
    // Each acknowledged write was in some committed group (other writes, the journal's, may join them).
    assert.ok(size - sizeBefore >= 3, `group sizes grew by ${size - sizeBefore}`);
    assert.ok((valueOf(samples, 'rampart_store_commit_seconds_count', { backend }) ?? 0) >= 1);
    assert.ok((valueOf(samples, 'rampart_store_flush_seconds_count', { backend }) ?? 0) >= 1, 'durable writes were flushed');
    if (backend === 'postgres') {
      assert.equal(valueOf(samples, 'rampart_postgres_pool_connections', { state: 'max' }), server.app.config.poolSize);
      assert.ok((valueOf(samples, 'rampart_postgres_pool_connections', { state: 'total' }) ?? 0) >= 1);
    } else {
      assert.equal(valueOf(samples, 'rampart_postgres_pool_connections', { state: 'max' }), undefined, 'no pool on SQLite');
    }
  });

  it('is open to the loopback address without credentials, and serves the process metrics too', async () => {
    const samples = await scrape(server);
    assert.ok(valueOf(samples, 'process_cpu_user_seconds_total') !== undefined);
  });
});

describe('/metrics counts rate-limit and fault decisions, and guards itself', () => {
  let server: TestServer;
  let token: string;
  const url = (path: string) => `${server.base}${path}`;

  before(async () => {
    // X-Forwarded-For is believed here, which is how a caller that is not on loopback is played.
    server = await startTestServer({ rateLimits: true, rateLimitPerMinute: 2, trustProxy: true });
    token = await server.token();
  });
  after(() => server.close());

  it('counts admitted and limited calls per operation', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await get(url(`/api/machines/${ID}`), token)).status, 200);
    await expectError(await get(url(`/api/machines/${ID}`), token), 429, 'TooManyRequests');
    const samples = await scrape(server);
    assert.equal(valueOf(samples, 'rampart_rate_limit_decisions_total', { operation: 'GetMachine', decision: 'admitted' }), 2);
    assert.equal(valueOf(samples, 'rampart_rate_limit_decisions_total', { operation: 'GetMachine', decision: 'limited' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'GetMachine', status: '429' }), 1);
  });

  it('counts the calls a fault rule shaped, by kind', async () => {
    const rule = { id: 'flaky', operations: ['ListMachines'], error: 'ServiceUnavailable', calls: '1' };
    const added = await call(url(`/admin/tenants/${DEMO_TENANT_ID}/faults`), {
      method: 'POST',
      headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    assert.equal(added.status, 201);
    await expectError(await get(url('/api/machines'), token), 503, 'ServiceUnavailable');
    assert.equal((await get(url('/api/machines'), token)).status, 200);
    const samples = await scrape(server);
    assert.equal(valueOf(samples, 'rampart_fault_injections_total', { operation: 'ListMachines', kind: 'error' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'ListMachines', status: '503' }), 1);
    assert.equal(valueOf(samples, REQUESTS, { operation: 'ListMachines', status: '200' }), 1);
  });

  it('refuses a caller off the loopback address without the admin key, in the error envelope', async () => {
    const elsewhere = { 'x-forwarded-for': '203.0.113.9' };
    await expectError(await call(url('/metrics'), { headers: elsewhere }), 401, 'Unauthorized');
    await expectError(await call(url('/metrics'), { headers: { ...elsewhere, authorization: `Bearer ${token}` } }), 401, 'Unauthorized');
    const samples = await scrape(server, { ...elsewhere, authorization: `Bearer ${server.app.adminKey}` });
    assert.ok(samples.length > 0);
  });
});
