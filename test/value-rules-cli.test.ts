/**
 * `rampart rules` as a user runs it next to a server on the same data folder (issue 13): set from
 * a file (a list, or a tenant file's valueRules), list, preview per rule and per device in table,
 * CSV and JSON, apply (the result, and a second apply that changes nothing), and one line naming
 * the rule and the OData error for a bad filter.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import { cliCommand, describeRun, killAll, makeDataDir, readAdminKey, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';

const RULES = [
  { name: 'Servers are High', filter: "osPlatform in ('WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'Linux')", deviceValue: 'High' },
  { name: 'Active devices are Low', filter: "healthStatus eq 'Active'", deviceValue: 'Low' },
];

describe('rampart rules', () => {
  let server: ServerProcess;
  let dataDir: string;
  let adminKey: string;

  const { run: cli, ok } = cliCommand('rules', () => dataDir);
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '--json')) as T;

  before(async () => {
    dataDir = await makeDataDir();
    server = await startServer({ dataDir });
    adminKey = await readAdminKey(dataDir);
  });
  after(async () => {
    await server?.kill('SIGTERM');
    await killAll();
  });

  it('refuses a bad filter with one line naming the rule, and keeps the rules it had', async () => {
    const file = join(dataDir, 'bad.json');
    await writeFile(file, JSON.stringify([{ name: 'Broken', filter: "osPlatform eq 'Linux' and", deviceValue: 'High' }]));
    const r = await cli('set', file);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /^rampart: value rule 0 'Broken': filter is not valid: ODataError: .+\n$/);
    assert.deepEqual(await json('list'), { value: [] });
    const missing = await cli('set', join(dataDir, 'nope.yaml'));
    assert.equal(missing.code, 2, describeRun(missing));
  });

  it('sets rules from the example tenant file and from a list, and lists them', async () => {
    const example = parseYaml(await readFile('examples/value-rules.yaml', 'utf8')) as { valueRules: unknown[] };
    assert.equal(await ok('set', 'examples/value-rules.yaml'), `3 value rules stored for tenant ${DEMO_TENANT_ID}\n`);
    assert.deepEqual(await json('list'), { value: example.valueRules.map((r) => ({ ...(r as object), lastAppliedAt: null })) });
    const file = join(dataDir, 'rules.yaml');
    await writeFile(file, JSON.stringify(RULES));
    assert.equal(await ok('set', file), `2 value rules stored for tenant ${DEMO_TENANT_ID}\n`);
    assert.deepEqual(await json('list'), { value: RULES.map((r) => ({ ...r, lastAppliedAt: null })) });
  });

  it('previews what the admin API previews, as table, CSV and JSON, without writing', async () => {
    const admin = { headers: { authorization: `Bearer ${adminKey}` } };
    const api = (await (await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/value-rules/preview`, admin)).json()) as { value: { name: string; changes: number }[] };
    assert.deepEqual(await json('preview'), api);
    assert.ok(api.value.every((r) => r.changes > 0), JSON.stringify(api));
    const csv = (await ok('preview', '--format', 'csv')).split('\r\n');
    assert.equal(csv[0], 'name,deviceValue,changes,lastAppliedAt,filter');
    assert.equal(csv[1], `Servers are High,High,${api.value[0]?.changes},,"${RULES[0]?.filter}"`);

    const devices = (await (await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/value-rules/preview/${encodeURIComponent('Active devices are Low')}?$top=10000`, admin)).json()) as { value: Record<string, unknown>[] };
    const exported = await json<{ value: Record<string, unknown>[] }>('preview', 'Active devices are Low');
    assert.deepEqual(exported.value, devices.value.map((d) => ({ rule: 'Active devices are Low', ...d })));
    const lines = (await ok('preview', 'Active devices are Low', '--format', 'csv')).split('\r\n');
    assert.equal(lines[0], 'rule,id,computerDnsName,deviceValue,newValue,handSetSinceLastApply');
    assert.equal(lines.length, devices.value.length + 2);
    const table = await ok('preview', 'Active devices are Low');
    assert.equal(table.split('\n')[0], `Active devices are Low: ${devices.value.length} device(s) would change to Low`);
    const nope = await cli('preview', 'Nope');
    assert.equal(nope.code, 1, describeRun(nope));
    assert.equal(nope.stderr, 'rampart: Value rule Nope was not found\n');
  });

  it('applies, reports per rule, and changes nothing the second time', async () => {
    const preview = await json<{ value: { name: string; changes: number }[] }>('preview');
    const run = await json<{ status: string; changed: number; rules: { name: string; changed: number }[] }>('apply');
    assert.equal(run.status, 'Completed');
    assert.deepEqual(run.rules.map((r) => [r.name, r.changed]), preview.value.map((r) => [r.name, r.changes]));
    assert.deepEqual((await json<{ value: { changes: number }[] }>('preview')).value.map((r) => r.changes), [0, 0]);
    const again = await ok('apply');
    assert.match(again, /^run [0-9a-f-]{36}: Completed, 0 device\(s\) changed\n/);
    const history = (await (await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/history?route=rule&limit=1000`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { value: { appId: string; requestId: string }[] };
    assert.equal(history.value.length, run.changed);
    assert.ok(history.value.every((e) => e.appId === 'rampart-cli' && /^rule:[0-9a-f-]{36}:(Servers are High|Active devices are Low)$/.test(e.requestId)));
  });
});
