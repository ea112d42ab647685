import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { consoleGet, consolePost, consoleSignIn, postSignIn } from './helpers/console-session.js';

/**
 * Console sessions on the server side: sign-out and an admin's revocation hold after a restart,
 * and repeated failed sign-ins are slowed down, then refused, for that account only.
 */
describe('console sessions across restarts', () => {
  let dataDir: string;
  const clock = new ManualClock(Date.now());
  const start = () => startTestServer({ dataDir }, clock);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rampart-test-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps a signed-out session refused after a restart, while another session of the user lives on', async () => {
    let server = await start();
    let signedOut, kept;
    try {
      signedOut = await consoleSignIn(server.base, DEMO_USERS.analyst);
      kept = await consoleSignIn(server.base, DEMO_USERS.analyst);
      assert.equal((await consolePost(server.base, '/console/logout', signedOut.cookie, { _csrf: signedOut.csrf })).status, 303);
      assert.equal((await consoleGet(server.base, '/console/machines', signedOut.cookie)).status, 303);
    } finally {
      await server.close();
    }
    server = await start();
    try {
      const refused = await consoleGet(server.base, '/console/machines', signedOut.cookie);
      assert.equal(refused.status, 303);
      assert.match(refused.headers.get('location') ?? '', /^\/console\/login/);
      // The sign-in form does not bounce a revoked cookie back to the console (no redirect loop).
      assert.equal((await consoleGet(server.base, '/console/login', signedOut.cookie)).status, 200);
      assert.equal((await consoleGet(server.base, '/console/machines', kept.cookie)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('lets an admin end every session of a user, for good, and the user sign in again', async () => {
    let server = await start();
    let revoked, other;
    try {
      revoked = [await consoleSignIn(server.base, DEMO_USERS.operator), await consoleSignIn(server.base, DEMO_USERS.operator)];
      other = await consoleSignIn(server.base, DEMO_USERS.admin);
      const path = `/admin/tenants/${DEMO_TENANT_ID}/users/${encodeURIComponent(DEMO_USERS.operator.userPrincipalName)}/console-sessions/revoke`;
      const refusedKey = await call(`${server.base}${path}`, { method: 'POST', headers: { authorization: 'Bearer not-the-key' } });
      assert.equal(refusedKey.status, 401);
      const done = await call(`${server.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${server.app.adminKey}` } });
      assert.equal(done.status, 204);
      const unknown = await call(`${server.base}${path.replace('operator%40', 'nobody%40')}`, { method: 'POST', headers: { authorization: `Bearer ${server.app.adminKey}` } });
      assert.equal(unknown.status, 404);
      for (const session of revoked) assert.equal((await consoleGet(server.base, '/console/machines', session.cookie)).status, 303);
    } finally {
      await server.close();
    }
    clock.advance(1000);
    server = await start();
    try {
      for (const session of revoked) assert.equal((await consoleGet(server.base, '/console/machines', session.cookie)).status, 303);
      assert.equal((await consoleGet(server.base, '/console/machines', other.cookie)).status, 200, 'another user is not affected');
      const again = await consoleSignIn(server.base, DEMO_USERS.operator);
      assert.equal((await consoleGet(server.base, '/console/machines', again.cookie)).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('console sign-in throttling', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  const wrong = { userPrincipalName: DEMO_USERS.analyst.userPrincipalName, password: 'not-the-password' };

  before(async () => {
    server = await startTestServer({}, clock);
  });
  after(() => server?.close());

  it('slows down failed sign-ins of an account, then refuses it for a while without locking out others', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await postSignIn(server.base, wrong)).status, 401, `failure ${i + 1}`);
    const slowed = await postSignIn(server.base, wrong);
    assert.equal(slowed.status, 429);
    assert.equal(slowed.headers.get('retry-after'), '1');
    assert.match(await slowed.text(), /<p class="alert error" role="alert" id="sign-in-error">Too many failed sign-ins for this account. Wait 1 second before trying again.<\/p>/);

    // Waiting as asked lets one more attempt through each time, until the tenth failure locks the account.
    for (let failures = 3; failures < 10; failures++) {
      clock.advance(1000 * 2 ** (failures - 3));
      assert.equal((await postSignIn(server.base, wrong)).status, 401, `failure ${failures + 1}`);
    }
    clock.advance(10 * 60_000);
    const locked = await postSignIn(server.base, DEMO_USERS.analyst);
    assert.equal(locked.status, 429, 'even the right password is refused during the lock-out');
    assert.equal(locked.headers.get('retry-after'), '300');
    assert.match(await locked.text(), /Too many failed sign-ins for this account. Sign-in is blocked for 5 minutes./);
    assert.equal(locked.headers.getSetCookie().some((c) => c.startsWith('rampart_console=')), false);

    assert.equal((await postSignIn(server.base, DEMO_USERS.admin)).status, 303, 'another account from the same address signs in');
    clock.advance(5 * 60_000);
    assert.equal((await postSignIn(server.base, DEMO_USERS.analyst)).status, 303, 'the lock-out ends');
  });

  it('refuses an address that keeps failing across many accounts', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await postSignIn(server.base, { userPrincipalName: `spray-${i}@rampart.demo`, password: 'guess' });
      if (i < 20) assert.equal(r.status, 401, `failure ${i + 1}`);
      clock.advance(5 * 60_000); // past every per-address pause
    }
    const refused = await postSignIn(server.base, DEMO_USERS.admin);
    assert.equal(refused.status, 429);
    assert.match(await refused.text(), /Too many failed sign-ins for this network address. Sign-in is blocked for/);
  });
});
