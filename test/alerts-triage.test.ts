/**
 * The alert's pure rules, without a server: ids in the real form, a new alert's defaults,
 * evidence with every key, and triage (what changes, what is recorded, resolvedTime).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertIdFor, alertIdMillis, createAlert, evidenceOf } from '../src/domain/alerts/alert-factory.js';
import { alertToJson, ALERT_KEYS, evidenceToJson } from '../src/domain/alerts/alert-json.js';
import { applyTriage, parseBatchUpdate, parseTriage } from '../src/domain/alerts/alert-triage.js';
import { ApiError } from '../src/domain/errors.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { EVIDENCE_KEYS } from './helpers/alerts.js';

const T0 = Date.parse('2021-01-26T20:33:58.2838869Z');
const base = createAlert({
  tenantId: 't', machineId: 'm', nowMs: T0, idSuffix: -880718168, detectorId: 'd', severity: 'High', category: 'Malware',
  title: 'x', description: 'y', detectionSource: 'WindowsDefenderAv',
});
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describe('alert rules', () => {
  it('ids carry the creation moment in .NET ticks and a signed 32-bit number', () => {
    assert.equal(alertIdFor(Date.parse('2021-01-26T20:33:58.283Z'), 1364969609), 'da637472900382830000_1364969609');
    assert.equal(alertIdFor(T0, -880718168), base.id);
    assert.match(alertIdFor(T0, 2 ** 31), /_-2147483648$/, 'wraps to 32 bits, as the real ids do');
    assert.equal(alertIdMillis(alertIdFor(T0, -880718168)), T0, 'the id gives its creation moment back (the console pages by it)');
    assert.equal(alertIdMillis('da637472900382838869_1364969609'), Date.parse('2021-01-26T20:33:58.283Z'));
    assert.equal(alertIdMillis('not-an-alert'), undefined);
  });

  it('a new alert is New, unassigned, unclassified, created and updated now; JSON has the 29 keys', () => {
    const now = timestampFromMillis(T0);
    assert.deepEqual([base.status, base.assignedTo, base.classification, base.resolvedTime, base.lastUpdateTime, base.alertCreationTime], ['New', null, null, null, now, now]);
    const json = alertToJson({ alert: base, computerDnsName: 'h', rbacGroupName: null, aadTenantId: 't' }, false);
    assert.deepEqual(Object.keys(json), [...ALERT_KEYS]);
    assert.equal(json.alertCreationTime, '2021-01-26T20:33:58.283Z');
  });

  it('evidence of any kind has all 25 keys, the foreign ones null', () => {
    const e = evidenceToJson(evidenceOf('Ip', timestampFromMillis(T0), { ipAddress: '10.0.0.1' }));
    assert.deepEqual(Object.keys(e), EVIDENCE_KEYS);
    assert.deepEqual(Object.entries(e).filter(([, v]) => v !== null).map(([k]) => k), ['entityType', 'evidenceCreationTime', 'ipAddress']);
  });

  it('triage changes only what differs, stamps and clears resolvedTime, appends comments', () => {
    const now = timestampFromMillis(T0 + 1000);
    const resolved = applyTriage(base, parseTriage({ status: 'RESOLVED', comment: 'done', assignedTo: 'a@b.c' }), 'me', now);
    assert.deepEqual(resolved.changes.map((c) => [c.field, c.from, c.to]), [['status', 'New', 'Resolved'], ['assignedTo', null, 'a@b.c'], ['comment', null, 'done']]);
    assert.deepEqual([resolved.alert.resolvedTime, resolved.alert.lastUpdateTime, resolved.alert.comments], [now, now, [{ comment: 'done', createdBy: 'me', createdTime: now }]]);
    const later = timestampFromMillis(T0 + 2000);
    const same = applyTriage(resolved.alert, parseTriage({ status: 'Resolved', assignedTo: 'a@b.c' }), 'me', later);
    assert.deepEqual([same.changes, same.alert], [[], resolved.alert], 'nothing to record, nothing moves');
    const reopened = applyTriage(resolved.alert, parseTriage({ status: 'New', assignedTo: null }), 'me', later);
    assert.deepEqual([reopened.alert.resolvedTime, reopened.alert.assignedTo, reopened.alert.comments.length], [null, null, 1]);
  });

  it('refuses bodies with the documented codes', () => {
    assert.equal(code(() => parseTriage({ status: 'Unknown' })), 'InvalidInput: The value "Unknown" is not valid for status. Allowed values: New, InProgress, Resolved.');
    assert.equal(code(() => parseTriage({ Comment: 'x' })), 'MissingRequiredParameter: Parameter status, assignedTo, classification, determination, comment is missing.');
    assert.equal(code(() => parseTriage({ comment: 'a\u0000b' })), 'InvalidInput: comment must not contain control characters.');
    assert.equal(code(() => parseTriage('x')), 'InvalidRequestBody: The request body must be a JSON object.');
    assert.equal(parseTriage({ determination: 'notmalicious' }).determination, 'NotMalicious');
    assert.equal(parseTriage({ classification: 'unknown' }).classification, null);
    assert.deepEqual(parseBatchUpdate({ alertIds: ['DA1_1', 'da1_1'], comment: 'c' }).alertIds, ['da1_1']);
    assert.equal(code(() => parseBatchUpdate({ alertIds: 'da1_1', comment: 'c' })), 'InvalidInput: alertIds must be a non-empty array of alert ids.');
  });
});
