import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp, timestampFromMillis, timestampToMillis, wireTimestamp, type Timestamp } from '../src/shared/timestamp.js';

describe('timestamps', () => {
  it('stores a fixed-width 7-digit form that sorts as text', () => {
    const a = timestampFromMillis(Date.UTC(2021, 0, 26, 20, 33, 59, 200));
    assert.equal(a, '2021-01-26T20:33:59.2000000Z');
    const b = timestampFromMillis(Date.UTC(2021, 0, 26, 20, 34, 0, 0));
    assert.ok(a < b);
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
