/**
 * `rampart history` as a user runs it next to a server on the same data folder (issue 13): the
 * fleet audit when no machine is named, its filters and formats, and names shown as the console
 * shows them (UPN for users, display name for applications; ids beside them in CSV and JSON).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID, DEMO_USERS, REFERENCE_MACHINE } from '../src/config/demo.js';
import { HISTORY_COLUMNS, type HistoryEntry } from '../src/domain/audit/history-entry.js';
import { cliCommand, describeRun, killAll, makeDataDir, startServer, type ServerProcess } from './helpers/process.js';
import { call } from './helpers/server.js';
import { userToken } from './helpers/tokens.js';
import { send } from './helpers/wire.js';


describe('rampart history (fleet audit)', () => {
  let server: ServerProcess;
  let dataDir: string;
  let other: { id: string; computerDnsName: string };
  const requestIds: string[] = []; // newest first

  const { run: cli, ok } = cliCommand('history', () => dataDir);
  const json = async (...args: string[]): Promise<HistoryEntry[]> => (JSON.parse(await ok(...args, '--format', 'json')) as { value: HistoryEntry[] }).value;

  before(async () => {
    dataDir = await makeDataDir();
    server = await startServer({ dataDir });
    const app = await server.token();
    const user = await userToken(server.base, DEMO_USERS.admin);
    const list = await call(`${server.base}/api/machines?$top=2&$filter=${encodeURIComponent(`id ne '${REFERENCE_MACHINE.id}'`)}`, { headers: { authorization: `Bearer ${app}` } });
    other = ((await list.json()) as { value: { id: string; computerDnsName: string }[] }).value[0] as typeof other;
    // Reference machine: -> High by the app, then -> Low by the admin user; the other machine: -> High by the app.
    const changes: [string, string, string][] = [
      [REFERENCE_MACHINE.id, 'High', app],
      [REFERENCE_MACHINE.id, 'Low', user],
      [other.id, other.id === REFERENCE_MACHINE.id ? 'Normal' : 'High', app],
    ];
    for (const [id, value, token] of changes) {
      const current = (await (await call(`${server.base}/api/machines/${id}`, { headers: { authorization: `Bearer ${app}` } })).json()) as { deviceValue: string };
      const target = current.deviceValue === value ? (value === 'High' ? 'Low' : 'High') : value;
      const response = await send(`${server.base}/api/machines/${id}/setDeviceValue`, token, 'POST', JSON.stringify({ DeviceValue: target }));
      assert.equal(response.status, 200, await response.text());
      requestIds.unshift(response.headers.get('request-id') as string);
    }
  });
  after(async () => {
    await server?.kill('SIGTERM');
    await killAll();
  });

  it('with no machine named, lists every change of the tenant, newest first (JSON: the admin API shape)', async () => {
    const entries = await json('--since', '1d');
    assert.deepEqual(entries.map((e) => e.requestId), requestIds);
    assert.deepEqual(Object.keys(entries[0] as object), HISTORY_COLUMNS);
    const byUser = entries[1] as HistoryEntry;
    assert.equal(byUser.userPrincipalName, DEMO_USERS.admin.userPrincipalName);
    assert.equal(byUser.appName, DEMO_APP.name);
    assert.equal(byUser.computerDnsName, REFERENCE_MACHINE.computerDnsName);
  });

  it('the table names users by UPN and applications by display name, fleet-wide and per machine', async () => {
    for (const out of [await ok(), await ok(REFERENCE_MACHINE.computerDnsName)]) {
      const lines = out.trim().split('\n');
      const [userLine] = lines.filter((l) => l.includes(requestIds[1] as string));
      assert.ok(userLine, out);
      assert.match(userLine, new RegExp(`${REFERENCE_MACHINE.computerDnsName.replace(/\./g, '\\.')} .* -> Low .* setDeviceValue +admin@rampart\\.demo via Rampart demo application  request ${requestIds[1]}$`));
      const [appLine] = lines.filter((l) => l.includes(requestIds[2] as string));
      assert.match(appLine ?? '', / Rampart demo application  request /);
      assert.doesNotMatch(out, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}  request/, 'no object id where a name is known');
    }
  });

  it('filters by --user, --application, --device, --from-value/--to-value and --route', async () => {
    assert.deepEqual((await json('--user', 'ADMIN@rampart.demo')).map((e) => e.requestId), [requestIds[1]]);
    assert.deepEqual((await json('--application', DEMO_APP.name)).map((e) => e.requestId), requestIds);
    assert.deepEqual((await json('--device', other.computerDnsName)).map((e) => e.requestId), [requestIds[0]]);
    assert.deepEqual((await json('--to-value', 'low', '--user', DEMO_USERS.admin.userPrincipalName)).map((e) => e.requestId), [requestIds[1]]);
    assert.equal((await json('--from-value', 'Low', '--to-value', 'Low')).length, 0);
    assert.equal((await json('--route', 'console')).length, 0);
    assert.equal((await json('--until', '2000-01-01')).length, 0);
  });

  it('--format csv carries ids and names in RFC 4180, one header line; --limit caps the entries', async () => {
    const csv = await ok('--format', 'csv', '--limit', '2');
    const lines = csv.split('\r\n');
    assert.equal(lines[0], HISTORY_COLUMNS.join(','));
    assert.equal(lines.length, 4, csv); // header, two entries, the empty rest after the last CRLF
    const cells = (lines[2] ?? '').split(',');
    assert.equal(cells[HISTORY_COLUMNS.indexOf('userPrincipalName')], DEMO_USERS.admin.userPrincipalName);
    assert.match(cells[HISTORY_COLUMNS.indexOf('userId')] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(cells[HISTORY_COLUMNS.indexOf('appId')], DEMO_APP.clientId);
    assert.equal(cells[HISTORY_COLUMNS.indexOf('requestId')], requestIds[1]);
  });

  it('refuses bad flags with one line and nothing on stdout', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--since', 'last week'], 2, /--since/],
      [['--to-value', 'Huge'], 2, /--to-value/],
      [['--route', 'api'], 2, /--route/],
      [['--format', 'xml'], 2, /--format/],
      [['--user', 'nobody@rampart.demo'], 1, /not valid for user/],
      [['--device', 'nope.example'], 1, /not valid for device/],
      [['f'.repeat(40)], 1, /not found/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, code, describeRun(r));
      assert.equal(r.stdout, '', describeRun(r));
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, describeRun(r));
      assert.match(lines[0] ?? '', message);
    }
  });

  it('the demo tenant is the default; another tenant with no changes prints that there are none', async () => {
    assert.equal(await ok('--tenant', DEMO_TENANT_ID, '--route', 'seed'), 'no device-value changes recorded\n');
  });
});
