/**
 * What GET /api/machines refuses, over real HTTP: every unsupported option, property, operator or
 * literal is 400 ODataError in the MDE envelope, naming the problem; the tenant without any
 * machine in retention is 404; a filter matching nothing is 200 with an empty value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../src/shared/clock.js';
import { expectCollection } from './helpers/collection.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { assertEnvelope, expectError, get, rawRequest } from './helpers/wire.js';

const DAY = 86_400_000;

describe('GET /api/machines: refusals', () => {
  let server: TestServer;
  let token: string;
  const list = (query: string) => get(`${server.base}/api/machines?${query}`, token);

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  it('$top outside 1..10000, $skip below 0 and non-numbers are ODataError naming the option', async () => {
    for (const [query, option] of [
      ['$top=0', '$top'], ['$top=10001', '$top'], ['$top=-1', '$top'], ['$top=abc', '$top'], ['$top=', '$top'], ['$top=1.5', '$top'],
      ['$skip=-1', '$skip'], ['$skip=x', '$skip'], ['$count=yes', '$count'],
    ] as const) {
      await expectError(await list(query), 400, 'ODataError', new RegExp(`\\${option}`));
    }
    await expectCollection(await list('$top=10000&$skip=0'));
  });

  it('unknown or repeated $ options are ODataError; parameters without $ are not OData and pass', async () => {
    for (const option of ['$expand=ipAddresses', '$search=x', '$format=json', '$apply=x', '$foo=1']) {
      await expectError(await list(option), 400, 'ODataError', new RegExp(`'\\${option.split('=')[0]}' is not supported`));
    }
    await expectError(await list('$top=1&$top=2'), 400, 'ODataError', /more than once/);
    await expectError(await list('$filter=id eq null&$FILTER=id eq null'), 400, 'ODataError', /more than once/);
    await expectCollection(await list('api-version=1.0&$top=1'));
  });

  it('unknown properties are named, machineTags needs any(), the objects cannot be filtered or ordered', async () => {
    const cases: [string, RegExp][] = [
      ["vmMetadata eq null", /'vmMetadata' cannot be used in \$filter/],
      ["isExcluded eq 'false'", /'isExcluded' cannot be compared with 'false': it takes true or false/],
      ["osBuild eq true", /'osBuild' cannot be compared with 'true': it takes a whole number/],
      ["startswith(isExcluded,'t')", /startswith needs a string property/],
      ["colour eq 'red'", /property named 'colour'/],
      ["machineTags eq 'PCI'", /machineTags\/any/],
      ["ipAddresses/any(a: a eq '1')", /not a collection that any\(\) can filter/],
      ["machineTags/all(t: t eq 'x')", /'all' is not supported/],
    ];
    for (const [filter, message] of cases) await expectError(await list(`$filter=${encodeURIComponent(filter)}`), 400, 'ODataError', message);
    await expectError(await list('$orderby=ipAddresses'), 400, 'ODataError', /'ipAddresses' cannot be used in \$orderby/);
    await expectError(await list('$orderby=lastSeen sideways'), 400, 'ODataError', /\$orderby/);
    await expectError(await list('$select=id,nope'), 400, 'ODataError', /'nope'/);
  });

  it('bad literals, operators and syntax are ODataError', async () => {
    for (const filter of [
      "lastSeen gt '2018-08-01'", 'lastSeen gt 2018-13-45Z', "rbacGroupId eq '140'", 'rbacGroupId eq 1.5', "healthStatus eq Active",
      "healthStatus eq 'Active", "healthStatus eq 'Active' and", "healthStatus gt null", "contains(computerDnsName,'x')",
      "startswith(rbacGroupId,'1')", "healthStatus eq 'Active')", "(healthStatus eq 'Active'", "healthStatus", "'a' eq 'b'",
      "healthStatus in ('Active', null)", "machineTags/any(t: computerDnsName eq 'x')", "healthStatus eq 'Active' xor id eq 'a'", '',
    ]) {
      const error = await expectError(await list(`$filter=${encodeURIComponent(filter)}`), 400, 'ODataError');
      assert.ok(error.message.length < 300, error.message);
    }
  });

  it('random query strings never cause a 5xx: a collection or an error envelope', async () => {
    const piece = fc.constantFrom('$filter=', '$top=', '$skip=', '$select=', '$orderby=', '$count=', '%24filter=', '&', '=', '%27', "'", '+', '%20', '(', ')',
      'healthStatus', 'eq', 'Active', 'lastSeen', 'gt', '2018-08-01Z', 'machineTags/any(t:t+eq+', '+desc', ',', '%', '%zz', '%C3%A9', '10', '-1', 'null', 'in');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 14 }), async (parts) => {
        const reply = await rawRequest(server.base, { method: 'GET', path: `/api/machines?${parts.join('')}`, headers: { authorization: `Bearer ${token}` } });
        assert.ok(reply.status === 200 || reply.status === 400, `${parts.join('')} -> ${reply.status} ${reply.text.slice(0, 200)}`);
        if (reply.status === 400) assert.ok(['ODataError', 'BadRequest'].includes(assertEnvelope(reply).code));
      }),
      { seed: 5, numRuns: 250 },
    );
  });

  it('a filter that matches nothing is 200 with an empty value', async () => {
    const body = await expectCollection(await list(`$filter=${encodeURIComponent("computerDnsName eq 'no-such-machine'")}&$count=true`));
    assert.deepEqual(body.value, []);
    assert.equal(body['@odata.count'], 0);
  });
});

describe('GET /api/machines: a tenant with no machine in retention', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  before(async () => {
    server = await startTestServer({}, clock);
    clock.advance(500 * DAY); // every demo machine is now beyond the 180-day retention
  });
  after(() => server.close());

  it('answers 404 ResourceNotFound, with or without a filter, while find-by-tag stays 200 []', async () => {
    const token = await server.token();
    for (const query of ['', '?$top=5', "?$filter=healthStatus eq 'Active'", '?$skip=3&$count=true']) {
      await expectError(await get(`${server.base}/api/machines${query}`, token), 404, 'ResourceNotFound', /retention/);
    }
    const byTag = await expectCollection(await get(`${server.base}/api/machines/findbytag?tag=PCI`, token));
    assert.deepEqual(byTag.value, []);
  });
});
