/**
 * One validation of fault rules for every door (issue 14, item 4): a tenant file, the admin API
 * (POST a rule, PUT a tenant document, PATCH a switch) and `rampart faults add`. A misspelt key
 * or an unknown operation name is refused with the allowed values listed, never dropped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OPERATIONS } from '../src/api/operations.js';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import { ConfigError } from '../src/config/load-config.js';
import { readTenantFile } from '../src/config/tenant-files.js';
import { faultRuleProblem } from '../src/domain/traffic/fault-rule-schema.js';
import { OPERATION_NAMES } from '../src/domain/traffic/operation-names.js';
import { killAll, makeDataDir, runCli } from './helpers/process.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectError } from './helpers/wire.js';

const ALLOWED_KEYS = 'id, operations, applications, methods, machines, error, retryAfterSeconds, latencyMs, drop, truncate, outcome, errorHResult, calls, rate, seed, from, until, durationSeconds, enabled';
const TYPO = { operatons: ['SetDeviceValue'], error: 'ServiceUnavailable' };
const UNKNOWN_OPERATION = { operations: ['SetDeviceValue', 'SetDeviceValu'], error: 'ServiceUnavailable' };
const typoMessage = `/operatons: unknown property 'operatons' (allowed: ${ALLOWED_KEYS})`;
const unknownOperationMessage = `/operations/1: unknown operation 'SetDeviceValu' (allowed: ${OPERATION_NAMES.join(', ')})`;

describe('fault rule validation', () => {
  it('knows exactly the operations of the operation table', () => {
    assert.deepEqual([...OPERATION_NAMES].sort(), OPERATIONS.map((o) => o.id).sort());
  });

  it('names a misspelt key, an unknown operation, method or outcome with the allowed values', () => {
    assert.equal(faultRuleProblem(TYPO, DEMO_TENANT_ID, 0), typoMessage);
    assert.equal(faultRuleProblem(UNKNOWN_OPERATION, DEMO_TENANT_ID, 0), unknownOperationMessage);
    assert.equal(faultRuleProblem({ methods: ['get', 'DELETE'], drop: true }, DEMO_TENANT_ID, 0), "/methods/1: unknown method 'DELETE' (allowed: GET, POST, PATCH)");
    assert.equal(faultRuleProblem({ outcome: 'Broken' }, DEMO_TENANT_ID, 0), '/outcome: "Broken" is not one of Failed, TimeOut, Pending');
    assert.equal(faultRuleProblem({ error: 'ServiceUnavailable', latencyMs: 5 }, DEMO_TENANT_ID, 0), '/: a fault rule needs exactly one of error, latencyMs, drop, truncate, outcome');
  });

  it('accepts names in any case, as rules match them', () => {
    assert.equal(faultRuleProblem({ operations: ['setdevicevalue'], methods: ['post'], latencyMs: 10, calls: '1-2' }, DEMO_TENANT_ID, 0), undefined);
  });

  describe('in a tenant file', () => {
    let root: string;
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'rampart-faults-'));
    });
    after(() => rm(root, { recursive: true, force: true }));

    for (const [name, rule, message] of [['a misspelt key', TYPO, typoMessage], ['an unknown operation', UNKNOWN_OPERATION, unknownOperationMessage]] as const) {
      it(`refuses ${name}, naming the file and the field`, async () => {
        const file = join(root, `${name.replaceAll(' ', '-')}.json`);
        await writeFile(file, JSON.stringify({ id: DEMO_TENANT_ID, name: 'T', faults: [rule] }));
        assert.throws(() => readTenantFile(file), (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.message, `tenant file ${file}: /faults/0${message}`);
          return true;
        });
      });
    }
  });

  describe('through the admin API', () => {
    let server: TestServer;
    const admin = (path: string, method: string, body: unknown) =>
      call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}${path}`, {
        method,
        headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const rules = async () => ((await (await call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}/faults`, { headers: { authorization: `Bearer ${server.app.adminKey}` } })).json()) as { value: unknown[] }).value;

    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('POST /faults refuses a misspelt key and an unknown operation with 400, storing nothing', async () => {
      await expectError(await admin('/faults', 'POST', TYPO), 400, 'InvalidInput', `fault rule ${typoMessage}`);
      await expectError(await admin('/faults', 'POST', UNKNOWN_OPERATION), 400, 'InvalidInput', `fault rule ${unknownOperationMessage}`);
      await expectError(await admin('/faults', 'POST', ['not', 'an', 'object']), 400, 'InvalidInput', 'a fault rule must be a JSON object');
      assert.deepEqual(await rules(), []);
    });

    it('PUT of a tenant document refuses the same rule the same way', async () => {
      const document = { name: 'Rampart demo tenant', faults: [UNKNOWN_OPERATION] };
      await expectError(await admin('', 'PUT', document), 400, 'InvalidInput', `tenant document /faults/0${unknownOperationMessage}`);
      assert.deepEqual(await rules(), []);
    });

    it('PATCH of a switch refuses any key but enabled', async () => {
      const response = await admin('/faults', 'POST', { id: 'slow', operations: ['GetMachine'], latencyMs: 1 });
      assert.equal(response.status, 201, await response.text());
      await expectError(await admin('/faults/slow', 'PATCH', { enabled: false, enabld: true }), 400, 'InvalidInput', "/enabld: unknown property 'enabld' (allowed: enabled)");
      assert.deepEqual(await rules(), [{ id: 'slow', operations: ['GetMachine'], latencyMs: 1 }]);
    });
  });

  describe('through rampart faults add', () => {
    after(() => killAll());

    // Checked before any server is reached: port 9 on 127.0.0.1 answers nothing.
    for (const [name, rule, message] of [['a misspelt key', TYPO, typoMessage], ['an unknown operation', UNKNOWN_OPERATION, unknownOperationMessage]] as const) {
      it(`refuses ${name} with one line and exit 2, without a server`, async () => {
        const r = await runCli(['faults', 'add', JSON.stringify(rule), '--url', 'http://127.0.0.1:9', '--data-dir', await makeDataDir()]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, `rampart: <rule>: fault rule ${message}\n`);
      });
    }

    it('refuses a rule that is not JSON, naming the argument', async () => {
      const r = await runCli(['faults', 'add', '{operations:', '--url', 'http://127.0.0.1:9', '--data-dir', await makeDataDir()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^rampart: <rule>: not JSON \(.+\)\n$/);
    });
  });
});
