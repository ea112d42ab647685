import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asBulkResult, summarize } from '../src/console/bulk-result.js';
import { ResultSeal, LARGEST_SEALED } from '../src/console/flash.js';
import { instant } from '../src/console/format.js';
import { csvField, csvRow } from '../src/shared/csv.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { faultSpent } from '../src/domain/traffic/faults.js';
import { journalBody, JOURNAL_BODY_LIMIT } from '../src/domain/traffic/journal-body.js';
import type { Session } from '../src/console/session.js';

describe('CSV fields', () => {
  it('quotes what RFC 4180 needs quoted and doubles quotes', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(7), '7');
    assert.equal(csvRow(['a', 'b,c', null]), 'a,"b,c",\r\n');
  });

  it('defuses a cell a spreadsheet would run as a formula', () => {
    for (const [given, written] of [
      ['=1+1', "'=1+1"],
      ['+SUM(A1)', "'+SUM(A1)"],
      ['-2+3', "'-2+3"],
      ['@cmd', "'@cmd"],
      ['\t=1', "'\t=1"],
      ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
      ['a=1', 'a=1'],
    ] as const) {
      assert.equal(csvField(given), written, given);
    }
  });
});

describe('journal bodies', () => {
  it('redacts secrets at any depth, in JSON and in form text', () => {
    assert.equal(
      journalBody({ DeviceValue: 'High', client_secret: 'x', Password: 'y', nested: [{ client_assertion: 'z', refresh_token: 't', Authorization: 'Bearer q' }] }),
      '{"DeviceValue":"High","client_secret":"[redacted]","Password":"[redacted]","nested":[{"client_assertion":"[redacted]","refresh_token":"[redacted]","Authorization":"[redacted]"}]}',
    );
    assert.equal(journalBody('grant_type=client_credentials&client_secret=abc&scope=x&password=p'), 'grant_type=client_credentials&client_secret=[redacted]&scope=x&password=[redacted]');
    assert.equal(journalBody(undefined), null);
    assert.equal(journalBody(null), null);
  });

  it('keeps at most the limit, however large or deep the body', () => {
    const huge = { MachineIds: Array.from({ length: 100_000 }, (_, i) => `id-${i}`), text: 'x'.repeat(1_000_000) };
    const shown = journalBody(huge);
    assert.ok(shown !== null && shown.length === JOURNAL_BODY_LIMIT + 1 && shown.endsWith('…'));
    assert.ok(shown.startsWith('{"MachineIds":["id-0","id-1",'));
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    assert.match(journalBody(deep) ?? '', /^\[{16}"…"\]{16}$/);
    assert.equal(journalBody({ a: 1 }, 4), '{"a"…');
  });
});

describe('spent fault rules', () => {
  it('is spent when its calls are used up or its span is over, never for always or rate', () => {
    assert.equal(faultSpent({ kind: 'calls', from: 1, to: 3 }, 2, 0), false);
    assert.equal(faultSpent({ kind: 'calls', from: 1, to: 3 }, 3, 0), true);
    assert.equal(faultSpent({ kind: 'span', from: 0, until: 100 }, 0, 99), false);
    assert.equal(faultSpent({ kind: 'span', from: 0, until: 100 }, 0, 100), true);
    assert.equal(faultSpent({ kind: 'always' }, 1e9, 1e12), false);
    assert.equal(faultSpent({ kind: 'rate', rate: 0.5, seed: 1 }, 1e9, 1e12), false);
  });
});

describe('bulk results', () => {
  const session = (sid: string): Session => ({ tenantId: 't', userId: 'u', userPrincipalName: 'u@x', expiresAt: 1e13, sid });
  const machine = (i: number): Machine => ({ id: `${i}`.padStart(40, '0'), computerDnsName: `device-${i}-${'n'.repeat(90)}` }) as Machine;

  it('seal to their session, expire, and refuse a change to a single character', () => {
    const seal = new ResultSeal('a-secret-of-sixteen+');
    const sealed = seal.seal(session('s1'), { n: 1 }, 1000);
    assert.deepEqual(seal.open(session('s1'), sealed, 1000), { n: 1 });
    assert.equal(seal.open(session('s2'), sealed, 1000), undefined);
    assert.equal(seal.open(session('s1'), sealed, 1000 + 600_000), undefined);
    assert.equal(seal.open(session('s1'), `${sealed.slice(0, 5)}${sealed[5] === 'A' ? 'B' : 'A'}${sealed.slice(6)}`, 1000), undefined);
    assert.equal(new ResultSeal('another-secret-16+').open(session('s1'), sealed, 1000), undefined);
  });

  it('fit in a cookie with whole counts, however many devices were set', () => {
    const set = Array.from({ length: 5000 }, (_, i) => machine(i));
    const refused = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, reason: 'r'.repeat(300) }));
    const result = summarize({ value: 'High', set, already: 7, refused }, '?tag=x');
    assert.equal(result.set, 5000);
    assert.equal(result.refusedCount, 300);
    assert.ok(result.setShown.length > 0);
    const sealed = new ResultSeal('a-secret-of-sixteen+').seal(session('s'), result, 0);
    assert.ok(sealed.length < LARGEST_SEALED, `${sealed.length}`);
    assert.deepEqual(asBulkResult(JSON.parse(JSON.stringify(result))), result);
    assert.equal(asBulkResult({ ...result, back: 'https://elsewhere' }), undefined);
    assert.equal(asBulkResult({ ...result, value: 'Huge' }), undefined);
  });
});

describe('journal times', () => {
  it('show the millisecond, in UTC', () => {
    assert.equal(instant('2026-12-07T14:08:09.123Z'), '2026-12-07 14:08:09.123 UTC');
    assert.equal(instant(''), '');
  });
});
