import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.js';
import { addMachine } from './helpers/actions.js';
import { actionsFragment, actionsOn, cancelAction, follow, runAction, startActionConsole, statusIn, type ActionConsole } from './helpers/console-actions.js';
import { consoleGet, consolePost } from './helpers/console-session.js';

const ROLE_REFUSED = /The user does not have any of the required role permissions \(Active remediation actions\) to access the resource\./;
/** The actions the device page offers: the hidden `action` field of each form posting to `/actions`. */
const offered = (page: string): string[] => [...page.matchAll(/\/actions">\s*<input type="hidden" name="_csrf" value="[^"]*">\s*<input type="hidden" name="action" value="([\w-]+)">/g)].map((m) => m[1] ?? '');
const FOREIGN = /id="error-message">This form has expired or did not come from this console\./;

/**
 * What the console refuses when running or cancelling response actions, decided by the API's
 * own rules: role permissions, device groups, duplicates, platforms and input, plus the CSRF
 * token on every POST. A refusal is a page saying why, never a 500, and requests nothing.
 */
describe('console response actions: who may, and what is refused', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
  let c: ActionConsole;
  before(async () => {
    c = await startActionConsole(clock);
  });
  after(() => c?.server.close());

  it('shows the analyst no action to run nor to cancel, and refuses the POSTs anyway (403, nothing requested)', async () => {
    const machine = await addMachine(c.server.app);
    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'scan', confirm: 'yes', scanType: 'Quick', comment: 'admin scan' }));
    const [scan] = await actionsOn(c, machine.id);
    const page = await (await consoleGet(c.server.base, `/console/machines/${machine.id}`, c.analyst.cookie)).text();
    assert.deepEqual(offered(page), []);
    assert.match(page, /id="no-action-rights"/);
    assert.equal(statusIn(page, String(scan?.id)), 'Pending', 'the analyst still sees the actions');
    assert.doesNotMatch(page, /id="cancel-/);

    for (const form of [{ action: 'isolate' }, { action: 'isolate', confirm: 'yes', comment: 'no' }] as Record<string, string>[]) {
      const r = await runAction(c, c.analyst, machine.id, form);
      assert.equal(r.status, 403);
      assert.match(await r.text(), ROLE_REFUSED);
    }
    const cancel = await cancelAction(c, c.analyst, machine.id, String(scan?.id), { confirm: 'yes', comment: 'no' });
    assert.equal(cancel.status, 403);
    assert.match(await cancel.text(), ROLE_REFUSED);
    assert.deepEqual((await actionsOn(c, machine.id)).map((a) => [a.type, a.status]), [['RunAntiVirusScan', 'Pending']]);
  });

  it('lets the Lab operator offboard a Lab device but answers 404 for a device outside Lab, and 403 for what their role lacks', async () => {
    const lab = await addMachine(c.server.app, { rbacGroupId: 103, rbacGroupName: 'Lab', machineTags: ['Lab'] });
    const outside = await addMachine(c.server.app);
    const page = await (await consoleGet(c.server.base, `/console/machines/${lab.id}`, c.operator.cookie)).text();
    assert.deepEqual(offered(page), ['offboard']);

    for (const form of [{ action: 'offboard' }, { action: 'offboard', confirm: 'yes', comment: 'retire' }] as Record<string, string>[]) {
      const r = await runAction(c, c.operator, outside.id, form);
      assert.equal(r.status, 404);
      assert.match(await r.text(), new RegExp(`Machine ${outside.id} was not found`));
    }
    const fragment = await consoleGet(c.server.base, `/console/machines/${outside.id}/actions`, c.operator.cookie, { 'hx-request': 'true' });
    assert.equal(fragment.status, 404);
    assert.deepEqual(await actionsOn(c, outside.id), []);

    const isolate = await runAction(c, c.operator, lab.id, { action: 'isolate', confirm: 'yes', comment: 'no' });
    assert.equal(isolate.status, 403);
    assert.match(await isolate.text(), ROLE_REFUSED);

    await follow(c, c.operator, await runAction(c, c.operator, lab.id, { action: 'offboard', confirm: 'yes', comment: 'retire' }));
    const [offboard] = await actionsOn(c, lab.id);
    assert.deepEqual([offboard?.type, offboard?.requestor, offboard?.requestSource], ['Offboard', 'operator@rampart.demo', 'Portal']);
  });

  it('refuses a second isolation while one is active with the API\'s message, keeping what was typed', async () => {
    const machine = await addMachine(c.server.app);
    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'isolate', confirm: 'yes', comment: 'first' }));
    for (const action of ['isolate', 'unisolate']) {
      const again = await runAction(c, c.admin, machine.id, { action, confirm: 'yes', comment: 'second try' });
      const text = await again.text();
      assert.equal(again.status, 400);
      assert.match(text, /<p class="alert error" role="alert" id="action-error">Action is already in progress<\/p>/);
      assert.match(text, /<textarea id="comment" name="comment"[^>]*>second try<\/textarea>/);
    }
    assert.equal((await actionsOn(c, machine.id)).length, 1);
  });

  it('offers no action the platform cannot run, and shows the service\'s refusal when one is posted', async () => {
    const windows = await addMachine(c.server.app);
    const all = ['isolate', 'unisolate', 'scan', 'restrict', 'unrestrict', 'collect', 'offboard', 'quarantine', 'run-script', 'get-file'];
    assert.deepEqual(offered(await (await consoleGet(c.server.base, `/console/machines/${windows.id}`, c.admin.cookie)).text()), all);
    const linux = await addMachine(c.server.app, { osPlatform: 'Linux', rbacGroupId: 101, rbacGroupName: 'Servers' });
    const page = await (await consoleGet(c.server.base, `/console/machines/${linux.id}`, c.admin.cookie)).text();
    assert.deepEqual(offered(page), ['isolate', 'unisolate', 'scan', 'collect', 'run-script', 'get-file']);
    assert.match(page, /Not available on Linux: Restrict app execution, Remove app restriction, Offboard device, Stop and quarantine file\./);
    const r = await runAction(c, c.admin, linux.id, { action: 'restrict', confirm: 'yes', comment: 'lock it' });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /id="action-error">RestrictCodeExecution is not supported on the device&#39;s OS platform \(Linux\)\.<\/p>/);
    assert.deepEqual(await actionsOn(c, linux.id), []);
  });

  it('shows bad input as the API words it, and an unknown action or action id as a page, never a 500', async () => {
    const machine = await addMachine(c.server.app);
    const hash = await runAction(c, c.admin, machine.id, { action: 'quarantine', confirm: 'yes', sha1: 'not-a-hash', comment: 'q' });
    assert.equal(hash.status, 400);
    assert.match(await hash.text(), /id="action-error">The value &quot;not-a-hash&quot; is not a valid SHA-1 hash: 40 hexadecimal characters\.<\/p>/);
    const noComment = await runAction(c, c.admin, machine.id, { action: 'unisolate', confirm: 'yes', comment: '' });
    assert.equal(noComment.status, 400);
    assert.match(await noComment.text(), /Comment must be a non-empty string\./);
    const unknown = await runAction(c, c.admin, machine.id, { action: 'format-disk', confirm: 'yes', comment: 'x' });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /Choose one of the response actions of the device page\./);
    const missing = await cancelAction(c, c.admin, machine.id, '00000000-0000-4000-8000-000000000000', {});
    assert.equal(missing.status, 404);
    assert.deepEqual(await actionsOn(c, machine.id), []);
  });

  it('refuses every new POST without the session\'s CSRF token (403), requesting and cancelling nothing', async () => {
    const machine = await addMachine(c.server.app);
    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'collect', confirm: 'yes', comment: 'keep' }));
    const [collect] = await actionsOn(c, machine.id);
    const id = String(collect?.id);
    const posts: [string, Record<string, string>][] = [
      [`/console/machines/${machine.id}/actions`, { action: 'isolate' }],
      [`/console/machines/${machine.id}/actions`, { action: 'isolate', confirm: 'yes', comment: 'forged' }],
      [`/console/machines/${machine.id}/actions/${id}/cancel`, {}],
      [`/console/machines/${machine.id}/actions/${id}/cancel`, { confirm: 'yes', comment: 'forged' }],
    ];
    for (const [path, form] of posts) {
      for (const token of [undefined, c.analyst.csrf]) {
        const r = await consolePost(c.server.base, path, c.admin.cookie, { ...form, ...(token ? { _csrf: token } : {}) });
        assert.equal(r.status, 403, path);
        assert.match(await r.text(), FOREIGN);
      }
    }
    assert.deepEqual((await actionsOn(c, machine.id)).map((a) => [a.type, a.status]), [['CollectInvestigationPackage', 'Pending']]);
    assert.equal(statusIn(await actionsFragment(c, c.admin, machine.id), id), 'Pending');
  });
});
