/**
 * Crash safety (issue 2, "durable before the 200"): a real server process takes setDeviceValue
 * writes from several concurrent clients and is killed with SIGKILL while requests are in flight;
 * a server restarted on the same data folder must hold every write it acknowledged, with a
 * consistent value history. The kill/restart cycle runs twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_FLEET_SEED, DEMO_TENANT_ID } from '../src/config/demo.js';
import { DEVICE_VALUES, type DeviceValue } from '../src/domain/machines/device-value.js';
import { DEFAULT_RETENTION_DAYS } from '../src/domain/identity/tenant.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampToMillis } from '../src/shared/timestamp.js';
import { BASE_ENV, killAll, makeDataDir, readAdminKey, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';

const DAY = 86_400_000;
const LOOPS = 8;
const MACHINES = 30;
/** The server is killed once this many writes were acknowledged, however long that takes (never a time window). */
const ACKS_BEFORE_KILL = 60;
const CYCLES = 2;

/** One acknowledged (200) setDeviceValue, with logical times taken on this single-threaded client. */
interface Ack {
  readonly machineId: string;
  readonly value: DeviceValue;
  readonly requestId: string;
  readonly loop: number;
  readonly cycle: number;
  /** Tick when the request was sent, and when its 200 arrived. */
  readonly sentAt: number;
  readonly ackedAt: number;
}

interface HistoryEntry {
  seq: number;
  tenantId: string;
  machineId: string;
  oldValue: DeviceValue;
  newValue: DeviceValue;
  at: string;
  appId: string | null;
  userId: string | null;
  route: string;
  requestId: string | null;
}

/**
 * The demo fleet's machines that are inside retention, exactly as provisionDemo generates them:
 * generateFleet with DEMO_FLEET_SEED and the fleet size (RAMPART_DEMO_MACHINES). nowMs shifts
 * timestamps only, never ids or values, and stale machines are 200+ days old, far past the
 * 180-day cut-off, so a nowMs a few seconds off picks the same machines.
 */
function demoMachines(): { id: string; deviceValue: DeviceValue }[] {
  const nowMs = Date.now();
  const cutoff = nowMs - DEFAULT_RETENTION_DAYS * DAY;
  const out: { id: string; deviceValue: DeviceValue }[] = [];
  for (const m of generateFleet({ count: Number(BASE_ENV.RAMPART_DEMO_MACHINES), seed: DEMO_FLEET_SEED, nowMs })) {
    if (timestampToMillis(m.lastSeen) < cutoff) continue;
    out.push({ id: m.id, deviceValue: m.deviceValue });
    if (out.length === MACHINES) break;
  }
  return out;
}

interface Hammered {
  readonly acks: Ack[];
  readonly inFlightAtKill: number;
  /** HTTP answers other than 200 before the kill: none are expected. */
  readonly unexpected: string[];
}

/**
 * LOOPS clients write random values to random machines back to back; once ACKS_BEFORE_KILL writes
 * are acknowledged (or an unexpected answer arrives) the server is killed with SIGKILL mid-stream,
 * and the loops stop at their first network failure. Nothing is measured against the wall clock:
 * on a loaded machine it simply takes longer to get there.
 */
async function hammerThenKill(server: ServerProcess, token: string, machineIds: readonly string[], cycle: number, clock: { tick: number }): Promise<Hammered> {
  const acks: Ack[] = [];
  const unexpected: string[] = [];
  let killed = false;
  let inFlight = 0;
  let inFlightAtKill = -1;
  let reachedTarget: () => void = () => {};
  const target = new Promise<void>((resolve) => (reachedTarget = resolve));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const loop = async (loopNo: number) => {
    while (!killed) {
      const machineId = machineIds[Math.floor(Math.random() * machineIds.length)] as string;
      const value = DEVICE_VALUES[Math.floor(Math.random() * DEVICE_VALUES.length)] as DeviceValue;
      const sentAt = ++clock.tick;
      inFlight++;
      try {
        const response = await call(`${server.base}/api/machines/${machineId}/setDeviceValue`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ DeviceValue: value }),
        });
        const text = await response.text();
        const ackedAt = ++clock.tick;
        if (response.status === 200) {
          const requestId = response.headers.get('request-id') ?? '';
          const body = JSON.parse(text) as { id?: string; deviceValue?: string };
          // The reply is the machine as written by this request.
          if (body.id !== machineId || body.deviceValue !== value) unexpected.push(`reply ${text.slice(0, 200)} for ${machineId}=${value}`);
          acks.push({ machineId, value, requestId, loop: loopNo, cycle, sentAt, ackedAt });
          if (acks.length >= ACKS_BEFORE_KILL) reachedTarget();
        } else if (!killed) {
          unexpected.push(`${response.status} ${text.slice(0, 200)}`);
          reachedTarget();
        }
      } catch (error) {
        // Connection reset/refused: expected once the server is gone.
        if (!killed) {
          unexpected.push(`network error before the kill: ${String(error)}`);
          reachedTarget();
        }
        return;
      } finally {
        inFlight--;
      }
    }
  };

  const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));
  await target;
  inFlightAtKill = inFlight;
  const exit = server.kill('SIGKILL');
  killed = true;
  const { signal } = await exit;
  assert.equal(signal, 'SIGKILL', 'the server died of the SIGKILL');
  await Promise.all(loops);
  return { acks, inFlightAtKill, unexpected };
}

/** What a restarted server holds for one machine: its history (newest first) and current value. */
async function readBack(server: ServerProcess, adminKey: string, token: string, machineId: string) {
  const historyResponse = await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/machines/${machineId}/history?limit=10000`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  assert.equal(historyResponse.status, 200, `history of ${machineId}`);
  const history = ((await historyResponse.json()) as { value: HistoryEntry[] }).value;
  const machineResponse = await call(`${server.base}/api/machines/${machineId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(machineResponse.status, 200, `GET ${machineId}`);
  const machine = (await machineResponse.json()) as { deviceValue: DeviceValue };
  return { history, current: machine.deviceValue };
}

/**
 * Whether an acknowledged write without a history entry was a no-op: somewhere between the last
 * entry acknowledged before it was sent and the first sent after it was acknowledged, the
 * machine already had the value it wrote.
 */
function noOpFits(ack: Ack, chronological: readonly HistoryEntry[], seededValue: DeviceValue, ackOf: ReadonlyMap<string, Ack>): boolean {
  const values = [seededValue, ...chronological.map((e) => e.newValue)]; // values[k + 1]: after entry k
  let first = 0;
  let last = chronological.length;
  chronological.forEach((e, k) => {
    const other = e.requestId ? ackOf.get(e.requestId) : undefined;
    if (other && other.ackedAt < ack.sentAt) first = Math.max(first, k + 1);
    if (other && other.sentAt > ack.ackedAt) last = Math.min(last, k);
  });
  return values.slice(first, last + 1).includes(ack.value);
}

describe('crash safety: kill -9 during setDeviceValue writes', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await makeDataDir();
  });
  after(() => killAll());

  it('keeps every acknowledged write, with a consistent history, across two kill -9 / restart cycles', { timeout: 240_000 }, async (t) => {
    const machines = demoMachines();
    assert.equal(machines.length, MACHINES, 'enough demo machines inside retention');
    const machineIds = machines.map((m) => m.id);
    const seeded = new Map(machines.map((m) => [m.id, m.deviceValue]));
    const clock = { tick: 0 };
    const allAcks: Ack[] = [];

    let server = await startServer({ dataDir });
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const token = await server.token();
      const { acks, inFlightAtKill, unexpected } = await hammerThenKill(server, token, machineIds, cycle, clock);
      assert.deepEqual(unexpected, [], 'every write before the kill was answered 200 with the machine as written');
      assert.ok(acks.length >= ACKS_BEFORE_KILL, `cycle ${cycle}: the kill came after ${acks.length} acknowledged writes`);
      assert.ok(inFlightAtKill > 0, `cycle ${cycle}: requests were in flight when the server was killed`);
      allAcks.push(...acks);
      t.diagnostic(`cycle ${cycle}: ${acks.length} writes acknowledged, ${inFlightAtKill} in flight at the kill`);

      server = await startServer({ dataDir });
      // (d) the restarted server is ready.
      const ready = await call(`${server.base}/readyz`);
      assert.equal(ready.status, 200, `cycle ${cycle}: /readyz after restart`);
      // (The body also names the instance since issue 6; readiness is the status.)
      assert.equal(((await ready.json()) as { status?: string }).status, 'ready');

      const adminKey = await readAdminKey(dataDir);
      const readToken = await server.token();
      const states = new Map(await Promise.all(machineIds.map(async (id) => [id, await readBack(server, adminKey, readToken, id)] as const)));

      for (const id of machineIds) {
        const { history, current } = states.get(id)!;
        const chronological = [...history].reverse();
        // (c) chain consistency: starting from the seeded value, each entry's oldValue is the previous newValue.
        let expectedOld = seeded.get(id);
        for (const entry of chronological) {
          assert.equal(entry.machineId, id);
          assert.equal(entry.tenantId, DEMO_TENANT_ID);
          assert.equal(entry.route, 'setDeviceValue');
          assert.equal(entry.appId, DEMO_APP.clientId);
          assert.equal(entry.oldValue, expectedOld, `cycle ${cycle}: ${id} history seq ${entry.seq} oldValue breaks the chain`);
          expectedOld = entry.newValue;
        }
        for (let i = 1; i < chronological.length; i++) assert.ok(chronological[i]!.seq > chronological[i - 1]!.seq, 'seq increases');
        // (b) the current value is the newest entry's newValue (or the seeded value if never written).
        assert.equal(current, history[0]?.newValue ?? seeded.get(id), `cycle ${cycle}: ${id} current deviceValue vs newest history entry`);
        const requestIds = history.map((e) => e.requestId);
        assert.equal(new Set(requestIds).size, requestIds.length, `${id}: request ids in history are unique`);
      }

      // (a) every acknowledged write is in that machine's history, with the value it acknowledged,
      // unless it found that value already set (only real changes are history): then the chain
      // must hold that value somewhere in the window real time allows the write to have landed.
      const missing: Ack[] = [];
      const seqOf = new Map<string, number>();
      const ackOf = new Map(allAcks.map((a) => [a.requestId, a]));
      for (const ack of allAcks) {
        const entry = states.get(ack.machineId)!.history.find((e) => e.requestId === ack.requestId);
        if (!entry) {
          if (!noOpFits(ack, [...states.get(ack.machineId)!.history].reverse(), seeded.get(ack.machineId)!, ackOf)) missing.push(ack);
          continue;
        }
        assert.equal(entry.newValue, ack.value, `request ${ack.requestId} recorded the value it acknowledged`);
        seqOf.set(ack.requestId, entry.seq);
      }
      assert.deepEqual(missing, [], `cycle ${cycle}: acknowledged writes missing after kill -9 and restart`);
      const entries = [...states.values()].reduce((n, s) => n + s.history.length, 0);
      t.diagnostic(`cycle ${cycle}: ${entries} history entries hold all ${allAcks.length} acknowledged writes`);

      // Real-time order per machine: a write sent after another's 200 arrived comes later in the history.
      const byMachine = new Map<string, Ack[]>();
      for (const ack of allAcks) byMachine.set(ack.machineId, [...(byMachine.get(ack.machineId) ?? []), ack]);
      for (const [id, acks] of byMachine) {
        const byAckTime = [...acks].sort((x, y) => x.ackedAt - y.ackedAt);
        for (const later of acks) {
          for (const earlier of byAckTime) {
            if (earlier.ackedAt >= later.sentAt) break;
            // A no-op has no entry to order; noOpFits placed it against the entries already.
            if (!seqOf.has(earlier.requestId) || !seqOf.has(later.requestId)) continue;
            assert.ok(
              seqOf.get(earlier.requestId)! < seqOf.get(later.requestId)!,
              `${id}: ${later.requestId} was sent after ${earlier.requestId} was acknowledged but is ordered before it`,
            );
          }
        }
      }
    }
    await server.kill('SIGTERM');
  });
});
