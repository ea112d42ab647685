import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultRuleFromSpec, faultRuleToSpec } from '../src/domain/traffic/fault-spec.js';
import { FaultInjector, randomAt, type FaultCall } from '../src/domain/traffic/faults.js';
import { MemoryJournal, type JournalEntry } from '../src/domain/traffic/journal.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const call = (operation = 'SetDeviceValue', extra: Partial<FaultCall> = {}): FaultCall => ({
  tenantId: 't', operation, appId: 'app', method: 'POST', machineKey: 'm1', ...extra,
});

function injector(...specs: Parameters<typeof faultRuleFromSpec>[0][]): FaultInjector {
  const f = new FaultInjector();
  f.setRules('t', specs.map((s) => faultRuleFromSpec(s, 't', T0)));
  return f;
}

describe('fault injection', () => {
  it('fails calls 1-2 of the rule, then lets them through', async () => {
    const f = injector({ id: 'r', error: 'ServiceUnavailable', calls: '1-2' });
    const fired: (string | null)[] = [];
    for (let i = 0; i < 4; i++) fired.push((await f.decide(call(), T0))?.ruleId ?? null);
    assert.deepEqual(fired, ['r', 'r', null, null]);
  });

  it('is repeatable under a seed', async () => {
    const run = async () => {
      const f = injector({ error: 'InternalServerError', rate: 0.3, seed: 42 });
      const hits: boolean[] = [];
      for (let i = 0; i < 50; i++) hits.push((await f.decide(call(), T0)) !== undefined);
      return hits;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    // The n-th draw is a pure function of the seed and n, as several instances need.
    assert.deepEqual(
      first,
      Array.from({ length: 50 }, (_, i) => randomAt(42, i + 1) < 0.3),
    );
    const hits = first.filter(Boolean).length;
    assert.ok(hits > 5 && hits < 25, `${hits} of 50 at rate 0.3`);
  });

  it('never touches an operation, app, method or machine it is not scoped to', async () => {
    const f = injector({ operations: ['SetDeviceValue'], applications: ['app'], methods: ['POST'], machines: ['M1'], error: 'InternalServerError' });
    assert.ok(await f.decide(call(), T0));
    assert.equal(await f.decide(call('GetMachine'), T0), undefined);
    assert.equal(await f.decide(call('SetDeviceValue', { appId: 'other' }), T0), undefined);
    assert.equal(await f.decide(call('SetDeviceValue', { method: 'GET' }), T0), undefined);
    assert.equal(await f.decide(call('SetDeviceValue', { machineKey: 'm2' }), T0), undefined);
    assert.equal(await f.decide(call('SetDeviceValue', { tenantId: 'u' }), T0), undefined);
  });

  it('fires only inside its time span', async () => {
    const f = injector({ latencyMs: 250, durationSeconds: 60 });
    assert.deepEqual((await f.decide(call(), T0))?.action, { kind: 'latency', ms: 250 });
    assert.equal(await f.decide(call(), T0 + 60_000), undefined);
  });

  it('gives throttling faults a Retry-After, like the real 429', () => {
    assert.deepEqual(faultRuleFromSpec({ error: 'TooManyRequests' }, 't', T0).action, { kind: 'error', code: 'TooManyRequests', retryAfterSeconds: 1 });
  });

  it('refuses rules that are ambiguous or wrong, naming the problem', () => {
    assert.throws(() => faultRuleFromSpec({}, 't', T0), /exactly one of error, latencyMs, drop, truncate/);
    assert.throws(() => faultRuleFromSpec({ drop: true, truncate: true }, 't', T0), /exactly one/);
    assert.throws(() => faultRuleFromSpec({ error: 'Teapot' }, 't', T0), /not an error code/);
    assert.throws(() => faultRuleFromSpec({ drop: true, calls: '2-1' }, 't', T0), /N-M/);
    assert.throws(() => faultRuleFromSpec({ drop: true, calls: '1', rate: 0.5 }, 't', T0), /at most one trigger/);
    assert.throws(() => faultRuleFromSpec({ drop: true, rate: 2 }, 't', T0), /between 0 and 1/);
  });

  it('round-trips a rule through its written form', () => {
    const spec = { id: 'x', operations: ['GetMachine'], error: 'TooManyRequests', retryAfterSeconds: 7, calls: '2-3' };
    assert.deepEqual(faultRuleToSpec(faultRuleFromSpec(spec, 't', T0)), spec);
  });
});

describe('request journal', () => {
  const entry = (n: number): JournalEntry => ({
    at: `t${n}`, requestId: `r${n}`, method: 'GET', path: '/api/machines/x', operation: 'GetMachine', appId: 'a', userId: null, status: 200, latencyMs: 1, fault: null,
  });

  it('keeps the last N calls per tenant, newest first', () => {
    const journal = new MemoryJournal(3);
    for (let i = 1; i <= 5; i++) journal.record('t', entry(i));
    journal.record('u', entry(9));
    assert.deepEqual(journal.list('t', 10).map((e) => e.requestId), ['r5', 'r4', 'r3']);
    assert.deepEqual(journal.list('t', 2).map((e) => e.requestId), ['r5', 'r4']);
    journal.clear('t');
    assert.deepEqual(journal.list('t', 10), []);
    assert.equal(journal.list('u', 10).length, 1);
  });
});

describe('fault rules switched off', () => {
  it('keep their definition and never fire until switched on', async () => {
    const f = new FaultInjector();
    const rule = faultRuleFromSpec({ id: 'off', error: 'InternalServerError', enabled: false }, 't', T0);
    f.setRules('t', [rule]);
    assert.equal(await f.decide(call(), T0), undefined);
    assert.deepEqual(faultRuleToSpec(rule), { id: 'off', error: 'InternalServerError', enabled: false });
    f.setRules('t', [{ ...rule, enabled: true }]);
    assert.equal((await f.decide(call(), T0))?.ruleId, 'off');
  });
});
