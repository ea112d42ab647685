import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionBody, CONSOLE_ACTIONS, consoleAction, missingField } from '../src/console/console-actions.js';
import { faultSwitchboard } from '../src/console/fault-switchboard.js';
import { parseActionRequest } from '../src/domain/actions/action-commands.js';
import { ACTION_TYPES } from '../src/domain/actions/action-types.js';
import { ApiError } from '../src/domain/errors.js';
import { inventoryFilter, parseInventoryView, sortLink, viewQuery } from '../src/console/inventory-view.js';
import { segments, reversed } from '../src/console/inventory-order.js';
import { SESSION_LIFETIME_MS, SessionCodec } from '../src/console/session.js';
import { ConsoleSessions } from '../src/console/console-sessions.js';
import type { ConsoleSessionStore } from '../src/domain/ports.js';
import { ManualClock } from '../src/shared/clock.js';
import { loadConfig } from '../src/config/load-config.js';
import { loadOrCreateSessionSecret } from '../src/config/data-secrets.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeFaultAdmin } from './helpers/fault-admin.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A hand-written store of revocations, the way the SQLite and PostgreSQL stores keep them. */
class MemorySessionStore implements ConsoleSessionStore {
  readonly revoked = new Map<string, number>();
  readonly cutoffs = new Map<string, number>();
  async revokeConsoleSession(sid: string, expiresAt: number, nowMs: number): Promise<void> {
    for (const [id, at] of this.revoked) if (at <= nowMs) this.revoked.delete(id);
    this.revoked.set(sid, expiresAt);
  }
  async isConsoleSessionRevoked(sid: string): Promise<boolean> {
    return this.revoked.has(sid);
  }
  async revokeUserConsoleSessions(tenantId: string, userId: string, atMs: number): Promise<void> {
    const key = `${tenantId}/${userId}`;
    this.cutoffs.set(key, Math.max(atMs, this.cutoffs.get(key) ?? 0));
  }
  async userConsoleSessionsRevokedAt(tenantId: string, userId: string): Promise<number | undefined> {
    return this.cutoffs.get(`${tenantId}/${userId}`);
  }
}
const WHO = { tenantId: 't1', userId: 'u1', userPrincipalName: 'a@b.c' };

describe('console sessions', () => {
  const codec = new SessionCodec('a-secret-of-enough-length');

  it('reads back what it issued until it expires', () => {
    const { session, cookie } = codec.issue(WHO, T0);
    assert.deepEqual(codec.read(cookie, T0 + SESSION_LIFETIME_MS - 1), session);
    assert.equal(codec.read(cookie, T0 + SESSION_LIFETIME_MS), undefined);
  });

  it('refuses a cookie signed with another secret, or altered anywhere', () => {
    const { cookie } = new SessionCodec('another-secret-of-enough-length').issue(WHO, T0);
    assert.equal(codec.read(cookie, T0), undefined);
    const mine = codec.issue(WHO, T0).cookie;
    for (let i = 0; i < mine.length; i += 7) {
      const flipped = mine.slice(0, i) + (mine[i] === 'A' ? 'B' : 'A') + mine.slice(i + 1);
      if (flipped !== mine) assert.equal(codec.read(flipped, T0), undefined, `position ${i}`);
    }
  });

  it('refuses a signed-out session, and the sessions a user had when an admin revoked them', async () => {
    const clock = new ManualClock(T0);
    const sessions = new ConsoleSessions(codec, new MemorySessionStore(), clock);
    const first = codec.issue(WHO, T0);
    const second = codec.issue(WHO, T0);
    await sessions.signOut(first.session);
    assert.equal(await sessions.read(first.cookie), undefined);
    assert.deepEqual(await sessions.read(second.cookie), second.session);

    clock.advance(1000);
    const other = codec.issue({ ...WHO, userId: 'u2' }, clock.now());
    const store = new MemorySessionStore();
    const fresh = new ConsoleSessions(codec, store, clock);
    await store.revokeUserConsoleSessions(WHO.tenantId, WHO.userId, clock.now());
    assert.equal(await fresh.read(second.cookie), undefined);
    assert.deepEqual(await fresh.read(other.cookie), other.session, 'another user keeps their session');
    clock.advance(1);
    const again = codec.issue(WHO, clock.now());
    assert.deepEqual(await fresh.read(again.cookie), again.session, 'signing in again after the revocation works');
  });

  it('ties CSRF tokens to one session and login tokens to one nonce', () => {
    const a = codec.issue(WHO, T0).session;
    const b = codec.issue(WHO, T0).session;
    assert.ok(codec.checkCsrf(a, codec.csrfToken(a)));
    assert.equal(codec.checkCsrf(a, codec.csrfToken(b)), false);
    assert.equal(codec.checkCsrf(a, undefined), false);
    assert.equal(codec.checkCsrf(a, [codec.csrfToken(a)]), false);
    assert.ok(codec.checkLoginToken('nonce-1', codec.loginToken('nonce-1')));
    assert.equal(codec.checkLoginToken('nonce-2', codec.loginToken('nonce-1')), false);
    assert.equal(codec.checkLoginToken(undefined, codec.loginToken('')), false);
    // A session's CSRF token is not a login token, and the other way round.
    assert.equal(codec.checkLoginToken(a.sid, codec.csrfToken(a)), false);
  });

  it('will not run with a short secret', () => {
    assert.throws(() => new SessionCodec('short'), /at least 16 characters/);
  });
});

describe('the session secret setting', () => {
  it('is read from the flag or RAMPART_SESSION_SECRET, and refused when short', () => {
    assert.equal(loadConfig({}, { RAMPART_SESSION_SECRET: 'x'.repeat(16) }).sessionSecret, 'x'.repeat(16));
    assert.equal(loadConfig({}, {}).sessionSecret, undefined);
    assert.throws(() => loadConfig({ sessionSecret: 'short' }, {}), /^Error: --session-secret \(RAMPART_SESSION_SECRET\): must be at least 16 characters$/);
  });

  it('defaults to a random secret kept in the data folder (mode 600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-secret-'));
    try {
      const first = loadOrCreateSessionSecret(dir);
      assert.ok(first.length >= 40);
      assert.equal(statSync(join(dir, 'session-secret')).mode & 0o777, 0o600);
      assert.equal(loadOrCreateSessionSecret(dir), first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inventory view', () => {
  it('turns the query string into a MachineQuery filter, reading closed sets without case', () => {
    const view = parseInventoryView({ q: 'Web', value: ['high', 'Low', ''], health: 'active', os: ['Linux'], group: ['101'], tag: 'VIP', sort: 'lastseen', last: '1', size: '25' });
    assert.deepEqual(
      { q: view.q, values: view.values, health: view.health, os: view.os, groups: view.groups, tag: view.tag, sort: view.sort, after: view.after, before: view.before, last: view.last, size: view.size },
      { q: 'web', values: ['High', 'Low'], health: ['Active'], os: ['Linux'], groups: [101], tag: 'VIP', sort: 'lastSeen', after: '', before: '', last: true, size: 25 },
    );
    const filter = JSON.stringify(inventoryFilter(view));
    for (const part of ['"startsWith","property":"computerDnsName","prefix":"web"', '"in","property":"deviceValue","values":["High","Low"]', '"compare","property":"healthStatus","op":"eq","value":"Active"', '"anyTag"']) {
      assert.ok(filter.includes(part), part);
    }
    assert.equal(JSON.stringify(inventoryFilter(view, { withValue: false })).includes('deviceValue'), false);
    assert.equal(inventoryFilter(parseInventoryView({})), null);
  });

  it('writes the canonical query string back, and round-trips it', () => {
    const view = parseInventoryView({ value: 'High', risk: ['High', 'Medium'], sort: 'lastSeen', dir: 'desc', after: '1E5BC9D7E413DDD7902C2932E418702B84D0CC07' });
    const text = viewQuery(view);
    assert.equal(text, '?value=High&risk=High&risk=Medium&sort=lastSeen&dir=desc&after=1e5bc9d7e413ddd7902c2932e418702b84d0cc07');
    assert.deepEqual(parseInventoryView(Object.fromEntries([...new URLSearchParams(text.slice(1)).keys()].map((k) => [k, new URLSearchParams(text.slice(1)).getAll(k)]))), view);
    assert.equal(viewQuery(parseInventoryView({})), '');
  });

  it('reads the isolation facet without case, as a response-state filter or its negation, and refuses a value it does not know', () => {
    const isolated = { kind: 'responseState', family: 'isolation', state: 'Isolated' };
    assert.deepEqual(inventoryFilter(parseInventoryView({ isolation: 'isolated' })), isolated);
    assert.deepEqual(inventoryFilter(parseInventoryView({ isolation: 'NotIsolated', tag: 'VIP' })), {
      kind: 'and',
      left: { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'VIP' } },
      right: { kind: 'not', operand: isolated },
    });
    assert.equal(parseInventoryView({ isolation: ['Isolated', 'NotIsolated'] }).isolation, '');
    assert.equal(parseInventoryView({ isolation: '' }).isolation, '');
    assert.equal(viewQuery(parseInventoryView({ isolation: 'ISOLATED', sort: 'risk' })), '?isolation=Isolated&sort=risk');
    for (const bad of ['yes', ['Isolated', 'x'.repeat(200)]]) {
      assert.throws(() => parseInventoryView({ isolation: bad }), (e: unknown) => e instanceof ApiError && e.status === 400 && /^The isolation parameter must be Isolated or NotIsolated, not "(yes|x{100})"\.$/.test(e.message));
    }
  });

  it('refuses a value it does not know, naming the parameter and what it accepts (never dropping it)', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ value: 'Huge' }, 'The value parameter must be Low, Normal or High, not "Huge".'],
      [{ health: 'Sleepy' }, 'The health parameter must be Active, Inactive, ImpairedCommunication, NoSensorData, NoSensorDataImpairedCommunication or Unknown, not "Sleepy".'],
      [{ os: '<script>' }, 'The os parameter must be an OS platform name (letters, digits, space, dot, underscore or hyphen; up to 64), not "<script>".'],
      [{ group: 'x' }, 'The group parameter must be a device group id (a number), not "x".'],
      [{ sort: 'nope' }, 'The sort parameter must be name, lastSeen, value, health, risk or exposure, not "nope".'],
      [{ dir: 'up' }, 'The dir parameter must be asc or desc, not "up".'],
      [{ size: '7' }, 'The size parameter must be 25, 50, 100 or 200, not "7".'],
      [{ after: 'not-an-id' }, 'The after parameter must be a machine id (40 hexadecimal characters), not "not-an-id".'],
      [{ before: 'x' }, 'The before parameter must be a machine id (40 hexadecimal characters), not "x".'],
      [{ last: 'yes' }, 'The last parameter must be 1, not "yes".'],
      [{ sort: ['name', 'risk'] }, 'The sort parameter may be given once.'],
      [{ after: 'a'.repeat(40), last: '1' }, 'Only one of the after, before and last parameters may be given.'],
      [{ q: 'x'.repeat(257) }, 'The q parameter is longer than 256 characters.'],
    ];
    for (const [query, message] of cases) {
      assert.throws(() => parseInventoryView(query), (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === message, message);
    }
  });

  it('turns the sorted column around and starts a new one ascending, on page one', () => {
    const view = parseInventoryView({ sort: 'risk', after: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07' });
    assert.equal(sortLink(view, 'risk'), '?sort=risk&dir=desc');
    assert.equal(sortLink(view, 'name'), '');
  });
});

describe('console actions', () => {
  const values = { comment: 'why', isolationType: 'selective', scanType: '', sha1: 'A'.repeat(40), script: 'collect-triage.ps1', args: '', path: 'C:\\x.txt' };

  it('gives every action of the device page a body the Machine API\'s own parser takes, for the type it names', () => {
    for (const action of CONSOLE_ACTIONS) {
      const parsed = parseActionRequest(action.type, actionBody(action, values));
      assert.equal(parsed.comment, 'why', action.key);
    }
    assert.deepEqual(actionBody(consoleAction('isolate'), values), { Comment: 'why', IsolationType: 'selective' });
    assert.deepEqual(actionBody(consoleAction('scan'), values), { Comment: 'why', ScanType: 'Quick' });
    assert.deepEqual(actionBody(consoleAction('get-file'), values), { Comment: 'why', Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: 'C:\\x.txt' }] }] });
    assert.deepEqual(new Set(CONSOLE_ACTIONS.map((a) => a.type)), new Set(ACTION_TYPES), 'every action type can be run, and so cancelled, from the console');
  });

  it('asks for a script or a path before the service would take an empty one as a name', () => {
    assert.equal(missingField(consoleAction('run-script'), { ...values, script: '' }), 'Choose a script from the live-response library.');
    assert.equal(missingField(consoleAction('get-file'), { ...values, path: '' }), 'Enter the path of the file to collect.');
    assert.equal(missingField(consoleAction('isolate'), { ...values, script: '', path: '' }), undefined);
    assert.throws(() => consoleAction(['nope']), /Choose one of the response actions/);
  });
});

describe('inventory order', () => {
  it('reads a key and then id, in one direction, as one keyset range', () => {
    const [only, ...rest] = segments('lastSeen', true);
    assert.equal(rest.length, 0);
    assert.deepEqual(only?.orderBy, [{ property: 'lastSeen', descending: true }, { property: 'id', descending: true }]);
    assert.equal(only?.filter, null);
  });

  it('puts machines without a risk first ascending and last descending, each segment by id', () => {
    const ascending = segments('riskScore', false);
    assert.deepEqual(ascending.map((s) => s.filter), [
      { kind: 'compare', property: 'riskScore', op: 'eq', value: null },
      { kind: 'compare', property: 'riskScore', op: 'ne', value: null },
    ]);
    assert.deepEqual(ascending[0]?.orderBy, [{ property: 'id', descending: false }]);
    const descending = segments('riskScore', true);
    assert.deepEqual(descending.map((s) => s.orderBy.length), [2, 1]);
    // Read backwards, the ascending order is the descending one.
    assert.deepEqual(reversed(ascending).map((s) => s.orderBy), descending.map((s) => s.orderBy));
  });
});

describe('fault switchboard', () => {
  const fakeAdmin = () => fakeFaultAdmin([{ id: 'r1', error: 'ServiceUnavailable', calls: '1-2' }, { id: 'r2', latencyMs: 300 }]);

  it('switches a rule off and on again with the same definition', async () => {
    const admin = fakeAdmin();
    const board = faultSwitchboard(admin, new ManualClock(T0));
    assert.equal(await board.setEnabled('t', 'r1', false), true);
    assert.deepEqual(admin.specs.map((s) => s.id), ['r1', 'r2'], 'a rule switched off keeps its definition');
    const listed = await board.list('t');
    assert.deepEqual(listed.map((f) => [f.rule.id, f.enabled]), [['r1', false], ['r2', true]]);
    assert.deepEqual(listed[0]?.rule.trigger, { kind: 'calls', from: 1, to: 2 });
    assert.equal(await board.setEnabled('t', 'r1', true), true);
    assert.deepEqual((await board.list('t')).map((f) => f.enabled), [true, true]);
    assert.equal(await board.setEnabled('t', 'nope', true), false);
  });
});
