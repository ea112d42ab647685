/**
 * The console's alerts (issue 16): the device page's alerts, the Alerts page's filters (a 400
 * on an unknown value) and keyset pages, and triage on the alert page through the API's rules
 * and audit, with POST/redirect/GET; the user's alert rights and device groups decide. On the
 * backend RAMPART_TEST_STORE names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { AlertRecord } from '../src/domain/alerts/alert.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { ManualClock } from '../src/shared/clock.js';
import { addMachine, type Json } from './helpers/actions.js';
import { alertInput, raiseAlerts } from './helpers/alerts.js';
import { follow, startActionConsole, type ActionConsole } from './helpers/console-actions.js';
import { consoleGet, consolePost, type ConsoleUser } from './helpers/console-session.js';

const idsIn = (html: string): string[] => [...html.matchAll(/data-alert-id="([^"]+)"/g)].map((m) => m[1] as string);

describe('alerts in the console', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  let c: ActionConsole;
  let lab: Machine;
  let srv: Machine;
  let labAlerts: AlertRecord[];
  let srvAlert: AlertRecord;
  const get = (user: ConsoleUser, path: string) => consoleGet(c.server.base, path, user.cookie);
  const triage = (user: ConsoleUser, id: string, form: Record<string, string>) => consolePost(c.server.base, `/console/alerts/${id}`, user.cookie, { _csrf: user.csrf, ...form });
  const apiAlert = async (id: string): Promise<Json> => (await (await c.api.get(`/alerts/${id}`)).json()) as Json;

  before(async () => {
    c = await startActionConsole(clock);
    lab = await addMachine(c.server.app, { computerDnsName: 'lab-alerts.contoso.com', rbacGroupId: 103, rbacGroupName: 'Lab', machineTags: ['Lab'] });
    srv = await addMachine(c.server.app, { computerDnsName: 'srv-alerts.contoso.com', osPlatform: 'WindowsServer2022', rbacGroupId: 101, rbacGroupName: 'Servers' });
    labAlerts = [];
    for (const [severity, title] of [['Low', 'first on lab'], ['High', 'second on lab'], ['Medium', 'third on lab']] as const) {
      clock.advance(60_000);
      labAlerts.push(...(await raiseAlerts(c.server.app, [alertInput(lab.id, clock.now(), { severity, title, category: severity === 'High' ? 'Ransomware' : 'Execution' })])));
    }
    clock.advance(60_000);
    [srvAlert] = (await raiseAlerts(c.server.app, [alertInput(srv.id, clock.now(), { severity: 'High', title: 'on the server' })])) as [AlertRecord];
  });
  after(() => c.server.close());

  it("the device page lists the device's alerts, newest first, with links", async () => {
    const r = await get(c.analyst, `/console/machines/${lab.id}`);
    const html = await r.text();
    assert.equal(r.status, 200);
    const titles = [...html.matchAll(/<a href="\/console\/alerts\/(da[^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(titles, [...labAlerts].reverse().map((a) => [a.id, a.title]));
  });

  it('the Alerts page filters by device, severity, category, status and time, as the API does', async () => {
    const page = async (query: string) => {
      const r = await get(c.admin, `/console/alerts?${query}`);
      const html = await r.text();
      assert.equal(r.status, 200, html.slice(0, 300));
      return idsIn(html);
    };
    const [low, high, medium] = labAlerts as [AlertRecord, AlertRecord, AlertRecord];
    assert.deepEqual(await page(`device=${lab.id}`), [medium.id, high.id, low.id]);
    assert.deepEqual(await page('device=LAB-ALERTS.contoso.com&severity=high'), [high.id]);
    assert.deepEqual(await page(`device=${lab.id}&category=Ransomware`), [high.id]);
    assert.deepEqual(await page(`device=${lab.id}&status=Resolved`), []);
    assert.deepEqual(await page(`device=${lab.id}&from=${encodeURIComponent(medium.alertCreationTime)}`), [medium.id]);
    assert.deepEqual(await page(`device=${lab.id}&to=${encodeURIComponent(high.alertCreationTime)}`), [low.id]);
    // The whole queue holds the server's alert too (the demo fleet's alerts around it).
    assert.ok((await page('severity=High')).includes(srvAlert.id));
  });

  it('refuses an unknown filter value with a 400 naming it, never showing an unfiltered queue', async () => {
    for (const [query, message] of [
      ['severity=Huge', "The value 'Huge' is not valid for severity. Allowed values: UnSpecified, Informational, Low, Medium, High."],
      ['status=Open', "The value 'Open' is not valid for status."],
      ['from=yesterday', "The value 'yesterday' is not valid for from"],
      ['after=42', "The value '42' is not valid for after"],
    ] as const) {
      const r = await get(c.admin, `/console/alerts?${query}`);
      const html = await r.text();
      assert.equal(r.status, 400, query);
      assert.ok(html.includes(message.replace(/'/g, '&#39;')) || html.includes(message), `${query}: ${html.slice(0, 500)}`);
      assert.deepEqual(idsIn(html), []);
    }
  });

  it('pages the queue by keyset: every alert once, newest first, none repeated', async () => {
    const many: AlertRecord[] = [];
    for (let i = 0; i < 4; i++) many.push(...(await raiseAlerts(c.server.app, Array.from({ length: 15 }, (_, k) => alertInput(srv.id, clock.now(), { title: `bulk ${i}-${k}` })))));
    const seen: string[] = [];
    let path = `/console/alerts?device=${srv.id}`;
    for (let pages = 0; pages < 5; pages++) {
      const html = await (await get(c.admin, path)).text();
      seen.push(...idsIn(html));
      const next = /<a href="([^"]+)" id="next-page"/.exec(html)?.[1];
      if (!next) break;
      path = next.replace(/&amp;/g, '&');
    }
    const expected = [...many, srvAlert].sort((a, b) => (a.alertCreationTime === b.alertCreationTime ? (a.id < b.id ? 1 : -1) : a.alertCreationTime < b.alertCreationTime ? 1 : -1)).map((a) => a.id);
    assert.deepEqual(seen, expected);
  });

  it('device groups apply: a Lab operator sees Lab alerts only; a server alert is not found', async () => {
    assert.equal((await get(c.operator, `/console/alerts?device=${lab.id}`)).status, 200);
    assert.equal((await get(c.operator, `/console/alerts/${labAlerts[0]?.id}`)).status, 200);
    assert.equal((await get(c.operator, `/console/alerts/${srvAlert.id}`)).status, 404);
    assert.equal((await get(c.operator, `/console/alerts?device=${srv.id}`)).status, 404);
    assert.ok(!idsIn(await (await get(c.operator, '/console/alerts?severity=High')).text()).includes(srvAlert.id));
    assert.equal((await triage(c.operator, srvAlert.id, { status: 'Resolved' })).status, 403, 'no Alerts investigation right, whatever the group');
  });

  it('assigns to me, classifies and resolves with a comment, through PATCH rules and audit, POST/redirect/GET', async () => {
    const id = srvAlert.id;
    clock.advance(1000);
    const assigned = await follow(c, c.admin, await triage(c.admin, id, { assign: 'me', status: 'InProgress' }));
    assert.match(assigned, /Alert updated\./);
    assert.match(assigned, /<dd id="alert-assigned">admin@rampart.demo<\/dd>/);
    clock.advance(1000);
    const resolved = await follow(c, c.admin, await triage(c.admin, id, { classification: 'TruePositive', determination: 'Malware', status: 'Resolved', comment: 'Contained and cleaned.' }));
    assert.match(resolved, /<dd id="alert-status">Resolved<\/dd>/);
    const alert = await apiAlert(id);
    assert.deepEqual(
      [alert.status, alert.assignedTo, alert.classification, alert.determination, alert.resolvedTime, alert.comments],
      ['Resolved', 'admin@rampart.demo', 'TruePositive', 'Malware', new Date(clock.now()).toISOString().replace('.000Z', 'Z'), [{ comment: 'Contained and cleaned.', createdBy: 'admin@rampart.demo', createdTime: new Date(clock.now()).toISOString().replace('.000Z', 'Z') }]],
    );
    const [latest] = await c.server.app.alerts.history(DEMO_TENANT_ID, id);
    assert.equal(latest?.route, 'console');
    assert.equal(latest?.appId, 'rampart-console');
    clock.advance(1000);
    await follow(c, c.admin, await triage(c.admin, id, { assign: 'name', assignName: 'megan.bowen@contoso.com' }));
    assert.equal((await apiAlert(id)).assignedTo, 'megan.bowen@contoso.com');
  });

  it('refuses a bad triage value (400) and a user without the alert write right (403), changing nothing', async () => {
    const id = labAlerts[0]?.id ?? '';
    const before = await apiAlert(id);
    const bad = await triage(c.admin, id, { status: 'Closed' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /status/);
    assert.equal((await triage(c.admin, id, {})).status, 400, 'nothing chosen is no change');
    const refused = await triage(c.analyst, id, { status: 'Resolved' });
    assert.equal(refused.status, 403);
    assert.deepEqual(await apiAlert(id), before);
    const html = await (await get(c.analyst, `/console/alerts/${id}`)).text();
    assert.ok(!html.includes('id="triage"'), 'no form for a user who may not triage');
    assert.match(html, /needs the role permission Alerts investigation/);
  });
});
