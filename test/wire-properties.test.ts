import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { DEVICE_VALUES } from '../src/domain/machines/device-value.js';
import type { MachineScope } from '../src/domain/ports.js';
import type { Timestamp } from '../src/shared/timestamp.js';
import { assertCollection } from './helpers/collection.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { assertEntity, assertEnvelope, ERROR_CONTENT_TYPE, get, GUID, rawRequest, replyOf, type WireReply } from './helpers/wire.js';

/**
 * Properties over the wire: whatever a client sends, the answer is a 200 entity or a 4xx in the
 * exact envelope, never a 5xx, and the body rules (spec sections 3, 4 and 6) decide which.
 * Fixed seed and bounded runs, so a failure reproduces and the file stays fast.
 */
const RUNS = { seed: 42, numRuns: 200 } as const;
const ID = REFERENCE_MACHINE.id;
const KEYS = [ID, '80fe8ff8-2624-418e-9591-41f0491218f9', REFERENCE_MACHINE.computerDnsName.toUpperCase()] as const;
/** The whole demo tenant, retention ignored: for looking behind the API. */
const EVERYTHING: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };

type Expected = { status: 200; deviceValue?: string; machineTags?: string[] } | { status: 400; code: string };
const bad = (code: string): Expected => ({ status: 400, code });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const canonical = (v: unknown) => (typeof v === 'string' ? DEVICE_VALUES.find((d) => d.toLowerCase() === v.toLowerCase()) : undefined);
const validTags = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((t) => typeof t === 'string' && t.trim() !== '' && t.length <= 200);

/** What the contract says a body text must produce, on setDeviceValue or PATCH. */
function expected(route: 'set' | 'patch', text: string): Expected {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return bad('InvalidRequestBody');
  }
  if (!isObject(body)) return bad('InvalidRequestBody');
  if (route === 'set') {
    if (!Object.hasOwn(body, 'DeviceValue')) return bad('MissingRequiredParameter');
    const value = canonical(body.DeviceValue);
    return value ? { status: 200, deviceValue: value } : bad('InvalidInput');
  }
  const hasValue = Object.hasOwn(body, 'deviceValue');
  const hasTags = Object.hasOwn(body, 'machineTags');
  if (hasValue && !canonical(body.deviceValue)) return bad('InvalidInput');
  if (hasTags && !validTags(body.machineTags)) return bad('InvalidInput');
  if (!hasValue && !hasTags) return bad('MissingRequiredParameter');
  return {
    status: 200,
    ...(hasValue ? { deviceValue: canonical(body.deviceValue) } : {}),
    ...(hasTags ? { machineTags: [...new Set(body.machineTags as string[])] } : {}),
  };
}

function check(reply: WireReply, want: Expected, label: string): void {
  assert.ok(reply.status < 500, `${label}: ${reply.status} ${reply.text.slice(0, 300)}`);
  if (want.status === 400) {
    assertEnvelope(reply, 400, want.code);
    return;
  }
  const body = assertEntity(reply);
  if (want.deviceValue) assert.equal(body.deviceValue, want.deviceValue, label);
  if (want.machineTags) assert.deepEqual(body.machineTags, want.machineTags, label);
}

const toText = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
};

/** Percent-encodes everything but unreserved characters and sub-delimiters, byte by byte (lone surrogates become U+FFFD). */
const encodeSegment = (segment: string): string =>
  [...segment].map((ch) => (/^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))).join('');

describe('Machine API wire properties', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer({ durability: 'normal' });
    token = await server.token();
  });
  after(() => server.close());

  const post = async (route: 'set' | 'patch', key: string, body: string | Uint8Array): Promise<WireReply> => {
    const path = route === 'set' ? `/api/machines/${key}/setDeviceValue` : `/api/machines/${key}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    return replyOf(await call(`${server.base}${path}`, { method: route === 'set' ? 'POST' : 'PATCH', headers, body }));
  };

  /** Sends one body text to both routes and checks each answer against the contract. */
  const bothRoutes = async (key: string, text: string): Promise<void> => {
    for (const route of ['set', 'patch'] as const) check(await post(route, key, text), expected(route, text), `${route} ${text.slice(0, 200)}`);
  };

  it('(a) any JSON value as a body: 200 or the right 4xx, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...KEYS), fc.jsonValue(), (key, value) => bothRoutes(key, toText(value))), RUNS);
  });

  it('(a) any JS object serialised as a body: 200 or the right 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...KEYS), fc.object(), (key, value) => bothRoutes(key, toText(value))), RUNS);
  });

  it('(a) objects with DeviceValue/deviceValue/machineTags in random casings and random values', async () => {
    const key = fc.oneof(
      fc.mixedCase(fc.constantFrom('DeviceValue', 'machineTags')),
      fc.constantFrom('DeviceValue', 'deviceValue', 'devicevalue', 'DEVICEVALUE', 'MachineTags', 'Value', '__proto__', 'constructor'),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      { arbitrary: fc.constantFrom(...DEVICE_VALUES), weight: 3 },
      { arbitrary: fc.mixedCase(fc.constantFrom('high', 'low', 'normal', 'critical')), weight: 3 },
      fc.constantFrom(null, '', ' High', 'High ', 'Hi\u0000gh', 0, 1, 2, true, [], {}, ['High']),
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
    );
    const tag = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('', ' ', '\t', 'x'.repeat(200), 'y'.repeat(201), 'dup'), fc.jsonValue({ maxDepth: 1 }));
    const tags = fc.oneof({ arbitrary: fc.array(tag, { maxLength: 5 }), weight: 4 }, fc.jsonValue({ maxDepth: 1 }));
    const known = fc.record({ DeviceValue: value, deviceValue: value, machineTags: tags }, { requiredKeys: [] });
    const body = fc.tuple(fc.dictionary(key, value, { maxKeys: 3 }), known).map(([extra, k]) => ({ ...extra, ...k }));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...KEYS), body, (k, b) => bothRoutes(k, toText(b))), { ...RUNS, numRuns: 300 });
  });

  it('(c) random bytes, and valid bodies with random bytes spliced in, sent as application/json', async () => {
    const valid = fc.constantFrom('{"DeviceValue":"High"}', '{"deviceValue":"Low","machineTags":["a"]}', '{"machineTags":["x","y"]}');
    const spliced = fc.tuple(valid, fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([text, at, bytes]) => {
      const base = Buffer.from(text);
      const i = at % (base.length + 1);
      return new Uint8Array(Buffer.concat([base.subarray(0, i), bytes, base.subarray(i)]));
    });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), spliced, fc.string({ unit: 'binary', maxLength: 60 }).map((s) => new Uint8Array(Buffer.from(s))));
    await fc.assert(
      fc.asyncProperty(bytes, async (body) => {
        const text = Buffer.from(body).toString('utf8');
        for (const route of ['set', 'patch'] as const) {
          check(await post(route, ID, body), expected(route, text), `${route} bytes ${Buffer.from(body).toString('hex').slice(0, 200)}`);
        }
      }),
      RUNS,
    );
  });

  const prefix = fc.constantFrom('/api/machines/', '/api/v1.0/machines/', '/API/MACHINES/', '/api/Machines/');
  const suffix = fc.oneof(
    { arbitrary: fc.constantFrom('', '/', '/setDeviceValue', '/SETDEVICEVALUE'), weight: 6 },
    fc.constantFrom('//', '/setDeviceValue/', '/tags', '/x', '/..', '?$filter=x', '?%', '?a=%zz'),
  );
  const method = fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'SEARCH');
  const body = fc.constantFrom(undefined, '{"DeviceValue":"Normal"}', '{}', 'nope', '{"machineTags":["fuzz"]}');

  /** Sends one request as is and checks the answer is never a 5xx and every error is the envelope. */
  const probe = async (path: string, verb: string, text: string | undefined, authorised: boolean) => {
    const headers: Record<string, string> = authorised ? { authorization: `Bearer ${token}` } : {};
    const hasBody = text !== undefined && ['POST', 'PATCH', 'PUT'].includes(verb);
    if (hasBody) headers['content-type'] = 'application/json';
    const reply = await rawRequest(server.base, { method: verb, path, headers, ...(hasBody ? { body: text } : {}) });
    const label = `${verb} ${path.slice(0, 200)} -> ${reply.status} ${reply.text.slice(0, 200)}`;
    // 501 NotImplemented is the documented answer of operation-table rows not built yet (operations.ts).
    const notImplemented = reply.status === 501;
    assert.ok(reply.status < 500 || notImplemented, label);
    assert.ok(reply.status === 200 || reply.status >= 400, label);
    if (verb === 'HEAD') {
      if (reply.status >= 400) assert.equal(reply.header('content-type'), ERROR_CONTENT_TYPE, label);
      assert.match(reply.header('request-id') ?? '', GUID, label);
    } else if (reply.status === 200) {
      // The list and find-by-tag answer collections; every other route one machine.
      if (reply.text.includes('"value":[')) assertCollection(reply);
      else assertEntity(reply);
    } else {
      const error = assertEnvelope(reply);
      if (notImplemented) assert.equal(error.code, 'NotImplemented', label);
    }
  };

  it('(b) well-formed random path segments (unicode, %25, .., up to 100 characters) and methods never 5xx', async () => {
    const segment = fc.oneof(
      fc.webSegment(),
      fc.string({ unit: 'binary', maxLength: 40 }).map(encodeSegment),
      fc.string({ unit: 'grapheme', maxLength: 25 }).filter((s) => s.length <= 100).map(encodeSegment),
      fc.string({ minLength: 60, maxLength: 100 }).map(encodeSegment).filter((s) => decodeURIComponent(s).length <= 100),
      fc.constantFrom('..', '.', '%25', '%2e%2e', '%2F', '%00', '%C3%A9', 'findbytag', 'FindByTag', 'AddOrRemoveTagForMultipleMachines', '$metadata', '', ...KEYS),
    );
    await fc.assert(
      fc.asyncProperty(prefix, segment, suffix, method, body, fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)), (p, s, x, verb, text, authorised) => probe(`${p}${s}${x}`, verb, text, authorised)),
      { ...RUNS, numRuns: 300 },
    );
  });

  // Malformed percent-escapes and over-long segments are refused before routing, still in the envelope.
  it('(b) malformed percent-escapes and over-long segments answer in the envelope', async () => {
    const segment = fc.oneof(
      fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('%', '%z', '%zz', '%C0%AF', '%E0%A4', '%FF'), fc.string({ maxLength: 10 })).map(([a, bad, b]) => `${encodeSegment(a)}${bad}${encodeSegment(b)}`),
      fc.string({ minLength: 101, maxLength: 4000 }).map(encodeSegment),
    );
    await fc.assert(fc.asyncProperty(prefix, segment, suffix, method, (p, s, x, verb) => probe(`${p}${s}${x}`, verb, undefined, true)), { ...RUNS, numRuns: 150 });
  });

  it('left the reference machine with one of the three values (no partial write)', async () => {
    const stored = await server.app.store.getById(EVERYTHING, ID);
    assert.ok(stored);
    assert.ok((DEVICE_VALUES as readonly string[]).includes(stored.deviceValue), stored.deviceValue);
    assert.ok(stored.machineTags.every((t) => typeof t === 'string' && t.trim() !== '' && t.length <= 200));
    const body = assertEntity(await replyOf(await get(`${server.base}/api/machines/${ID}`, token)));
    assert.equal(body.deviceValue, stored.deviceValue);
    assert.deepEqual(body.machineTags, stored.machineTags);
    const history = await server.app.machines.history(DEMO_TENANT_ID, ID, 10_000);
    assert.ok(history.length > 0);
    assert.equal(history[0]?.newValue, stored.deviceValue, 'the newest history entry matches the stored value');
    for (const entry of history) assert.ok((DEVICE_VALUES as readonly string[]).includes(entry.newValue));
  });
});
