/**
 * The action state machine (domain/actions/action-lifecycle.ts): its timeline rules as plain unit
 * tests, and a property test that drives the real service and store with any interleaving of
 * creates, cancels, fault outcomes and clock moves, checking that every status a client could read
 * only ever moves along a legal transition and that a device never has two active actions of one
 * family.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createCore, type Core } from '../src/core.js';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import { loadConfig } from '../src/config/load-config.js';
import { actionStateAt, commandStatesAt, planTimeline, type Steer } from '../src/domain/actions/action-lifecycle.js';
import { actionServices, type ActionServices } from '../src/domain/actions/action-services.js';
import { ACTION_TYPES, isExclusive, typesOfFamily, type ActionStatus, type ActionType } from '../src/domain/actions/action-types.js';
import { ApiError } from '../src/domain/errors.js';
import { ACTION_PERMISSIONS } from '../src/domain/identity/permissions.js';
import type { ApplicationPrincipal } from '../src/domain/identity/principal.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { addMachine } from './helpers/actions.js';

const T0 = Date.parse('2026-07-01T08:00:00Z');
const TIMING = { pendingMs: 2000, inProgressMs: 3000, timeoutMs: 60_000 };

describe('action timeline (pure)', () => {
  it('goes Pending -> InProgress -> outcome at the planned moments, and stays there', () => {
    const plan = planTimeline(T0, TIMING, true, null);
    const a = { createdAt: timestampFromMillis(T0), ...plan, cancellation: null };
    const at = (ms: number) => actionStateAt(a, T0 + ms);
    assert.deepEqual(at(0), { status: 'Pending', lastUpdate: timestampFromMillis(T0) });
    assert.deepEqual(at(1999).status, 'Pending');
    assert.deepEqual(at(2000), { status: 'InProgress', lastUpdate: timestampFromMillis(T0 + 2000) });
    assert.deepEqual(at(5000), { status: 'Succeeded', lastUpdate: timestampFromMillis(T0 + 5000) });
    assert.deepEqual(at(10 * 86_400_000).status, 'Succeeded');
  });

  it('never picks up an action for an unreachable device or a Pending rule: TimeOut after the timeout', () => {
    for (const [reachable, steer] of [[false, null], [true, { outcome: 'Pending' }]] as [boolean, Steer | null][]) {
      const plan = planTimeline(T0, TIMING, reachable, steer);
      assert.deepEqual(plan, { pickedUpAt: null, endsAt: timestampFromMillis(T0 + 60_000), outcome: 'TimeOut', errorHResult: 0 });
    }
    assert.deepEqual(planTimeline(T0, TIMING, true, { outcome: 'TimeOut' }), { pickedUpAt: null, endsAt: timestampFromMillis(T0 + 2000), outcome: 'TimeOut', errorHResult: 0 });
    assert.deepEqual(planTimeline(T0, TIMING, true, { outcome: 'Failed', errorHResult: -5 }).outcome, 'Failed');
  });

  it('runs live-response commands one after another, stopping at the one that fails', () => {
    const commands = [
      { type: 'RunScript' as const, params: [], failure: null },
      { type: 'PutFile' as const, params: [], failure: 'missing' },
      { type: 'GetFile' as const, params: [], failure: null },
    ];
    const plan = planTimeline(T0, TIMING, true, null, commands);
    assert.equal(plan.outcome, 'Failed');
    assert.equal(plan.endsAt, timestampFromMillis(T0 + 2000 + 2000));
    const a = { createdAt: timestampFromMillis(T0), ...plan, cancellation: null, commands };
    assert.deepEqual(commandStatesAt(a, T0 + 3500).map((c) => c.status), ['Completed', 'Created', 'Created']);
    assert.deepEqual(commandStatesAt(a, T0 + 9000).map((c) => [c.status, c.errors]), [['Completed', []], ['Failed', ['missing']], ['Created', []]]);
  });
});

/** Every status a reader may see after another, whatever the clock skipped in between. */
const NEXT: Record<ActionStatus, readonly ActionStatus[]> = {
  Pending: ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'],
  InProgress: ['InProgress', 'Succeeded', 'Failed', 'Cancelled'],
  Succeeded: ['Succeeded'],
  Failed: ['Failed'],
  TimeOut: ['TimeOut'],
  Cancelled: ['Cancelled'],
};

type Step =
  | { readonly kind: 'create'; readonly device: number; readonly type: ActionType; readonly steer: Steer | null }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'advance'; readonly ms: number };

const steers = fc.constantFrom<Steer | null>(null, null, null, { outcome: 'Failed', errorHResult: -2147467259 }, { outcome: 'TimeOut' }, { outcome: 'Pending' });
const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), device: fc.nat(2), type: fc.constantFrom(...ACTION_TYPES), steer: steers }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(50) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 500, 1000, 2000, 2500, 3000, 10_000, 70_000) }) },
  ),
  { minLength: 1, maxLength: 25 },
);

describe('action state machine under any interleaving (real service and store)', () => {
  const clock = new ManualClock(T0);
  let dir: string;
  let core: Core;
  let services: ActionServices;
  let steer: Steer | null = null;
  const principal: ApplicationPrincipal = { kind: 'application', tenantId: DEMO_TENANT_ID, appId: 'property-test', roles: new Set(ACTION_PERMISSIONS), expiresAt: Number.MAX_SAFE_INTEGER };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-lifecycle-'));
    core = await createCore({ ...loadConfig({}, {}), dataDir: dir, durability: 'normal', demoMachines: 5 }, clock, { provision: true });
    services = actionServices({ access: core.access, store: core.store.actions, locks: core.locks, clock, defaultPreset: 'fast', steer: () => steer });
  });
  after(async () => {
    await core.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('only legal transitions, never two active actions of one exclusive family on a device', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        clock.advance(86_400_000); // whatever earlier runs left has ended
        const devices = await Promise.all([0, 1, 2].map((i) => addMachine(core, { osPlatform: 'Windows11', healthStatus: i === 2 ? 'Inactive' : 'Active' })));
        const ids = new Set<string>();
        const seen = new Map<string, ActionStatus>();
        const check = async () => {
          const { actions } = await services.actions.list(principal, { filter: null, orderBy: [], top: 10_000, skip: 0, count: false }, 10_000);
          const mine = actions.filter((v) => ids.has(v.action.id));
          for (const view of mine) {
            const before = seen.get(view.action.id) ?? 'Pending';
            assert.ok(NEXT[before].includes(view.state.status), `${before} -> ${view.state.status}`);
            seen.set(view.action.id, view.state.status);
          }
          for (const device of devices) {
            for (const type of ACTION_TYPES.filter(isExclusive)) {
              const family = new Set(typesOfFamily(type));
              const active = mine.filter((v) => v.action.machineId === device.id && family.has(v.action.type) && (v.state.status === 'Pending' || v.state.status === 'InProgress'));
              assert.ok(active.length <= 1, `${active.length} active ${type} actions on one device`);
            }
          }
        };
        for (const step of plan) {
          if (step.kind === 'advance') clock.advance(step.ms);
          else if (step.kind === 'create') {
            steer = step.steer;
            const device = devices[step.device] as { id: string };
            const view = await services.actions.request(principal, step.type, device.id, body(step.type), { requestId: null, source: 'PublicApi', operation: step.type }).catch(refusal);
            if (view) {
              ids.add(view.action.id);
              assert.equal(view.state.status === 'Pending' || TIMING.pendingMs === 0, true);
            }
          } else {
            const known = [...ids];
            const id = known[step.pick % Math.max(known.length, 1)];
            if (id === undefined) continue;
            const before = seen.get(id);
            const view = await services.actions.cancel(principal, id, { Comment: 'property' }).catch(refusal);
            if (view) assert.ok(before === undefined || before === 'Pending' || before === 'InProgress', `cancelled from ${before}`);
          }
          await check();
        }
      }),
      { seed: 20260701, numRuns: 60 },
    );
  });
});

/** The refusals the contract allows here; anything else fails the property. */
function refusal(error: unknown): undefined {
  if (error instanceof ApiError && ['ActiveRequestAlreadyExists', 'InvalidRequest', 'OsPlatformNotSupported', 'TooManyRequests'].includes(error.code)) return undefined;
  throw error;
}

function body(type: ActionType): Record<string, unknown> {
  switch (type) {
    case 'Isolate':
      return { Comment: 'p' };
    case 'RunAntiVirusScan':
      return { Comment: 'p', ScanType: 'Quick' };
    case 'StopAndQuarantineFile':
      return { Comment: 'p', Sha1: 'a'.repeat(40) };
    case 'LiveResponse':
      return { Comment: 'p', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'triage.sh' }] }, { type: 'GetFile', params: [{ key: 'Path', value: '/tmp/x' }] }] };
    default:
      return { Comment: 'p' };
  }
}
