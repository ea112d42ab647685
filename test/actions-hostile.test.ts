/**
 * Whatever a client sends to the action routes, the answer is a 201/200 or a 4xx in the exact
 * envelope, never a 5xx, and a refused request leaves nothing behind. Fixed seed, bounded runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { assertEnvelope, replyOf } from './helpers/wire.js';

const RUNS = { seed: 1107, numRuns: 120 } as const;
const OPERATIONS = ['isolate', 'unisolate', 'runAntiVirusScan', 'restrictCodeExecution', 'collectInvestigationPackage', 'StopAndQuarantineFile', 'runliveresponse', 'startInvestigation'];

/** Bodies near the valid ones, and arbitrary JSON. */
const bodies: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      Comment: fc.oneof(fc.string(), fc.constant(''), fc.integer(), fc.constant(null), fc.string({ minLength: 4001, maxLength: 4100 })),
      IsolationType: fc.oneof(fc.constantFrom('Full', 'selective', 'UnManagedDevice', 'Partial', ''), fc.integer()),
      ScanType: fc.oneof(fc.constantFrom('Quick', 'full', 'Deep'), fc.boolean()),
      Sha1: fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{40}$/), fc.string(), fc.constant(null)),
      Commands: fc.oneof(
        fc.array(fc.record({ type: fc.constantFrom('RunScript', 'GetFile', 'PutFile', 'Nope'), params: fc.array(fc.record({ key: fc.constantFrom('ScriptName', 'Path', 'FileName', 'x'), value: fc.string() })) }), { maxLength: 3 }),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

describe('machine action routes under hostile input', () => {
  let server: TestServer;
  let headers: Record<string, string>;
  const count = async () => (await server.app.actions.actions.list(
    { kind: 'application', tenantId: '7e57da7a-de70-4e2a-9c3d-000000000001', appId: 'test', roles: new Set(), expiresAt: Number.MAX_SAFE_INTEGER },
    { filter: null, orderBy: [], top: 10_000, skip: 0, count: true },
    10_000,
  )).count ?? 0;
  before(async () => {
    server = await startTestServer({ actionTimings: 'instant' });
    headers = { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' };
  });
  after(() => server.close());

  it('answers every body with a success or the envelope, and writes only on success', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPERATIONS), bodies, async (operation, body) => {
        const before = await count();
        const text = JSON.stringify(body) ?? 'null';
        const reply = await replyOf(await call(`${server.base}/api/machines/${REFERENCE_MACHINE.id}/${operation}`, { method: 'POST', headers, body: text }));
        assert.ok(reply.status === 201 || (reply.status >= 400 && reply.status < 500), `${operation} ${text.slice(0, 200)} -> ${reply.status} ${reply.text.slice(0, 200)}`);
        if (reply.status !== 201) assertEnvelope(reply);
        const created = operation === 'startInvestigation' ? 0 : reply.status === 201 ? 1 : 0;
        assert.equal(await count(), before + created, 'a refused request left an action behind');
      }),
      RUNS,
    );
  });

  it('answers any $filter text on the listing with 200 or 400 ODataError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.constantFrom("status eq 'Pending' and", 'id in ()', "type eq 'x' or (", 'lastUpdateDateTimeUtc gt 2026-13-45T00:00:00Z', 'machineTags/any(t: t eq 1)')), async (filter) => {
        const reply = await replyOf(await call(`${server.base}/api/machineactions?$filter=${encodeURIComponent(filter)}`, { headers }));
        if (reply.status === 200) return;
        assertEnvelope(reply, 400, 'ODataError');
      }),
      RUNS,
    );
  });
});
