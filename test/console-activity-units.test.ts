/**
 * The Activity page's query string (src/console/activity-view.ts): what it refuses itself, how a
 * form's fields become the fleet audit's parameters, and the links it builds. Every value is
 * validated by AuditService (test/console-activity.test.ts); here only the translation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAuditCursor } from '../src/domain/audit/audit-cursor.js';
import { ApiError } from '../src/domain/errors.js';
import type { Timestamp } from '../src/shared/timestamp.js';
import { activityLink, auditParameters, parseActivityView } from '../src/console/activity-view.js';

const refused = (query: Record<string, unknown>, message: RegExp) =>
  assert.throws(() => parseActivityView(query), (e: unknown) => e instanceof ApiError && e.status === 400 && message.test(e.message));

describe('the Activity view', () => {
  const token = encodeAuditCursor({ at: '2026-12-07T09:14:03.5120000Z' as Timestamp, seq: 4711 });

  it('drops empty form fields and reads a time written as the page shows it as UTC', () => {
    const view = parseActivityView({ from: '2026-12-01 08:00', to: ' 2026-12-02T09:30:15 UTC ', user: ' admin@rampart.demo ', application: '', device: '', oldValue: '', newValue: 'high', route: '' });
    assert.deepEqual(auditParameters(view, true), { from: '2026-12-01T08:00:00Z', to: '2026-12-02T09:30:15Z', user: 'admin@rampart.demo', newValue: 'high' });
  });

  it('passes every other time as given, for the audit to accept or refuse', () => {
    for (const from of ['2026-12-01', '2026-12-01T08:00:00+01:00', 'yesterday', '2026-12-01 8:00']) {
      assert.equal(auditParameters(parseActivityView({ from }), false).from, from);
    }
  });

  it('carries the cursor as the audit\'s $skiptoken only when asked (the CSV starts at the first page)', () => {
    const view = parseActivityView({ route: 'console', after: token });
    assert.deepEqual(auditParameters(view, true), { route: 'console', $skiptoken: token });
    assert.deepEqual(auditParameters(view, false), { route: 'console' });
  });

  it('refuses an unknown parameter, one given twice, and a cursor it did not issue', () => {
    refused({ limit: '5' }, /^Unknown parameter "limit"\. The Activity page takes from, to, user, application, device, oldValue, newValue, route, after\.$/);
    refused({ $skiptoken: token }, /^Unknown parameter "\$skiptoken"/);
    refused({ user: ['a', 'b'] }, /^The parameter user may be given once\.$/);
    refused({ after: 'abc' }, /^The value of after is not a page this console linked to/);
  });

  it('links keep the filters as typed, in one order, and start where asked', () => {
    const view = parseActivityView({ newValue: 'High', user: 'admin@rampart.demo', from: '2026-12-01 08:00', device: '' });
    assert.equal(activityLink(view, ''), '/console/activity?from=2026-12-01+08%3A00&user=admin%40rampart.demo&newValue=High');
    assert.equal(activityLink(view, token), `/console/activity?from=2026-12-01+08%3A00&user=admin%40rampart.demo&newValue=High&after=${token}`);
    assert.equal(activityLink(parseActivityView({}), '', '/console/activity.csv'), '/console/activity.csv');
  });
});
