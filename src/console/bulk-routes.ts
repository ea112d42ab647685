import type { FastifyPluginAsync } from 'fastify';
import { parseDeviceValue } from '../domain/machines/device-value.js';
import { ApiError, invalidInput } from '../domain/errors.js';
import type { Machine } from '../domain/machines/machine.js';
import { MAX_BULK_MACHINES } from '../domain/machines/tag-commands.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { requireOperation } from './console-principal.js';

interface BulkForm {
  readonly ids?: string | string[];
  readonly value?: string;
  readonly confirm?: string;
  readonly back?: string;
}

/** A device the user asked for but may not change, and why. */
export interface Refusal {
  readonly key: string;
  readonly reason: string;
}

function selectedIds(form: BulkForm): string[] {
  const raw = Array.isArray(form.ids) ? form.ids : form.ids === undefined ? [] : [form.ids];
  const ids = [...new Set(raw.filter((id): id is string => typeof id === 'string').map((id) => id.trim()).filter((id) => id !== '' && id.length <= 1024))];
  if (ids.length === 0) throw invalidInput('Select at least one device.');
  if (ids.length > MAX_BULK_MACHINES) {
    throw new ApiError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${ids.length}, allowed: ${MAX_BULK_MACHINES}.`);
  }
  return ids;
}

/** Only a query string of the inventory may be the way back. */
const backTo = (back: unknown): string => `/console/machines${typeof back === 'string' && /^\?[^#\\]*$/.test(back) ? back : ''}`;

/** A device the user cannot reach is refused by name, never skipped in silence. */
function refusal(key: string, error: unknown): Refusal {
  if (error instanceof ApiError && error.status === 404) return { key, reason: 'Not found, or outside your device groups' };
  if (error instanceof ApiError && error.status < 500) return { key, reason: error.message };
  throw error;
}

/**
 * Setting the value of many devices in one step: first a confirmation listing what will change
 * and what the user cannot change, then one setDeviceValue per device through MachineService,
 * so each device gets its own history entry with the same request id and route `console`.
 * The writes are issued together, so the store commits them in one group.
 */
export const bulkRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  app.post('/machines/bulk-value', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'SetDeviceValue');
    const form = (request.body ?? {}) as BulkForm;
    const value = parseDeviceValue(form.value, 'Device value');
    const ids = selectedIds(form);
    const back = backTo(form.back);

    if (form.confirm !== 'yes') {
      const looked = await Promise.all(ids.map((key) => deps.machines.get(principal, key).then((machine) => ({ key, machine }), (error: unknown) => refusal(key, error))));
      const reachable = looked.filter((l): l is { key: string; machine: Machine } => 'machine' in l);
      const refused = looked.filter((l): l is Refusal => 'reason' in l);
      return page(request, reply, 'confirm-bulk', { title: 'Confirm device values', nav: 'machines', csrf, value, ids, reachable, refused, back, backQuery: back.slice('/console/machines'.length) });
    }

    const call = { requestId: request.id, route: 'console' } as const;
    const outcomes = await Promise.all(
      ids.map((key) => deps.machines.setDeviceValue(principal, key, { DeviceValue: value }, call).then((machine) => ({ key, machine }), (error: unknown) => refusal(key, error))),
    );
    const changed = outcomes.filter((o): o is { key: string; machine: Machine } => 'machine' in o).map((o) => o.machine);
    const refused = outcomes.filter((o): o is Refusal => 'reason' in o);
    request.log.info({ console: 'bulk device value', value, changed: changed.length, refused: refused.length }, 'console bulk change');
    return page(request, reply, 'bulk-result', { title: 'Device values set', nav: 'machines', csrf, value, changed, refused, back });
  });
};
