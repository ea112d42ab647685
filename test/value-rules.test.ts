/**
 * Value rules (issue 13, docs/value-rules.md) over real HTTP on the configured backend
 * (RAMPART_TEST_STORE=postgres runs it on PostgreSQL): one validator on every door, preview that
 * matches an in-memory reading of the rules, apply through the write path of setDeviceValue with
 * history route `rule` naming the rule, idempotent re-runs, continued runs, and the "hand-set
 * since last apply" mark. Time is the injected clock's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { HistoryEntry } from '../src/domain/audit/history-entry.js';
import type { RuleRun } from '../src/domain/rules/value-rule-ports.js';
import { ApiError } from '../src/domain/errors.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { ConfigError } from '../src/config/load-config.js';
import { loadConfig } from '../src/config/load-config.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectedChanges, wholeFleet, type RuleText } from './helpers/value-rules.js';
import { expectError, send } from './helpers/wire.js';

const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const RULES: RuleText[] = [
  { name: 'Servers are High', filter: "osPlatform in ('WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'Linux')", deviceValue: 'High' },
  { name: 'Lab kit is Low', filter: "machineTags/any(t: t eq 'Lab')", deviceValue: 'Low' },
  { name: 'The rest is Normal', filter: 'isExcluded eq false or isExcluded eq true', deviceValue: 'Normal' },
];

interface Summary {
  name: string;
  filter: string;
  deviceValue: string;
  lastAppliedAt: string | null;
  changes: number;
}
interface PreviewPage {
  rule: Summary;
  value: { id: string; computerDnsName: string; deviceValue: string; newValue: string; handSetSinceLastApply: boolean }[];
  '@odata.nextLink'?: string;
}
interface Run {
  id: string;
  status: string;
  changed: number;
  rules: { name: string; deviceValue: string; changed: number }[];
}

const odataMessage = (filter: string): string => {
  try {
    parseFilter(filter);
  } catch (error) {
    if (error instanceof ApiError) return error.message;
  }
  throw new Error(`${filter} parses`);
};

describe('value rules (admin API)', () => {
  const clock = new ManualClock(T0);
  let server: TestServer;
  const admin = (path: string, init: RequestInit = {}) =>
    call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}${path}`, { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' } });
  const json = async <T>(response: Response, status = 200): Promise<T> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as T;
  };
  const putRules = (body: unknown) => admin('/value-rules', { method: 'PUT', body: JSON.stringify(body) });
  const visibleSince = () => timestampFromMillis(clock.now() - 180 * 86_400_000);
  const expected = async () => expectedChanges(await wholeFleet(server.app.store, DEMO_TENANT_ID), RULES, visibleSince());
  const ruleHistory = async (): Promise<HistoryEntry[]> => (await json<{ value: HistoryEntry[] }>(await admin('/history?route=rule&limit=1000'))).value;

  /** Every device of a rule's preview, following nextLinks with small pages. */
  async function previewIds(rule: string): Promise<{ ids: string[]; pages: PreviewPage[] }> {
    const pages: PreviewPage[] = [];
    let next: string | undefined = `${server.base}/admin/tenants/${DEMO_TENANT_ID}/value-rules/preview/${encodeURIComponent(rule)}?$top=4`;
    while (next) {
      const page: PreviewPage = await json<PreviewPage>(await call(next, { headers: { authorization: `Bearer ${server.app.adminKey}` } }));
      pages.push(page);
      next = page['@odata.nextLink'];
    }
    return { ids: pages.flatMap((p) => p.value.map((d) => d.id)), pages };
  }

  before(async () => {
    server = await startTestServer({}, clock);
  });
  after(async () => {
    await server?.close();
  });

  it('refuses a bad rule on the admin API, naming the rule and the OData error, and writes nothing', async () => {
    const bad = "startswith(computerDnsName, 'kiosk'";
    await expectError(
      await putRules({ valueRules: [RULES[0], { name: 'Kiosks', filter: bad, deviceValue: 'Low' }] }),
      400,
      'InvalidInput',
      `value rule 1 'Kiosks': filter is not valid: ODataError: ${odataMessage(bad)}`,
    );
    await expectError(await putRules({ valueRules: [{ name: 'Kiosks', filter: 'colour eq 1', deviceValue: 'Low' }] }), 400, 'InvalidInput', `value rule 0 'Kiosks': filter is not valid: ODataError: ${odataMessage('colour eq 1')}`);
    await expectError(await putRules({ valueRules: [RULES[0], { ...RULES[1], name: 'servers ARE high' }] }), 400, 'InvalidInput', "value rule 1 'servers ARE high': the name repeats value rule 0");
    await expectError(await putRules({ valueRules: [{ ...RULES[0], deviceValue: 'Huge' }] }), 400, 'InvalidInput', `The value "Huge" is not valid for value rule 0 'Servers are High' deviceValue. Allowed values: Normal, Low, High.`);
    await expectError(
      await putRules({ valueRules: [{ name: 'Feedback', filter: "not (deviceValue eq 'High')", deviceValue: 'High' }] }),
      400,
      'InvalidInput',
      "value rule 0 'Feedback': filter may not use deviceValue, the property the rule sets",
    );
    await expectError(await putRules({ valueRules: [{ ...RULES[0], colour: 'red' }] }), 400, 'InvalidInput', "value rule 0: unknown property 'colour'");
    await expectError(await putRules({ rules: [] }), 400, 'InvalidInput', `unknown property 'rules': the body is {"valueRules": [...]}`);
    await expectError(await putRules({ valueRules: 'all' }), 400, 'InvalidInput', 'value rules: expected a list of rules, got "all"');
    await expectError(await putRules([]), 400, 'InvalidRequestBody', 'The body must be a JSON object: {"valueRules": [...]}.');
    await expectError(
      await call(`${server.base}/admin/tenants/00000000-0000-4000-8000-000000000001/value-rules`, { headers: { authorization: `Bearer ${server.app.adminKey}` } }),
      404,
      'ResourceNotFound',
      'Tenant 00000000-0000-4000-8000-000000000001 was not found',
    );
    assert.deepEqual(await json(await admin('/value-rules')), { value: [] });
  });

  it('refuses a tenant document whose rule filter is bad, before writing any of it', async () => {
    const document = await json<Record<string, unknown>>(await admin(''));
    const changed = { ...document, name: 'Renamed', valueRules: [{ name: 'Broken', filter: 'osPlatform eq', deviceValue: 'High' }] };
    await expectError(
      await admin('', { method: 'PUT', body: JSON.stringify(changed) }),
      400,
      'InvalidInput',
      `tenant document /valueRules: value rule 0 'Broken': filter is not valid: ODataError: ${odataMessage('osPlatform eq')}`,
    );
    assert.equal((await json<{ name: string }>(await admin(''))).name, document.name);
  });

  it('stores rules from the tenant document and shows them in it and on GET value-rules', async () => {
    const document = await json<Record<string, unknown>>(await admin(''));
    await json(await admin('', { method: 'PUT', body: JSON.stringify({ ...document, valueRules: RULES }) }));
    assert.deepEqual((await json<{ valueRules: unknown }>(await admin(''))).valueRules, RULES);
    assert.deepEqual(await json(await admin('/value-rules')), { value: RULES.map((r) => ({ ...r, lastAppliedAt: null })) });
  });

  it('previews per rule exactly what the rules decide, paged, without writing', async () => {
    const want = await expected();
    assert.ok(want.every((ids) => ids.length > 0), `every rule changes something: ${want.map((w) => w.length)}`);
    const summary = await json<{ value: Summary[] }>(await admin('/value-rules/preview'));
    assert.deepEqual(summary.value, RULES.map((r, i) => ({ ...r, lastAppliedAt: null, changes: want[i]?.length })));
    for (const [i, rule] of RULES.entries()) {
      const { ids, pages } = await previewIds(rule.name);
      assert.deepEqual(ids, want[i]);
      assert.ok(pages.every((p) => p.value.every((d) => d.newValue === rule.deviceValue && d.deviceValue !== rule.deviceValue && !d.handSetSinceLastApply)));
    }
    assert.deepEqual(await ruleHistory(), []);
    await expectError(await admin('/value-rules/preview/Nope'), 404, 'ResourceNotFound', 'Value rule Nope was not found');
    await expectError(await admin(`/value-rules/preview/${encodeURIComponent(RULES[0]?.name ?? '')}?$top=0`), 400, 'InvalidInput', 'The value "0" is not valid for $top. Allowed values: 1 to 10000.');
    await expectError(await admin(`/value-rules/preview/${encodeURIComponent(RULES[0]?.name ?? '')}?$skiptoken=abc`), 400, 'InvalidInput', 'The value "abc" is not valid for $skiptoken.');
  });

  it('applies through the write path: every listed device changes once, history route rule names the rule', async () => {
    const want = await expected();
    clock.advance(MINUTE);
    const run = await json<Run>(await admin('/value-rules/apply', { method: 'POST' }));
    assert.equal(run.status, 'Completed');
    assert.deepEqual(run.rules, RULES.map((r, i) => ({ name: r.name, deviceValue: r.deviceValue, changed: want[i]?.length })));
    const history = await ruleHistory();
    for (const [i, rule] of RULES.entries()) {
      const entries = history.filter((e) => e.requestId === `rule:${run.id}:${rule.name}`);
      assert.deepEqual(entries.map((e) => e.machineId).sort(), want[i]);
      assert.ok(entries.every((e) => e.route === 'rule' && e.newValue === rule.deviceValue && e.appId === 'rampart-admin' && e.userId === null));
    }
    assert.equal(history.length, run.changed);
    assert.deepEqual(await expected(), RULES.map(() => []));
    const rules = await json<{ value: { lastAppliedAt: string | null }[] }>(await admin('/value-rules'));
    assert.ok(rules.value.every((r) => r.lastAppliedAt === '2026-11-02T09:01:00Z'));
    assert.deepEqual(await json(await admin(`/value-rules/runs/${run.id}`)), run);
  });

  it('changes nothing on a second apply', async () => {
    const before = (await ruleHistory()).length;
    clock.advance(MINUTE);
    const run = await json<Run>(await admin('/value-rules/apply', { method: 'POST' }));
    assert.equal(run.status, 'Completed');
    assert.equal(run.changed, 0);
    assert.equal((await ruleHistory()).length, before);
  });

  it('marks a device set by hand after the last apply, and overwrites it on the next apply', async () => {
    const [server0] = (await expectedChanges(await wholeFleet(server.app.store, DEMO_TENANT_ID), [{ ...RULES[0], deviceValue: 'Low' } as RuleText], visibleSince()))[0] ?? [];
    assert.ok(server0, 'a server to set by hand');
    clock.advance(MINUTE);
    const token = await server.token();
    const response = await send(`${server.base}/api/machines/${server0}/setDeviceValue`, token, 'POST', JSON.stringify({ DeviceValue: 'Low' }));
    assert.equal(response.status, 200);
    const { pages } = await previewIds(RULES[0]?.name ?? '');
    assert.deepEqual(pages.flatMap((p) => p.value), [{ id: server0, computerDnsName: pages[0]?.value[0]?.computerDnsName, deviceValue: 'Low', newValue: 'High', handSetSinceLastApply: true }]);
    clock.advance(MINUTE);
    const run = await json<Run>(await admin('/value-rules/apply', { method: 'POST' }));
    assert.equal(run.changed, 1);
  });

  it('continues an unfinished run of the same rules, and supersedes one of other rules', async () => {
    // A run stopped after its first batch of rule 1: the rules are those stored now.
    clock.advance(MINUTE);
    const started = timestampFromMillis(clock.now());
    const stopped = { id: '11111111-2222-4333-8444-555555555555', tenantId: DEMO_TENANT_ID, startedAt: started, finishedAt: null, actor: 'cli', rules: RULES, position: 1, afterId: '', changed: [4, 0, 0] };
    await server.app.store.rules.putRuleRun(stopped);
    const continued = await json<Run>(await admin('/value-rules/apply', { method: 'POST' }));
    assert.deepEqual({ id: continued.id, status: continued.status, changed: continued.changed }, { id: stopped.id, status: 'Completed', changed: 4 });

    const other = { ...stopped, id: '22222222-2222-4333-8444-555555555555', rules: [RULES[0]] as RuleText[], position: 0, changed: [0] };
    await server.app.store.rules.putRuleRun(other);
    const fresh = await json<Run>(await admin('/value-rules/apply', { method: 'POST' }));
    assert.notEqual(fresh.id, other.id);
    assert.equal(fresh.status, 'Completed');
    assert.equal((await json<Run>(await admin(`/value-rules/runs/${other.id}`))).status, 'Superseded');
  });

  it('keeps lastAppliedAt for an unchanged rule and clears it for a changed one', async () => {
    const [first, second, third] = RULES as [RuleText, RuleText, RuleText];
    const stored = await json<{ value: { lastAppliedAt: string | null }[] }>(await putRules({ valueRules: [first, { ...second, deviceValue: 'High' }, third] }));
    assert.notEqual(stored.value[0]?.lastAppliedAt, null);
    assert.equal(stored.value[1]?.lastAppliedAt, null);
    assert.notEqual(stored.value[2]?.lastAppliedAt, null);
  });

  it('a second apply by the same caller while one runs joins it; another caller runs its own', async () => {
    const { rules } = server.app;
    const as = (appId: string) => ({ principal: { kind: 'application' as const, tenantId: DEMO_TENANT_ID, appId, roles: new Set<string>(), expiresAt: Number.MAX_SAFE_INTEGER }, name: appId });
    // The others start once the first has stored its run and begun walking, where a stored run
    // of the same rules would otherwise be continued.
    let others: Promise<RuleRun>[] = [];
    const first = await rules.apply(as('one'), DEMO_TENANT_ID, () => {
      if (others.length === 0) others = [rules.apply(as('one'), DEMO_TENANT_ID), rules.apply(as('two'), DEMO_TENANT_ID)];
    });
    const [again, other] = await Promise.all(others);
    assert.equal(again, first);
    assert.notEqual(other?.id, first.id);
    assert.notEqual(other?.finishedAt, null);
  });
});

describe('value rules in a tenant file', () => {
  it('a rule with a bad filter stops start-up with one ConfigError line naming the tenant, the rule and the OData error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rampart-rules-file-'));
    try {
      const file = join(root, 'bad.yaml');
      const id = '7c2e5f10-8a3b-4c6d-9e0f-1a2b3c4d5e6f';
      await writeFile(file, `id: ${id}\nname: Bad rules\nvalueRules:\n  - name: Broken\n    filter: "osPlatform eq"\n    deviceValue: High\n`);
      const config = { ...loadConfig({}, {}), dataDir: join(root, 'data'), port: 0, logLevel: 'silent' as const, demoMachines: 10, tenantFiles: [file] };
      await assert.rejects(createApp(config), (error: Error) => {
        assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
        assert.equal(error.message, `tenant file of tenant ${id}: tenant document /valueRules: value rule 0 'Broken': filter is not valid: ODataError: ${odataMessage('osPlatform eq')}`);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
