import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseTimestamp, timestampFromMillis, timestampToMillis, wireTimestamp, type Timestamp } from '../src/shared/timestamp.js';

describe('timestamps', () => {
  it('stores a fixed-width 7-digit form that sorts as text', () => {
    const a = timestampFromMillis(Date.UTC(2021, 0, 26, 20, 33, 59, 200));
    assert.equal(a, '2021-01-26T20:33:59.2000000Z');
    const b = timestampFromMillis(Date.UTC(2021, 0, 26, 20, 34, 0, 0));
    assert.ok(a < b);
  });

  it('formats any instant exactly as Date.toISOString does, padded to 7 digits', () => {
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
    fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => timestampFromMillis(ms) === iso(ms)), { numRuns: 20_000 });
    for (const ms of [0, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999), -1, 1.5, Date.UTC(10000, 0, 1)]) {
      assert.equal(timestampFromMillis(ms), iso(ms));
    }
  });

  it('reads the stored form back to the same instant, and anything else as Date.parse does', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => timestampToMillis(timestampFromMillis(ms)) === ms), { numRuns: 20_000 });
    for (const text of ['2021-01-26T24:00:00.0000000Z', '2021-02-30T10:00:00.0000000Z', '2021-01-26T20:33:5x.0000000Z', '2021-01-26T20:33:59Z', '2021-01-26T20:33:59.1234567Z']) {
      assert.deepEqual(timestampToMillis(text as Timestamp), Date.parse(`${text.slice(0, 23)}Z`), text);
    }
  });

  it('emits the wire form with trailing zeros dropped, as the service does', () => {
    assert.equal(wireTimestamp('2018-08-02T14:55:03.7791856Z' as Timestamp), '2018-08-02T14:55:03.7791856Z');
    assert.equal(wireTimestamp('2021-01-26T20:33:59.2000000Z' as Timestamp), '2021-01-26T20:33:59.2Z');
    assert.equal(wireTimestamp('2021-01-26T20:33:59.0000000Z' as Timestamp), '2021-01-26T20:33:59Z');
  });

  it('parses the forms real data carries, keeping 7 digits', () => {
    assert.equal(parseTimestamp('2018-08-02T14:55:03.7791856Z'), '2018-08-02T14:55:03.7791856Z');
    assert.equal(parseTimestamp('2018-08-02T14:55:03Z'), '2018-08-02T14:55:03.0000000Z');
    assert.equal(parseTimestamp('2018-08-02T16:55:03.5+02:00'), '2018-08-02T14:55:03.5000000Z');
    assert.equal(parseTimestamp('2018-08-01Z'), '2018-08-01T00:00:00.0000000Z');
    assert.equal(parseTimestamp('2018-08-02T14:55:03.123456789Z'), '2018-08-02T14:55:03.1234567Z');
  });

  it('refuses what is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2018-13-02T00:00:00Z', '2018-08-02 14:55:03Z', '2018-08-02T14:55:03']) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });

  it('round-trips milliseconds', () => {
    const ms = Date.UTC(2024, 5, 1, 12, 0, 0, 123);
    assert.equal(timestampToMillis(timestampFromMillis(ms)), ms);
  });
});
