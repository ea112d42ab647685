/**
 * Several instances on one PostgreSQL (issue 6): two real Rampart processes behave as one
 * service. Tokens, values, tags, fault rules, rate limits and the journal are shared; concurrent
 * writers through both never lose an update and leave a history that chains; exactly one runs
 * periodic work, and a killed instance loses no acknowledged write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKeyFor } from '../src/cluster/deployment.js';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import { loadConfig } from '../src/config/load-config.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { eventually, killAll, makeDataDir, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';
import { REDIS_URL, skipWithoutRedis } from './helpers/services.js';

const skip = await skipWithoutPostgres();
const VALUES = ['Low', 'Normal', 'High'] as const;

interface HistoryEntry {
  oldValue: string;
  newValue: string;
  requestId: string | null;
}

describe('several instances on one PostgreSQL', { skip }, () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let adminKey: string;
  let token: string;
  let machineIds: string[];

  const api = (server: ServerProcess, path: string, init: RequestInit = {}) =>
    call(`${server.base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
  const admin = (server: ServerProcess, path: string, init: RequestInit = {}) =>
    call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    });
  const setValue = (server: ServerProcess, id: string, value: string) =>
    api(server, `/api/machines/${id}/setDeviceValue`, { method: 'POST', body: JSON.stringify({ DeviceValue: value }) });
  const history = async (server: ServerProcess, id: string): Promise<HistoryEntry[]> => {
    const response = await admin(server, `/machines/${id}/history?limit=10000`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { value: HistoryEntry[] }).value;
  };
  const readyz = async (server: ServerProcess) => (await (await call(`${server.base}/readyz`)).json()) as { instance: { leader: boolean } };

  before(async () => {
    db = await createTestDatabase();
    const env = { RAMPART_STORE: db.url };
    // Started together on an empty database: migrations, the first signing key, the demo tenant
    // and its fleet must come out once, whichever instance gets there first.
    const start = async () => startServer({ dataDir: await makeDataDir(), env });
    [a, b] = await Promise.all([start(), start()]);
    adminKey = await adminKeyFor(loadConfig({ store: db.url }, {}));
    token = await a.token();
    const list = await api(b, '/api/machines?$top=40&$select=id');
    assert.equal(list.status, 200);
    machineIds = ((await list.json()) as { value: { id: string }[] }).value.map((m) => m.id);
  });

  after(async () => {
    await killAll();
    await db?.drop();
  });

  it('accepts a token from one instance on the other, and serves one instance\'s write from the other at once', async () => {
    const fromB = await b.token();
    const id = machineIds[0] as string;
    for (const value of ['High', 'Low']) {
      assert.equal((await setValue(a, id, value)).status, 200);
      const read = await call(`${b.base}/api/machines/${id}`, { headers: { authorization: `Bearer ${fromB}` } });
      assert.equal(read.status, 200);
      assert.equal(((await read.json()) as { deviceValue: string }).deviceValue, value);
    }
  });

  it('shares the admin key and the console session key, and signs with one key after starting together', async () => {
    for (const server of [a, b]) assert.equal((await admin(server, '/journal?limit=1')).status, 200);
    const jwks = async (server: ServerProcess) => ((await (await call(`${server.base}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: unknown[] }).keys;
    assert.deepEqual(await jwks(a), await jwks(b));
    assert.equal((await jwks(a)).length, 1, 'the instances that started together created one signing key');
  });

  it('loses no update when both instances set, PATCH and tag one machine at once, and its history chains', async () => {
    const id = machineIds[1] as string;
    const before = await history(a, id);
    const calls = Array.from({ length: 30 }, (_, i) => {
      const server = i % 2 ? a : b;
      return Promise.all([
        setValue(server, id, VALUES[i % 3] as string),
        api(server, `/api/machines/${id}/tags`, { method: 'POST', body: JSON.stringify({ Value: `multi-${i}`, Action: 'Add' }) }),
        api(i % 2 ? b : a, `/api/machines/${id}`, { method: 'PATCH', body: JSON.stringify({ deviceValue: VALUES[(i + 1) % 3] }) }),
      ]);
    });
    for (const response of (await Promise.all(calls)).flat()) assert.equal(response.status, 200, await response.text());

    const machine = (await (await api(a, `/api/machines/${id}`)).json()) as { deviceValue: string; machineTags: string[] };
    for (let i = 0; i < 30; i++) assert.ok(machine.machineTags.includes(`multi-${i}`), `tag multi-${i} kept`);
    const after = await history(b, id);
    // One entry per setDeviceValue and PATCH that changed the value; one that found it set already wrote none.
    const added = after.length - before.length;
    assert.ok(added >= 1 && added <= 60, `${added} entries for 60 value calls`);
    const entries = after.slice(0, added).reverse(); // oldest first
    for (const [i, e] of entries.entries()) assert.notEqual(e.oldValue, e.newValue, `entry ${i} is a real change`);
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.oldValue, entries[i - 1]?.newValue, `entry ${i} follows entry ${i - 1}`);
    assert.equal(entries.at(-1)?.newValue, machine.deviceValue);
  });

  it('fires a fault rule added through one instance on the other, counting calls across both', async () => {
    const rule = await admin(a, '/faults', { method: 'POST', body: JSON.stringify({ id: 'first-two', operations: ['GetMachine'], error: 'ServiceUnavailable', calls: '1-2' }) });
    assert.equal(rule.status, 201, await rule.text());
    // The other instance hears of the change by NOTIFY, a few milliseconds later.
    await eventually(async () => ((await (await admin(b, '/faults')).json()) as { value: unknown[] }).value.length === 1, 'B loads the rule');
    const id = machineIds[2] as string;
    const statuses: number[] = [];
    for (const server of [b, a, b, a]) {
      const response = await api(server, `/api/machines/${id}`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [503, 503, 200, 200]);
    assert.equal((await admin(b, '/faults', { method: 'DELETE' })).status, 204);

    // Fault rules that arrive in a tenant document reach the other instance too.
    const document = (await (await admin(a, '')).json()) as Record<string, unknown>;
    const put = await admin(a, '', { method: 'PUT', body: JSON.stringify({ ...document, faults: [{ id: 'from-document', operations: ['FindMachinesByIp'], error: 'ServiceUnavailable' }] }) });
    assert.equal(put.status, 200, await put.text());
    const ruleIds = async () => ((await (await admin(b, '/faults')).json()) as { value: { id: string }[] }).value.map((r) => r.id);
    await eventually(async () => (await ruleIds()).includes('from-document'), 'B loads the rule of the document');
    assert.equal((await admin(a, '', { method: 'PUT', body: JSON.stringify({ ...document, faults: [] }) })).status, 200);
    await eventually(async () => (await ruleIds()).length === 0, 'B drops it again');
  });

  it('journals calls of both instances in one journal', async () => {
    const id = machineIds[3] as string;
    const viaA = await api(a, `/api/machines/${id}`);
    const viaB = await api(b, `/api/machines/${id}`);
    const ids = [viaA.headers.get('request-id'), viaB.headers.get('request-id')];
    // Each instance writes its entries in batches, a tenth of a second apart.
    await eventually(async () => {
      const journal = (await (await admin(b, '/journal?limit=50')).json()) as { value: { requestId: string }[] };
      return ids.every((requestId) => journal.value.some((e) => e.requestId === requestId));
    }, 'both calls are in the journal listed by B');
  });

  it('refuses the 101st call across both instances with 429', async () => {
    const document = (await (await admin(a, '')).json()) as Record<string, unknown>;
    // 100 an hour (the minute's limit far above it): the window that decides outlasts the calls
    // however slowly a loaded machine makes them; a minute's window could close mid-test.
    const put = await admin(a, '', { method: 'PUT', body: JSON.stringify({ ...document, limits: { enabled: true, perMinute: 100_000, perHour: 100 } }) });
    assert.equal(put.status, 200, await put.text());
    // FindMachinesByTag has not been called yet: its window starts empty on both instances.
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const response = await api(i % 2 ? a : b, `/api/machines/findbytag?tag=multi-0`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.ok(statuses.every((s) => s !== 429), 'the first 100 calls are admitted');
    const refused = await api(a, `/api/machines/findbytag?tag=multi-0`);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await api(b, `/api/machines/findbytag?tag=multi-0`)).status, 429);
    assert.equal((await admin(b, '', { method: 'PUT', body: JSON.stringify({ ...document }) })).status, 200);
  });

  it('runs periodic work on exactly one instance, and hands it over when that one dies', async () => {
    const leaders = [(await readyz(a)).instance.leader, (await readyz(b)).instance.leader];
    assert.equal(leaders.filter(Boolean).length, 1, `exactly one leader: ${JSON.stringify(leaders)}`);
    const [leader, other] = leaders[0] ? [a, b] : [b, a];
    await leader.kill('SIGKILL');
    await eventually(async () => (await readyz(other)).instance.leader, 'the surviving instance takes over', 60_000, 200);
    if (leader === a) a = await startServer({ dataDir: await makeDataDir(), env: { RAMPART_STORE: db.url } });
    else b = await startServer({ dataDir: await makeDataDir(), env: { RAMPART_STORE: db.url } });
  });

  it('loses no acknowledged write when one instance is killed mid-load', { timeout: 180_000 }, async () => {
    const acked = new Map<string, string[]>(); // machine -> request ids acknowledged
    const ackedBy = new Map<ServerProcess, number>();
    const writing = new Map<ServerProcess, number>(); // write loops still running, per instance
    const count = (server: ServerProcess) => ackedBy.get(server) ?? 0;
    // Progress is counted in acknowledgements, never in time: a loaded machine just gets there later.
    // A wait whose loops have all ended (an answer other than 200) fails at once instead of hanging.
    const waiters: (() => void)[] = [];
    const progressed = () => waiters.splice(0).forEach((wake) => wake());
    const until = async (server: ServerProcess, acks: number) => {
      while (count(server) < acks) {
        assert.ok((writing.get(server) ?? 0) > 0, `every write loop on ${server.base} ended after ${count(server)} of ${acks} acknowledgements`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    let stop = false;
    const loops = machineIds.slice(10, 18).map(async (id, n) => {
      const server = n % 2 ? a : b;
      writing.set(server, (writing.get(server) ?? 0) + 1);
      // Only a real change is history: a write of the value the machine already has leaves no entry to find.
      let previous = ((await (await api(server, `/api/machines/${id}`)).json()) as { deviceValue: string }).deviceValue;
      for (let i = 0; !stop; i++) {
        try {
          const value = VALUES[(i + n) % 3] as string;
          const response = await setValue(server, id, value);
          if (response.status !== 200) break;
          await response.arrayBuffer();
          if (value !== previous) acked.set(id, [...(acked.get(id) ?? []), response.headers.get('request-id') as string]);
          previous = value;
          ackedBy.set(server, (ackedBy.get(server) ?? 0) + 1);
        } catch {
          break; // the killed instance's loops end at their first network failure
        } finally {
          progressed();
        }
      }
      writing.set(server, (writing.get(server) ?? 1) - 1);
      progressed();
    });
    await until(a, 10);
    await until(b, 10);
    await a.kill('SIGKILL');
    const beforeKill = count(b);
    await until(b, beforeKill + 10); // the survivor keeps acknowledging
    stop = true;
    await Promise.all(loops);
    let total = 0;
    for (const [id, requestIds] of acked) {
      const recorded = new Set((await history(b, id)).map((e) => e.requestId));
      for (const requestId of requestIds) assert.ok(recorded.has(requestId), `acknowledged ${requestId} on ${id} is in the history`);
      total += requestIds.length;
    }
    assert.ok(count(a) + count(b) >= 30, `every acknowledged write counted (${count(a) + count(b)})`);
    assert.ok(total >= count(a) + count(b) - 8, `only each loop's first write can find its value set already (${total} changes)`);
  });
});

describe('several instances counting limits in Redis', { skip: skip || (await skipWithoutRedis()) }, () => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];

  before(async () => {
    db = await createTestDatabase();
    // 100 an hour (the minute's limit far above it): the window that decides outlasts the calls
    // however slowly a loaded machine makes them; a minute's window could close mid-test.
    const env = { RAMPART_STORE: db.url, RAMPART_LIMITS: REDIS_URL, RAMPART_RATE_LIMITS: 'true', RAMPART_RATE_LIMIT_PER_MINUTE: '100000', RAMPART_RATE_LIMIT_PER_HOUR: '100' };
    servers.push(await startServer({ dataDir: await makeDataDir(), env }));
    servers.push(await startServer({ dataDir: await makeDataDir(), env }));
  });

  after(async () => {
    await killAll();
    await db?.drop();
  });

  it('refuses the 101st call across both instances with 429', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const adminKey = await adminKeyFor(loadConfig({ store: db.url }, {}));
    // Redis outlives this test's database: start the demo tenant's windows from zero.
    const reset = await call(`${a.base}/admin/tenants/${DEMO_TENANT_ID}/reset`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(reset.status, 200, await reset.text());
    const token = await a.token(); // the token endpoint is not a Machine API call: not counted
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      const response = await call(`${(i % 2 ? a : b).base}/api/machines?$top=1`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses.slice(0, 100).filter((s) => s !== 200), []);
    assert.equal(statuses[100], 429);
  });
});
