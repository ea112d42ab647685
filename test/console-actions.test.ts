import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.js';
import { addMachine } from './helpers/actions.js';
import { actionsFragment, actionsOn, cancelAction, follow, runAction, startActionConsole, statusIn, type ActionConsole } from './helpers/console-actions.js';
import { consoleGet } from './helpers/console-session.js';

/**
 * Response actions from the console over real HTTP, on a hand-moved clock: the confirmation
 * step, the action listed with its status as time passes, cancelling, and what the record says
 * (the user as requestor, source Portal). Permissions, refusals and CSRF are in
 * console-action-rules.test.ts, the isolation filter in console-isolation-filter.test.ts.
 */
describe('console response actions', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  let c: ActionConsole;
  before(async () => {
    c = await startActionConsole(clock);
  });
  after(() => c?.server.close());

  it('isolates through the confirmation: nothing before it, then Pending with the user and source Portal, moving with the clock', async () => {
    const machine = await addMachine(c.server.app);
    const device = await (await consoleGet(c.server.base, `/console/machines/${machine.id}`, c.admin.cookie)).text();
    assert.match(device, /<input type="hidden" name="action" value="isolate">\s*<button type="submit">Isolate device…<\/button>/);
    assert.match(device, new RegExp(`hx-get="/console/machines/${machine.id}/actions" hx-trigger="every 2s"`));
    assert.match(device, /<dd id="isolation-state"><span class="badge state-off">Not isolated<\/span><\/dd>/);

    const confirm = await runAction(c, c.admin, machine.id, { action: 'isolate' });
    const form = await confirm.text();
    assert.equal(confirm.status, 200);
    assert.match(form, new RegExp(`<h1 id="confirm-heading">Isolate device on ${machine.computerDnsName}\\?</h1>`));
    assert.match(form, /<select id="isolation-type" name="isolationType" autofocus>/);
    assert.match(form, /<textarea id="comment" name="comment" rows="3" required maxlength="4000"/);
    assert.deepEqual(await actionsOn(c, machine.id), [], 'nothing is requested before the confirmation');

    const done = await runAction(c, c.admin, machine.id, { action: 'isolate', confirm: 'yes', isolationType: 'Selective', comment: 'Contain <b>it</b> & see' });
    assert.equal(done.headers.get('location'), `/console/machines/${machine.id}?done=action-isolate`);
    const [action, ...others] = await actionsOn(c, machine.id);
    assert.deepEqual(others, []);
    assert.deepEqual(
      [action?.type, action?.scope, action?.status, action?.requestor, action?.requestSource, action?.requestorComment],
      ['Isolate', 'Selective', 'Pending', 'admin@rampart.demo', 'Portal', 'Contain <b>it</b> & see'],
    );
    const id = String(action?.id);
    const page = await follow(c, c.admin, done);
    assert.match(page, /<p class="alert" role="status" id="done">Isolate device: requested\. Its status follows under Response actions\.<\/p>/);
    assert.equal(statusIn(page, id), 'Pending');
    assert.match(page, /<td class="comment">Contain &lt;b&gt;it&lt;\/b&gt; &amp; see<\/td>/);
    assert.match(page, /<td>admin@rampart\.demo <span class="muted">via console<\/span><\/td>/);

    clock.advance(2000);
    assert.equal(statusIn(await actionsFragment(c, c.admin, machine.id), id), 'InProgress');
    clock.advance(3000);
    const finished = await actionsFragment(c, c.admin, machine.id);
    assert.equal(statusIn(finished, id), 'Succeeded');
    assert.match(finished, /<dd id="isolation-state"><span class="badge state-on">Isolated \(Selective\)<\/span> <span class="muted">since 2026-03-01 10:00 UTC<\/span><\/dd>/);
  });

  it('reloading the page the confirmation led to requests nothing again', async () => {
    const machine = await addMachine(c.server.app);
    const done = await runAction(c, c.admin, machine.id, { action: 'collect', confirm: 'yes', comment: 'evidence' });
    assert.equal(done.status, 303);
    for (let i = 0; i < 3; i++) await follow(c, c.admin, done);
    assert.equal((await actionsOn(c, machine.id)).length, 1);
  });

  it('cancels a Pending action after a confirmation, recording who and why; a final one cannot be cancelled', async () => {
    const machine = await addMachine(c.server.app);
    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'scan', confirm: 'yes', scanType: 'Full', comment: 'scan it' }));
    const [scan] = await actionsOn(c, machine.id);
    const id = String(scan?.id);
    assert.match(await actionsFragment(c, c.admin, machine.id), new RegExp(`id="cancel-${id}"`));

    const confirm = await cancelAction(c, c.admin, machine.id, id, {});
    const form = await confirm.text();
    assert.equal(confirm.status, 200);
    assert.match(form, new RegExp(`<h1 id="confirm-heading">Cancel RunAntiVirusScan on ${machine.computerDnsName}\\?</h1>`));
    assert.equal((await c.api.action(id)).status, 'Pending', 'nothing is cancelled before the confirmation');

    const empty = await cancelAction(c, c.admin, machine.id, id, { confirm: 'yes', comment: ' ' });
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /<p class="alert error" role="alert" id="action-error">Comment must be a non-empty string\.<\/p>/);

    const page = await follow(c, c.admin, await cancelAction(c, c.admin, machine.id, id, { confirm: 'yes', comment: 'wrong device' }));
    assert.match(page, /Action cancelled\./);
    const cancelled = await c.api.action(id);
    assert.deepEqual([cancelled.status, cancelled.cancellationRequestor, cancelled.cancellationComment], ['Cancelled', 'admin@rampart.demo', 'wrong device']);
    const fragment = await actionsFragment(c, c.admin, machine.id);
    assert.equal(statusIn(fragment, id), 'Cancelled');
    assert.match(fragment, /by admin@rampart\.demo, <time datetime="[^"]+">2026-03-01 10:00 UTC<\/time>: <q>wrong device<\/q>/);
    assert.doesNotMatch(fragment, new RegExp(`id="cancel-${id}"`));

    const late = await cancelAction(c, c.admin, machine.id, id, {});
    assert.match(await late.text(), /The action is already Cancelled: it can no longer be cancelled\./);
    const again = await cancelAction(c, c.admin, machine.id, id, { confirm: 'yes', comment: 'again' });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /id="action-error">Action is already in a final state<\/p>/);
  });

  it('runs a live-response script from the library and collects a file, with each command\'s status', async () => {
    const machine = await addMachine(c.server.app);
    const form = await (await runAction(c, c.admin, machine.id, { action: 'run-script' })).text();
    assert.match(form, /<option value="collect-triage\.ps1">collect-triage\.ps1 \(Collects running processes and open connections\)<\/option>/);
    const unchosen = await runAction(c, c.admin, machine.id, { action: 'run-script', confirm: 'yes', comment: 'triage' });
    assert.equal(unchosen.status, 400);
    assert.match(await unchosen.text(), /Choose a script from the live-response library\./);

    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'run-script', confirm: 'yes', script: 'collect-triage.ps1', args: '-Verbose', comment: 'triage' }));
    const [script] = await actionsOn(c, machine.id);
    assert.deepEqual(script?.commands && (script.commands as { command: unknown }[]).map((x) => x.command), [
      { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect-triage.ps1' }, { key: 'Args', value: '-Verbose' }] },
    ]);
    assert.match(await actionsFragment(c, c.admin, machine.id), /<li>RunScript <code class="small">collect-triage\.ps1<\/code> <span class="badge status-created">Created<\/span><\/li>/);
    clock.advance(5000);
    const ran = await actionsFragment(c, c.admin, machine.id);
    assert.equal(statusIn(ran, String(script?.id)), 'Succeeded');
    assert.match(ran, /<li>RunScript <code class="small">collect-triage\.ps1<\/code> <span class="badge status-completed">Completed<\/span><\/li>/);

    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'get-file', confirm: 'yes', path: 'C:\\Temp\\a<b>.txt', comment: 'get it' }));
    const fragment = await actionsFragment(c, c.admin, machine.id);
    assert.match(fragment, /<li>GetFile <code class="small">C:\\Temp\\a&lt;b&gt;\.txt<\/code> <span class="badge status-created">Created<\/span><\/li>/);
  });

  it('shows a failed action\'s HRESULT and a quarantine\'s file', async () => {
    const machine = await addMachine(c.server.app);
    const sha1 = '87662bc3d60e4200ceaf7aae249d1c343f4b83c9';
    await follow(c, c.admin, await runAction(c, c.admin, machine.id, { action: 'quarantine', confirm: 'yes', sha1: sha1.toUpperCase(), comment: 'stop it' }));
    const [quarantine] = await actionsOn(c, machine.id);
    assert.deepEqual(quarantine?.relatedFileInfo, { fileIdentifier: sha1, fileIdentifierType: 'Sha1' });
    assert.match(await actionsFragment(c, c.admin, machine.id), new RegExp(`<code class="small">SHA-1 ${sha1}</code>`));

    // A script not in the library fails on the device (spec section 4).
    const lr = await c.api.act(machine.id, 'runliveresponse', { Comment: 'x', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'missing.ps1' }] }] });
    clock.advance(5000);
    const fragment = await actionsFragment(c, c.admin, machine.id);
    assert.equal(statusIn(fragment, String(lr.id)), 'Failed');
    assert.match(fragment, /HRESULT 0x80070002 \(-2147024894\)/);
    assert.match(fragment, /<td>Rampart demo application <span class="muted">via API<\/span><\/td>/);
  });
});
