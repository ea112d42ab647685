/**
 * GET /api/machines over real HTTP: the reference's OData samples, the four query encodings real
 * clients send, $select/$orderby/$count, and paging through nextLinks (spec sections 1 and 5).
 * Expected answers come from the in-memory evaluator over the demo fleet.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { expectCollection, assertCollection, idsOf } from './helpers/collection.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { get, rawRequest } from './helpers/wire.js';

const PAGE = 7;

/** Bytes exactly as given on a fresh socket; the answer as text. */
function rawSocket(base: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(bytes));
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('GET /api/machines', () => {
  let server: TestServer;
  let token: string;
  let fleet: Machine[] = [];
  const url = (path: string) => `${server.base}${path}`;
  const scope = (): MachineScope => ({ tenantId: DEMO_TENANT_ID, visibleSince: timestampFromMillis(Date.now() - 180 * 86_400_000), rbacGroupIds: null });
  const expected = (filter: string | null, limit = 10_000) =>
    evaluatePage(fleet, scope(), { filter: filter === null ? null : parseFilter(filter), orderBy: [], skip: 0, limit }).map((m) => m.id);
  const raw = (path: string) => rawRequest(server.base, { method: 'GET', path, headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    server = await startTestServer({ pageSize: PAGE });
    token = await server.token();
    for await (const batch of server.app.store.allMachines(DEMO_TENANT_ID)) fleet.push(...batch);
  });
  after(() => server.close());

  // The samples of the reference's "OData queries with Microsoft Defender for Endpoint" page, and the spec's forms.
  const SAMPLES: [string, string | null, (m: Record<string, unknown>) => boolean][] = [
    ["healthStatus eq 'Active'", null, (m) => m.healthStatus === 'Active'],
    ["riskScore eq 'High'", null, (m) => m.riskScore === 'High'],
    ['lastSeen gt 2018-08-01Z', null, () => true],
    ['RbacGroupId eq 140', null, (m) => m.rbacGroupId === 140],
    ["machineTags/any(tag: tag eq 'test tag 1')", null, (m) => (m.machineTags as string[]).includes('test tag 1')],
    ["startswith(computerDnsName,'mymachine')", null, (m) => String(m.computerDnsName).startsWith('mymachine')],
    ["deviceValue eq 'High' and healthStatus ne 'Active'", null, (m) => m.deviceValue === 'High' && m.healthStatus !== 'Active'],
    ["osPlatform in ('Windows10','Linux')", null, (m) => m.osPlatform === 'Windows10' || m.osPlatform === 'Linux'],
    ["not healthStatus eq 'Active'", null, (m) => m.healthStatus !== 'Active'],
    ["exposureLevel eq 'Medium' or (onboardingStatus ne 'Onboarded' and aadDeviceId eq null)", null, (m) => m.exposureLevel === 'Medium' || (m.onboardingStatus !== 'Onboarded' && m.aadDeviceId === null)],
    ["machineTags/any(t: startswith(t,'Pro'))", null, (m) => (m.machineTags as string[]).some((t) => t.startsWith('Pro'))],
    // What a production integration sends (issue 12): every scalar property filters, booleans included.
    ['(computerDnsName ne null) and (isExcluded eq false)', null, (m) => m.computerDnsName !== null && m.isExcluded === false],
    ["isPotentialDuplication eq false and osVersion ne null and managedBy eq 'Intune'", null, (m) => !m.isPotentialDuplication && m.osVersion !== null && m.managedBy === 'Intune'],
    ['not isAadJoined', null, (m) => m.isAadJoined === false],
    ["rbacGroupName eq 'The-A-Team' and firstSeen lt 2100-01-01Z and osBuild ge 0", null, (m) => m.rbacGroupName === 'The-A-Team' && typeof m.osBuild === 'number'],
  ];

  it('answers every sample filter with exactly the matching visible machines, in id order', async () => {
    for (const [filter, , holds] of SAMPLES) {
      const body = await expectCollection(await get(url(`/api/machines?$filter=${encodeURIComponent(filter)}&$top=10000`), token));
      assert.deepEqual(idsOf(body), expected(filter), filter);
      assert.ok(body.value.every(holds), filter);
      assert.equal(body['@odata.nextLink'], undefined);
    }
    const reference = await expectCollection(await get(url("/api/machines?$filter=startswith(computerDnsName,'mymachine')"), token));
    assert.deepEqual(idsOf(reference), [REFERENCE_MACHINE.id]);
  });

  it('$top=10 gives the first ten by id; $skip moves along; neither gives a nextLink', async () => {
    const all = expected(null);
    const top = await expectCollection(await get(url('/api/machines?$top=10'), token));
    assert.deepEqual(idsOf(top), all.slice(0, 10));
    assert.equal(top['@odata.nextLink'], undefined);
    const skipped = await expectCollection(await get(url('/api/machines?$top=20&$skip=5'), token));
    assert.deepEqual(idsOf(skipped), all.slice(5, 25), '$top beyond the page size');
    const beyond = await expectCollection(await get(url(`/api/machines?$skip=${all.length}`), token));
    assert.deepEqual(beyond.value, []);
  });

  it('$select answers only the chosen properties, in wire order, with the OData context naming them', async () => {
    const body = await expectCollection(await get(url('/api/machines?$select=deviceValue,ID&$top=3'), token), ['id', 'deviceValue']);
    assert.equal(body['@odata.context'], `${server.base}/api/$metadata#Machines(id,deviceValue)`);
    assert.equal(body.value.length, 3);
    const nulls = await expectCollection(await get(url(`/api/machines?$select=id,vmMetadata,riskScore&$filter=id eq '${REFERENCE_MACHINE.id}'`), token), ['id', 'riskScore', 'vmMetadata']);
    assert.deepEqual(nulls.value, [{ id: REFERENCE_MACHINE.id, riskScore: 'Low', vmMetadata: null }]);
    await expectCollection(await get(url('/api/machines?$select=*&$top=1'), token));
  });

  it('$orderby=lastSeen desc sorts newest first (id breaking ties); several keys and directions work', async () => {
    const body = await expectCollection(await get(url('/api/machines?$orderby=lastSeen desc&$top=10000&$select=id,lastSeen'), token), ['id', 'lastSeen']);
    const want = evaluatePage(fleet, scope(), { filter: null, orderBy: [{ property: 'lastSeen', descending: true }], skip: 0, limit: 10_000 });
    assert.deepEqual(idsOf(body), want.map((m) => m.id));
    const two = await expectCollection(await get(url('/api/machines?$orderby=DeviceValue asc, computerDnsName DESC&$top=10000'), token));
    const order = [{ property: 'deviceValue', descending: false }, { property: 'computerDnsName', descending: true }] as const;
    assert.deepEqual(idsOf(two), evaluatePage(fleet, scope(), { filter: null, orderBy: order, skip: 0, limit: 10_000 }).map((m) => m.id));
  });

  it('$count=true adds @odata.count (all matches, not just the page) before value', async () => {
    const body = await expectCollection(await get(url("/api/machines?$filter=healthStatus eq 'Active'&$count=true&$top=2"), token));
    assert.equal(body['@odata.count'], expected("healthStatus eq 'Active'").length);
    assert.equal(body.value.length, 2);
    const plain = await expectCollection(await get(url('/api/machines?$count=false&$top=1'), token));
    assert.equal(plain['@odata.count'], undefined);
  });

  it('the four encodings of section 1 mean the same query', async () => {
    const want = (await expectCollection(await get(url("/api/machines?$filter=healthStatus eq 'Active'&$top=10000"), token))).value;
    assert.ok(want.length > 0);
    for (const path of [
      "/api/machines?$filter=healthStatus%20eq%20'Active'&$top=10000",
      "/api/machines?$filter=healthStatus+eq+'Active'&$top=10000",
      '/api/machines?%24filter=healthStatus+eq+%27Active%27&%24top=10000',
      '/api/machines?$filter=healthStatus%20eq%20%27Active%27&$top=10000',
      '/api/v1.0/machines?$filter=healthStatus%20eq%20%27Active%27&$top=10000',
      "/API/Machines/?$FILTER=HealthStatus+eq+'active'&$Top=10000",
    ]) {
      assert.deepEqual(assertCollection(await raw(path)).value, want, path);
    }
    // A literal space cannot travel in an HTTP request line (clients encode it): a 400 in the envelope, not a hang.
    const reply = await rawSocket(server.base, "GET /api/machines?$filter=healthStatus eq 'Active' HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(reply, /^HTTP\/1\.1 400 [^]*"code":"BadRequest"/);
  });

  it('pages through nextLinks: every visible machine exactly once, none stale, and the last page has no link', async () => {
    for (const start of ['/api/machines?$select=id,lastSeen', `/api/v1.0/machines?$filter=${encodeURIComponent("healthStatus ne 'Unknown'")}&$orderby=lastSeen desc&$skip=3`]) {
      const seen: string[] = [];
      let next: string | undefined = url(start);
      let pages = 0;
      while (next !== undefined) {
        assert.ok(++pages < 50, 'paging must end');
        const body = await expectCollection(await get(next, token), start.includes('$select') ? ['id', 'lastSeen'] : undefined);
        assert.ok(body.value.length <= PAGE);
        seen.push(...idsOf(body));
        next = body['@odata.nextLink'];
        if (next !== undefined) {
          assert.equal(body.value.length, PAGE, 'only a full page can have a next one');
          assert.ok(next.startsWith(url(start.split('?')[0] as string)), next);
          assert.equal(new URL(next).searchParams.get('$skip'), String((start.includes('$skip=3') ? 3 : 0) + seen.length));
        }
      }
      const all = start.includes('$select') ? expected(null) : expected("healthStatus ne 'Unknown'").length - 3;
      if (Array.isArray(all)) {
        assert.deepEqual([...seen].sort(), [...all].sort());
        assert.equal(new Set(seen).size, seen.length, 'no machine twice');
        assert.deepEqual(seen, all, 'in id order');
      } else {
        assert.equal(seen.length, all);
        assert.equal(new Set(seen).size, seen.length);
      }
    }
  });
});
