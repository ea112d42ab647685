import type { FastifyPluginAsync } from 'fastify';
import { parseDeviceValue } from '../domain/machines/device-value.js';
import { ApiError } from '../domain/errors.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { ValueChange } from '../domain/machines/value-change.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { allows, requireOperation } from './console-principal.js';
import { actionPanel } from './action-panel.js';
import { ACTION_DONE } from './console-actions.js';
import { ActorNames } from '../domain/identity/actor-names.js';
import { VALUE_ORDER } from './inventory-view.js';
import { alertPage } from './alert-routes.js';

type Params = { Params: { machineId: string } };
type ValueForm = { Body: { value?: string; confirm?: string } | undefined };
type TagForm = { Body: { tag?: string; action?: string } | undefined };

const HISTORY_SHOWN = 100;
const ALERTS_SHOWN = 20;

/** Messages a redirect may ask the device page to show (never text taken from the URL). */
const DONE: Readonly<Record<string, string>> = {
  value: 'Device value saved.',
  'tag-added': 'Tag added.',
  'tag-removed': 'Tag removed.',
  ...ACTION_DONE,
};

const deviceUrl = (id: string, done?: string): string => `/console/machines/${encodeURIComponent(id)}${done ? `?done=${done}` : ''}`;

/** History rows with the names beside the ids (ActorNames: the same names as the Activity page, the CLI and the admin API). */
async function describeHistory(deps: ConsoleDeps, tenantId: string, history: readonly ValueChange[]) {
  if (history.length === 0) return [];
  const names = await ActorNames.of(deps.policy, tenantId);
  return history.map((h) => ({ ...h, userPrincipalName: names.userName(h.userId), appName: names.appName(h.appId) }));
}

/** After a tag change the device may have moved to a group the user cannot see. */
async function stillVisible(deps: ConsoleDeps, principal: DelegatedPrincipal, id: string): Promise<boolean> {
  try {
    await deps.machines.get(principal, id);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

/**
 * The device page and its changes. Each handler checks the operation-table row the API would
 * (GetMachine, SetDeviceValue, AddOrRemoveTag) and then calls the API's own service, which
 * applies device groups and retention and writes the audited change with route `console`.
 */
export const deviceRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  app.get<Params>('/machines/:machineId', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'GetMachine');
    const machine = await deps.machines.get(principal, request.params.machineId);
    const [history, panel, canSetValue, canTag, canSeeAlerts] = await Promise.all([
      deps.machines.historyOf(machine, principal.tenantId, HISTORY_SHOWN),
      actionPanel(deps, principal, machine),
      allows(deps.policy, principal, 'SetDeviceValue'),
      allows(deps.policy, principal, 'AddOrRemoveTag'),
      allows(deps.policy, principal, 'ListMachineAlerts'),
    ]);
    // A user without the alert read right sees no alert section rather than a refused page.
    const alerts = canSeeAlerts ? await alertPage(deps, principal, null, ALERTS_SHOWN, machine.id) : undefined;
    return page(request, reply, 'machine', {
      title: machine.computerDnsName,
      nav: 'machines',
      csrf,
      machine,
      history: await describeHistory(deps, principal.tenantId, history),
      canSetValue,
      canTag,
      panel,
      alerts,
      values: VALUE_ORDER,
      done: DONE[String((request.query as Record<string, unknown>).done)] ?? '',
      now: deps.clock.now(),
    });
  });

  // Two steps without JavaScript: the first POST shows what will change, the second (confirm=yes) changes it.
  app.post<Params & ValueForm>('/machines/:machineId/value', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'SetDeviceValue');
    const value = parseDeviceValue(request.body?.value, 'Device value');
    if (request.body?.confirm !== 'yes') {
      const machine = await deps.machines.get(principal, request.params.machineId);
      return page(request, reply, 'confirm-value', { title: 'Confirm device value', nav: 'machines', csrf, machine, value });
    }
    const call = { requestId: request.id, route: 'console' } as const;
    const machine = await deps.machines.setDeviceValue(principal, request.params.machineId, { DeviceValue: value }, call);
    return reply.code(303).header('location', deviceUrl(machine.id, 'value')).send();
  });

  app.post<Params & TagForm>('/machines/:machineId/tags', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireOperation(deps.policy, principal, 'AddOrRemoveTag');
    const action = request.body?.action === 'Remove' ? 'Remove' : 'Add';
    // A typed tag loses stray spaces; a removed one is sent exactly as the device carries it.
    const tag = action === 'Add' ? (request.body?.tag ?? '').trim() : (request.body?.tag ?? '');
    const call = { requestId: request.id, route: 'console' } as const;
    const machine = await deps.tags.addOrRemove(principal, request.params.machineId, { Value: tag, Action: action }, call);
    if (!(await stillVisible(deps, principal, machine.id))) return reply.code(303).header('location', '/console/machines?done=moved').send();
    return reply.code(303).header('location', deviceUrl(machine.id, action === 'Add' ? 'tag-added' : 'tag-removed')).send();
  });
};
