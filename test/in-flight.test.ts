/** src/shared/in-flight.ts: a window of concurrent calls, results in order, the first failure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inFlight } from '../src/shared/in-flight.js';

/** A call that finishes when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('inFlight', () => {
  it('keeps at most `limit` calls going and starts the next as soon as any one finishes', async () => {
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const done = inFlight([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await gates[i]?.promise;
      running--;
      return i * 10;
    });
    await settle();
    assert.deepEqual(started, [0, 1]);
    gates[1]?.resolve(); // the second finishes first: its slot takes the third while the first still runs
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    for (const gate of gates) gate.resolve();
    assert.deepEqual(await done, [0, 10, 20, 30, 40]);
    assert.equal(most, 2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      inFlight([0, 1, 2, 3], 1, async (i) => {
        started.push(i);
        if (i === 1) throw new Error('device 1');
        return i;
      }),
      /device 1/,
    );
    assert.deepEqual(started, [0, 1]);
  });

  it('answers an empty list at once', async () => {
    assert.deepEqual(await inFlight([], 3, async () => 1), []);
  });
});
