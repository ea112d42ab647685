import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveLimits, MDE_LIMITS } from '../src/domain/traffic/limits.js';
import { WindowLimiter } from '../src/limits/window-limiter.js';
import { ManualClock } from '../src/shared/clock.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('window limiter', () => {
  it('admits the 100th call in a minute and refuses the 101st until the minute ends', () => {
    const clock = new ManualClock(T0);
    const limiter = new WindowLimiter(clock);
    for (let i = 1; i <= 100; i++) {
      assert.deepEqual(limiter.consume('k', MDE_LIMITS), { admitted: true }, `call ${i}`);
      clock.advance(100);
    }
    // 100 calls took 10 s: the window that opened at T0 closes 50 s from now.
    assert.deepEqual(limiter.consume('k', MDE_LIMITS), { admitted: false, retryAfterSeconds: 50 });
    clock.advance(49_999);
    assert.equal(limiter.consume('k', MDE_LIMITS).admitted, false);
    clock.advance(1);
    assert.deepEqual(limiter.consume('k', MDE_LIMITS), { admitted: true });
  });

  it('rounds a partial second of waiting up, never to zero', () => {
    const clock = new ManualClock(T0);
    const limiter = new WindowLimiter(clock);
    const limits = { perMinute: 1, perHour: null };
    limiter.consume('k', limits);
    clock.advance(59_500);
    assert.deepEqual(limiter.consume('k', limits), { admitted: false, retryAfterSeconds: 1 });
  });

  it('throttles on the hour window alone', () => {
    const clock = new ManualClock(T0);
    const limiter = new WindowLimiter(clock);
    let admitted = 0;
    // 100 a minute for 15 minutes reaches 1500 without ever tripping the minute limit.
    for (let minute = 0; minute < 15; minute++) {
      for (let i = 0; i < 100; i++) if (limiter.consume('k', MDE_LIMITS).admitted) admitted++;
      clock.advance(60_000);
    }
    assert.equal(admitted, 1500);
    const refused = limiter.consume('k', MDE_LIMITS);
    assert.deepEqual(refused, { admitted: false, retryAfterSeconds: 45 * 60 });
  });

  it('keeps separate budgets per key and forgets a reset prefix', () => {
    const clock = new ManualClock(T0);
    const limiter = new WindowLimiter(clock);
    const one = { perMinute: 1, perHour: null };
    assert.equal(limiter.consume('t1/app/op', one).admitted, true);
    assert.equal(limiter.consume('t1/app/op', one).admitted, false);
    assert.equal(limiter.consume('t1/app/other', one).admitted, true);
    assert.equal(limiter.consume('t2/app/op', one).admitted, true);
    limiter.reset('t1/');
    assert.equal(limiter.consume('t1/app/op', one).admitted, true);
    assert.equal(limiter.consume('t2/app/op', one).admitted, false);
  });

  it('restores counters from a snapshot, so a restart gives no fresh budget', () => {
    const clock = new ManualClock(T0);
    const first = new WindowLimiter(clock);
    for (let i = 0; i < 100; i++) first.consume('k', MDE_LIMITS);
    const second = new WindowLimiter(clock);
    second.restore(first.snapshot());
    assert.equal(second.consume('k', MDE_LIMITS).admitted, false);
  });
});

describe('effective limits', () => {
  it('defaults to the real service: 100 a minute, 1500 an hour', () => {
    assert.deepEqual(effectiveLimits({}), { perMinute: 100, perHour: 1500 });
  });
  it('takes the most specific level that says something', () => {
    assert.deepEqual(effectiveLimits({ perMinute: 1000 }, { perHour: 5 }, { perMinute: 7 }), { perMinute: 7, perHour: 5 });
    assert.equal(effectiveLimits({ enabled: false }), null);
    assert.deepEqual(effectiveLimits({ enabled: false }, { enabled: true }), MDE_LIMITS);
    assert.equal(effectiveLimits({}, { enabled: true }, { enabled: false }), null);
    assert.deepEqual(effectiveLimits({}, { perMinute: null }), { perMinute: null, perHour: 1500 });
  });
});
