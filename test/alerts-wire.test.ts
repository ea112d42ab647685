/**
 * Alerts on the wire (shared/spec/alerts.md): every route, with exact statuses, headers and
 * bodies, under /api and /api/v1.0, on the backend RAMPART_TEST_STORE names. Time is the
 * injected clock's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis, wireTimestamp } from '../src/shared/timestamp.js';
import { addMachine, type Json } from './helpers/actions.js';
import { alertInput, ALERT_KEYS, expectAlert, expectAlerts, raiseAlerts } from './helpers/alerts.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { userToken } from './helpers/tokens.js';
import { expectEntity, expectError, ODATA_CONTENT_TYPE, rawRequest } from './helpers/wire.js';

const wire = (ms: number) => wireTimestamp(timestampFromMillis(ms));

describe('alerts on the wire', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  let server: TestServer;
  let headers: Record<string, string>;
  let lab: Machine;
  let servers: Machine;
  const url = (path: string) => `${server.base}${path}`;
  const get = (path: string, h = headers) => call(url(path), { headers: h });
  const send = (method: 'PATCH' | 'POST', path: string, body: unknown, h = headers) => call(url(path), { method, headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  before(async () => {
    server = await startTestServer({ rateLimits: true }, clock);
    headers = bearer(await server.token());
    lab = await addMachine(server.app, { rbacGroupId: 103, rbacGroupName: 'Lab', machineTags: ['Lab'] });
    servers = await addMachine(server.app, { osPlatform: 'WindowsServer2022', rbacGroupId: 101, rbacGroupName: 'Servers' });
  });
  after(() => server.close());

  it("answers XSOAR's instance test, GET /api/alerts?%24top=1, on /api and /api/v1.0", async () => {
    await raiseAlerts(server.app, [alertInput(lab.id, clock.now())]);
    for (const prefix of ['/api', '/api/v1.0']) {
      const value = await expectAlerts(await get(`${prefix}/alerts?%24top=1`), server.base);
      assert.equal(value.length, 1);
      assert.deepEqual(Object.keys(value[0] as Json), [...ALERT_KEYS]);
      assert.deepEqual((value[0] as Json).evidence, [], 'a list carries no evidence unless expanded');
    }
  });

  it('GET /alerts/{id} is the whole alert with its evidence, every key present, nulls explicit', async () => {
    clock.advance(1000);
    const now = clock.now();
    const [alert] = await raiseAlerts(server.app, [alertInput(lab.id, now, { severity: 'High', category: 'CredentialAccess', title: 'Credential theft' })]);
    assert.ok(alert);
    const body = await expectAlert(await get(`/api/v1.0/alerts/${alert.id.toUpperCase()}`), server.base);
    const at = wire(now);
    assert.match(String(body.id), /^da\d{18}_-?\d{1,10}$/);
    assert.deepEqual({ ...body, evidence: (body.evidence as Json[]).map((e) => [e.entityType, e.fileName, e.accountName, e.detectionStatus]) }, {
      '@odata.context': `${server.base}/api/$metadata#Alerts/$entity`,
      id: alert.id,
      incidentId: null,
      investigationId: null,
      assignedTo: null,
      severity: 'High',
      status: 'New',
      classification: null,
      determination: null,
      investigationState: null,
      detectionSource: 'WindowsDefenderAtp',
      detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952',
      category: 'CredentialAccess',
      threatFamilyName: null,
      title: 'Credential theft',
      description: 'A suspicious PowerShell activity was observed on the machine.',
      alertCreationTime: at,
      firstEventTime: at,
      lastEventTime: at,
      lastUpdateTime: at,
      resolvedTime: null,
      machineId: lab.id,
      computerDnsName: lab.computerDnsName,
      rbacGroupName: 'Lab',
      aadTenantId: DEMO_TENANT_ID,
      threatName: null,
      mitreTechniques: ['T1059.001', 'T1064'],
      relatedUser: { userName: 'alex', domainName: 'CONTOSO' },
      comments: [],
      evidence: [['Process', 'powershell.exe', null, 'Detected'], ['User', null, 'alex', null]],
    });
    const missing = 'da637472900382838869_1364969609';
    await expectError(await get(`/api/alerts/${missing}`), 404, 'ResourceNotFound', `Alert ${missing} was not found`);
    await expectError(await get(`/api/alerts/${missing}/machine`), 404, 'ResourceNotFound', `Alert ${missing} was not found`);
  });

  it('lists with $expand=evidence, $select, $orderby, $top, $skip and $count', async () => {
    const machine = await addMachine(server.app);
    const created: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      const [a] = await raiseAlerts(server.app, [alertInput(machine.id, clock.now(), { title: `ordered ${i}` })]);
      created.push(a?.id ?? '');
    }
    const base = `/api/machines/${machine.id}/alerts`;
    const expanded = await expectAlerts(await get(`${base}?$expand=evidence`), server.base);
    assert.deepEqual(expanded.map((a) => a.id), [...created].reverse(), 'newest first by default');
    assert.ok(expanded.every((a) => (a.evidence as unknown[]).length === 2));
    const asc = await expectAlerts(await get(`${base}?$orderby=alertCreationTime asc&$top=2&$skip=1`), server.base);
    assert.deepEqual(asc.map((a) => a.id), created.slice(1, 3));
    const selected = await get(`${base}?$select=status,id&$top=1&$count=true`);
    const text = await selected.text();
    assert.equal(selected.status, 200, text);
    assert.equal(text, JSON.stringify({ '@odata.context': `${server.base}/api/$metadata#Alerts(id,status)`, '@odata.count': 4, value: [{ id: created[3], status: 'New' }] }));
    // By computer name too, as every machine-scoped route.
    assert.equal((await expectAlerts(await get(`/api/machines/${machine.computerDnsName}/alerts`), server.base)).length, 4);
    await expectError(await get('/api/machines/nothing.contoso.com/alerts'), 404, 'ResourceNotFound', 'Machine nothing.contoso.com was not found');
  });

  it('refuses bad OData with 400 ODataError naming the problem', async () => {
    const cases: [string, string | RegExp][] = [
      ["$filter=title eq 'x'", "Could not find a property named 'title' on type 'Alert'."],
      ['$filter=alertCreationTime gt 2026-13-01T00:00:00Z', /not a valid DateTimeOffset/],
      ["$filter=status eq 'New' and", /Syntax error in \$filter/],
      ['$top=10001', "The value '10001' is not valid for $top: it must be a whole number from 1 to 10000."],
      ['$select=id,nothing', "Could not find a property named 'nothing' on type 'Alert'."],
      ['$expand=machine', "Could not find a property named 'machine' on type 'Alert'."],
      ['$orderby=severity desc', "The property 'severity' cannot be used in $orderby."],
      ['$search=x', "The query parameter '$search' is not supported."],
    ];
    for (const [query, message] of cases) await expectError(await get(`/api/alerts?${query}`), 400, 'ODataError', message);
    assert.equal((await expectAlerts(await get('/api/alerts?$top=10000'), server.base)).length > 0, true);
  });

  it("reads XSOAR's fetch query byte for byte: literal + separators, sub-second gt, asc before $top, $expand", async () => {
    const machine = await addMachine(server.app);
    clock.advance(1000);
    const since = clock.now();
    clock.advance(5);
    const [fresh] = await raiseAlerts(server.app, [alertInput(machine.id, clock.now(), { severity: 'High', detectionSource: 'WindowsDefenderAv' })]);
    const iso = new Date(since + 1).toISOString().replace('Z', '000Z'); // %Y-%m-%dT%H:%M:%S.%fZ
    const filter = encodeURIComponent(`alertCreationTime+gt+${iso}`).replace(/%20/g, '+') +
      '+and+%28%28status%2Beq%2B%27New%27%29+or+%28status%2Beq%2B%27InProgress%27%29%29' +
      '+and+%28%28severity%2Beq%2B%27High%27%29%29+and+%28%28detectionSource%2Beq%2B%27WindowsDefenderAv%27%29%29';
    const path = `/api/alerts?%24filter=${filter}&%24orderby=alertCreationTime+asc&%24expand=evidence&%24top=50`;
    const reply = await rawRequest(server.base, { method: 'GET', path, headers });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.header('content-type'), ODATA_CONTENT_TYPE);
    const value = (JSON.parse(reply.text) as { value: Json[] }).value;
    assert.deepEqual(value.map((a) => a.id), [fresh?.id]);
    assert.equal((value[0]?.evidence as unknown[]).length, 2);
    // list-alerts: no space before `and`, and the `+00:00Z` its date formatting produces.
    const listAlerts = `severity eq 'High' and status eq 'New'and alertCreationTime+gt+${new Date(since).toISOString().slice(0, 19)}+00:00Z`;
    const listed = await expectAlerts(await get(`/api/alerts?$filter=${encodeURIComponent(listAlerts)}&$top=50&$expand=evidence`), server.base);
    assert.deepEqual(listed.map((a) => a.id), [fresh?.id]);
  });

  it('PATCH triages: status, assignee, classification, determination, appended comments, resolvedTime; each change audited', async () => {
    clock.advance(60_000);
    const [alert] = await raiseAlerts(server.app, [alertInput(lab.id, clock.now())]);
    assert.ok(alert);
    clock.advance(1000);
    const resolvedAt = wire(clock.now());
    const body = { status: 'resolved', assignedTo: 'secop2@contoso.com', classification: 'FalsePositive', determination: 'Malware', comment: 'Resolve my alert and assign to secop2' };
    const resolved = await expectAlert(await send('PATCH', `/api/alerts/${alert.id}`, body), server.base);
    assert.deepEqual(
      { status: resolved.status, assignedTo: resolved.assignedTo, classification: resolved.classification, determination: resolved.determination, resolvedTime: resolved.resolvedTime, lastUpdateTime: resolved.lastUpdateTime },
      { status: 'Resolved', assignedTo: 'secop2@contoso.com', classification: 'FalsePositive', determination: 'Malware', resolvedTime: resolvedAt, lastUpdateTime: resolvedAt },
    );
    assert.deepEqual(resolved.comments, [{ comment: 'Resolve my alert and assign to secop2', createdBy: 'Rampart demo application', createdTime: resolvedAt }]);
    assert.equal((resolved.evidence as unknown[]).length, 2, 'the full alert');
    // A user's comment names the user; reopening clears resolvedTime; classification Unknown clears it (XSOAR sends it).
    clock.advance(1000);
    const admin = bearer(await userToken(server.base, DEMO_USERS.admin));
    const reopened = await expectAlert(await send('PATCH', `/api/v1.0/alerts/${alert.id}`, { status: 'InProgress', classification: 'Unknown', comment: 'not so fast' }, admin), server.base);
    assert.equal(reopened.resolvedTime, null);
    assert.equal(reopened.classification, null);
    assert.deepEqual((reopened.comments as Json[]).map((c) => [c.comment, c.createdBy, c.createdTime]), [
      ['Resolve my alert and assign to secop2', 'Rampart demo application', resolvedAt],
      ['not so fast', DEMO_USERS.admin.userPrincipalName, wire(clock.now())],
    ]);
    // Setting what is already set answers the alert and records nothing.
    clock.advance(1000);
    const same = await expectAlert(await send('PATCH', `/api/alerts/${alert.id}`, { status: 'InProgress' }), server.base);
    assert.equal(same.lastUpdateTime, reopened.lastUpdateTime);
    const history = await server.app.alerts.history(DEMO_TENANT_ID, alert.id);
    assert.deepEqual(history.map((h) => [h.route, h.changes.map((c) => c.field).join(','), h.userId === null ? 'app' : 'user']), [
      ['patch', 'status,classification,comment', 'user'],
      ['patch', 'status,assignedTo,classification,determination,comment', 'app'],
      ['seed', 'created', 'app'],
    ]);
    assert.deepEqual(history[1]?.changes[0], { field: 'status', from: 'New', to: 'Resolved' });
    assert.match(history[0]?.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('PATCH refuses what the real service refuses, changing nothing', async () => {
    const [alert] = await raiseAlerts(server.app, [alertInput(lab.id, clock.now())]);
    assert.ok(alert);
    const path = `/api/alerts/${alert.id}`;
    const missing = 'Parameter status, assignedTo, classification, determination, comment is missing.';
    await expectError(await send('PATCH', path, {}), 400, 'MissingRequiredParameter', missing);
    await expectError(await send('PATCH', path, { Status: 'Resolved' }), 400, 'MissingRequiredParameter', missing);
    await expectError(await send('PATCH', path, { status: 'Unknown' }), 400, 'InvalidInput', 'The value "Unknown" is not valid for status. Allowed values: New, InProgress, Resolved.');
    await expectError(await send('PATCH', path, { determination: 'Apt' }), 400, 'InvalidInput', /^The value "Apt" is not valid for determination\./);
    await expectError(await send('PATCH', path, { classification: 'Malicious' }), 400, 'InvalidInput');
    await expectError(await send('PATCH', path, { comment: '' }), 400, 'InvalidInput', 'comment must be a non-empty string of at most 10000 characters.');
    await expectError(await send('PATCH', path, { comment: 'x', status: 5 }), 400, 'InvalidInput');
    await expectError(await send('PATCH', path, '{"status":'), 400, 'InvalidRequestBody');
    await expectError(await send('PATCH', path, '[]'), 400, 'InvalidRequestBody');
    await expectError(await send('PATCH', '/api/alerts/da1_1', { status: 'Resolved' }), 404, 'ResourceNotFound', 'Alert da1_1 was not found');
    const after = await expectAlert(await get(path), server.base);
    assert.deepEqual([after.status, after.comments, after.lastUpdateTime], ['New', [], wire(clock.now())]);
    assert.equal((await server.app.alerts.history(DEMO_TENANT_ID, alert.id)).length, 1);
  });

  it('batchUpdate answers 200 with an empty body and updates all, or nothing when one id is unknown', async () => {
    clock.advance(1000);
    const raised = await raiseAlerts(server.app, [alertInput(lab.id, clock.now(), { title: 'b1' }), alertInput(servers.id, clock.now(), { title: 'b2' })]);
    const ids = raised.map((a) => a.id);
    const response = await send('POST', '/api/alerts/batchUpdate', { alertIds: ids, status: 'InProgress', assignedTo: 'secop2@contoso.com', comment: 'batch' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    for (const id of ids) {
      const a = await expectAlert(await get(`/api/alerts/${id}`), server.base);
      assert.deepEqual([a.status, a.assignedTo, (a.comments as Json[]).length, a.lastUpdateTime], ['InProgress', 'secop2@contoso.com', 1, wire(clock.now())]);
    }
    const unknown = 'da637472900382838869_1';
    await expectError(await send('POST', '/api/alerts/batchUpdate', { alertIds: [...ids, unknown], status: 'Resolved' }), 404, 'ResourceNotFound', `Alert ${unknown} was not found`);
    assert.equal((await expectAlert(await get(`/api/alerts/${ids[0]}`), server.base)).status, 'InProgress', 'all or nothing');
    await expectError(await send('POST', '/api/alerts/batchUpdate', { status: 'Resolved' }), 400, 'MissingRequiredParameter', 'Parameter alertIds is missing.');
    await expectError(await send('POST', '/api/alerts/batchUpdate', { alertIds: [], status: 'Resolved' }), 400, 'InvalidInput', 'alertIds must be a non-empty array of alert ids.');
    const many = Array.from({ length: 501 }, (_, i) => `da637472900382838869_${i}`);
    await expectError(await send('POST', '/api/alerts/batchUpdate', { alertIds: many, status: 'Resolved' }), 400, 'MaximumBatchSizeExceeded', 'Maximum batch size exceeded. Received: 501, allowed: 500.');
  });

  it('CreateAlertByReference creates an alert on the device, and merges an open one of the same title', async () => {
    clock.advance(1000);
    const body = { machineId: lab.id, severity: 'Low', title: 'test alert', description: 'test alert', recommendedAction: 'nothing', eventTime: '2026-03-01T09:31:12.6950356Z', reportId: 20776, category: 'Exploit' };
    const created = await expectAlert(await send('POST', '/api/alerts/CreateAlertByReference', body), server.base);
    const now = wire(clock.now());
    assert.deepEqual(
      [created.severity, created.status, created.category, created.title, created.machineId, created.alertCreationTime, created.firstEventTime, created.lastEventTime, created.detectionSource, created.evidence],
      ['Low', 'New', 'Exploit', 'test alert', lab.id, now, '2026-03-01T09:31:12.6950356Z', '2026-03-01T09:31:12.6950356Z', 'CustomerTI', []],
    );
    clock.advance(1000);
    const merged = await expectAlert(await send('POST', '/api/v1.0/alerts/CreateAlertByReference', { ...body, machineId: lab.computerDnsName, eventTime: '2026-03-01T09:45:00Z' }), server.base);
    assert.equal(merged.id, created.id);
    assert.deepEqual([merged.firstEventTime, merged.lastEventTime, merged.lastUpdateTime], ['2026-03-01T09:31:12.6950356Z', '2026-03-01T09:45:00Z', wire(clock.now())]);
    await send('PATCH', `/api/alerts/${created.id}`, { status: 'Resolved' });
    const again = await expectAlert(await send('POST', '/api/alerts/CreateAlertByReference', body), server.base);
    assert.notEqual(again.id, created.id, 'a resolved alert is not merged into');

    await expectError(await send('POST', '/api/alerts/CreateAlertByReference', { ...body, reportId: undefined }), 400, 'MissingRequiredParameter', 'Parameter reportId is missing.');
    await expectError(await send('POST', '/api/alerts/CreateAlertByReference', { ...body, severity: 'Critical' }), 400, 'InvalidInput', 'The value "Critical" is not valid for severity. Allowed values: Low, Medium, High.');
    await expectError(await send('POST', '/api/alerts/CreateAlertByReference', { ...body, eventTime: 'yesterday' }), 400, 'InvalidInput');
    await expectError(await send('POST', '/api/alerts/CreateAlertByReference', { ...body, machineId: 'f'.repeat(40) }), 404, 'ResourceNotFound', `Machine ${'f'.repeat(40)} was not found`);
  });

  it("GET /alerts/{id}/machine is the alert's device as a Machine entity", async () => {
    const [alert] = await raiseAlerts(server.app, [alertInput(servers.id, clock.now())]);
    const machine = await expectEntity(await get(`/api/alerts/${alert?.id}/machine`));
    assert.equal(machine.id, servers.id);
    assert.equal(machine.computerDnsName, servers.computerDnsName);
  });

  it("device groups: a user sees only alerts of devices in its groups; triage needs Alerts investigation", async () => {
    const [onLab, onServer] = await raiseAlerts(server.app, [alertInput(lab.id, clock.now(), { title: 'g-lab' }), alertInput(servers.id, clock.now(), { title: 'g-server' })]);
    const operator = bearer(await userToken(server.base, DEMO_USERS.operator));
    const analyst = bearer(await userToken(server.base, DEMO_USERS.analyst));
    const groups = new Set((await expectAlerts(await get('/api/alerts', operator), server.base)).map((a) => a.rbacGroupName));
    assert.deepEqual([...groups], ['Lab']);
    await expectAlert(await get(`/api/alerts/${onLab?.id}`, operator), server.base);
    await expectError(await get(`/api/alerts/${onServer?.id}`, operator), 404, 'ResourceNotFound', `Alert ${onServer?.id} was not found`);
    await expectError(await get(`/api/machines/${servers.id}/alerts`, operator), 404, 'ResourceNotFound', `Machine ${servers.id} was not found`);
    await expectError(await get(`/api/alerts/${onServer?.id}/machine`, operator), 404, 'ResourceNotFound');
    await expectAlert(await get(`/api/alerts/${onServer?.id}`, analyst), server.base);
    const role = 'The user does not have any of the required role permissions (Alerts investigation) to access the resource.';
    await expectError(await send('PATCH', `/api/alerts/${onLab?.id}`, { status: 'Resolved' }, analyst), 403, 'Forbidden', role);
    await expectError(await send('POST', '/api/alerts/batchUpdate', { alertIds: [onLab?.id], status: 'Resolved' }, operator), 403, 'Forbidden', role);
    assert.equal((await expectAlert(await get(`/api/alerts/${onLab?.id}`), server.base)).status, 'New');
  });

  it('retention: alerts of a device not seen within it, and alerts older than it, are invisible', async () => {
    const day = 86_400_000;
    const stale = await addMachine(server.app, { lastSeen: timestampFromMillis(clock.now() - 200 * day) });
    const [onStale] = await raiseAlerts(server.app, [alertInput(stale.id, clock.now())]);
    const [old] = await raiseAlerts(server.app, [alertInput(lab.id, clock.now() - 181 * day)], clock.now() - 181 * day);
    for (const a of [onStale, old]) {
      await expectError(await get(`/api/alerts/${a?.id}`), 404, 'ResourceNotFound');
      await expectError(await get(`/api/alerts/${a?.id}/machine`), 404, 'ResourceNotFound');
    }
    const ids = (await expectAlerts(await get('/api/alerts?$top=10000'), server.base)).map((a) => a.id);
    assert.ok(!ids.includes(onStale?.id) && !ids.includes(old?.id));
    // A fetch reaching back past retention still starts at retention's edge.
    const since = new Date(clock.now() - 200 * day).toISOString();
    const fetched = (await expectAlerts(await get(`/api/alerts?$filter=alertCreationTime gt ${since}&$orderby=alertCreationTime asc&$top=10000`), server.base)).map((a) => a.id);
    assert.ok(fetched.length > 0 && !fetched.includes(onStale?.id) && !fetched.includes(old?.id));
  });

  it('limits batchUpdate to 10 calls a minute with Retry-After, counted per operation', async () => {
    clock.advance(3_600_000); // a fresh hour for every window (and a token that has not expired)
    headers = bearer(await server.token());
    const [alert] = await raiseAlerts(server.app, [alertInput(lab.id, clock.now())]);
    const body = { alertIds: [alert?.id], comment: 'tick' };
    for (let i = 0; i < 10; i++) assert.equal((await send('POST', '/api/alerts/batchUpdate', body)).status, 200);
    const refused = await send('POST', '/api/alerts/batchUpdate', body);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    await expectError(refused, 429, 'TooManyRequests');
    await expectAlert(await get(`/api/alerts/${alert?.id}`), server.base); // other operations are untouched
    clock.advance(60_000);
    assert.equal((await send('POST', '/api/alerts/batchUpdate', body)).status, 200);
  });

  it('fault rules and the journal cover the alert operations', async () => {
    const admin = (path: string, init: RequestInit = {}) =>
      call(url(`/admin/tenants/${DEMO_TENANT_ID}${path}`), { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' } });
    const rule = await admin('/faults', { method: 'POST', body: JSON.stringify({ id: 'alerts-down', operations: ['ListAlerts'], error: 'ServiceUnavailable', calls: '1' }) });
    assert.equal(rule.status, 201, await rule.text());
    await expectError(await get('/api/alerts?%24top=1'), 503, 'ServiceUnavailable');
    await expectAlerts(await get('/api/alerts?%24top=1'), server.base);
    const journal = (await (await admin('/journal?limit=5')).json()) as { value: { operation: string; status: number; fault: string | null }[] };
    assert.deepEqual(journal.value.slice(0, 2).map((e) => [e.operation, e.status, e.fault]), [['ListAlerts', 200, null], ['ListAlerts', 503, 'alerts-down']]);
  });
});
