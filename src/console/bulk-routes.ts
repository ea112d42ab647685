import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { invalidInput } from '../domain/errors.js';
import type { DeviceValue } from '../domain/machines/device-value.js';
import type { Machine } from '../domain/machines/machine.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { requireOperation } from './console-principal.js';
import { asBulkResult, summarize } from './bulk-result.js';
import { chosenValue, FILTER_SELECTION_LIMIT, matchingNow, refusal, selectedIds, selectionView, setValues, type Refusal } from './bulk-selection.js';
import { ResultSeal } from './flash.js';
import { readInventory } from './inventory-reader.js';
import { viewQuery } from './inventory-view.js';

interface BulkForm {
  readonly ids?: string | string[];
  readonly value?: string;
  /** `filter`: every device matching the view in `back`, across pages; otherwise the ticked ids. */
  readonly scope?: string;
  /** With scope=filter: how many devices the user confirmed. */
  readonly expected?: string;
  readonly confirm?: string;
  readonly back?: string;
}

/** Only a query string of the inventory may be the way back. */
const backQuery = (back: unknown): string => (typeof back === 'string' && /^\?[^#\\]*$/.test(back) ? back : '');

const SAMPLE = 25;

/**
 * Setting the value of many devices in one step: the ticked devices, or every device matching
 * the view's filter across pages. First a confirmation naming the count, then the write through
 * MachineService, then a redirect to the result (POST/redirect/GET: a reload repeats nothing).
 */
export const bulkRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  const seal = new ResultSeal(deps.sessionSecret);

  /** The confirmation of a "matching this filter" selection: an exact count, or a refusal when it cannot be one. */
  async function confirmFilter(request: FastifyRequest, reply: FastifyReply, value: DeviceValue, back: string, changedSince?: number) {
    const { principal, csrf } = signedIn(request);
    const view = selectionView(back);
    const result = await readInventory(deps, principal, { ...view, size: SAMPLE });
    if (result.capped) throw invalidInput(`More than ${FILTER_SELECTION_LIMIT.toLocaleString('en-US')} devices match this filter: narrow it to set them in one step.`);
    if (result.total === 0) throw invalidInput('No devices match this filter.');
    if (changedSince !== undefined) reply.code(409);
    return page(request, reply, 'confirm-bulk-filter', {
      title: 'Confirm device values',
      nav: 'machines',
      csrf,
      value,
      total: result.total,
      sample: result.machines,
      back: `/console/machines${viewQuery(view)}`,
      backQuery: viewQuery(view),
      changedSince,
    });
  }

  app.post('/machines/bulk-value', async (request, reply) => {
    const { principal, csrf, session } = signedIn(request);
    await requireOperation(deps.policy, principal, 'SetDeviceValue');
    const form = (request.body ?? {}) as BulkForm;
    const value = chosenValue(form.value);
    const back = backQuery(form.back);
    const call = { requestId: request.id, route: 'console' } as const;
    const confirmed = form.confirm === 'yes';

    let targets: { key: string; before?: DeviceValue }[];
    if (form.scope === 'filter') {
      if (!confirmed) return confirmFilter(request, reply, value, back);
      const expected = Number(form.expected);
      if (!Number.isInteger(expected) || expected < 1 || expected > FILTER_SELECTION_LIMIT) throw invalidInput('The confirmed count is missing: review the change again.');
      const now = await matchingNow(deps, principal, selectionView(back), expected);
      // More devices match than were confirmed: write nothing, ask again with the new count.
      if (now === undefined) return confirmFilter(request, reply, value, back, expected);
      targets = now.map((m) => ({ key: m.id, before: m.deviceValue }));
    } else {
      const ids = selectedIds(form.ids);
      const looked = await Promise.all(ids.map((key) => deps.machines.get(principal, key).then((machine) => ({ key, machine }), (error: unknown) => refusal(key, error))));
      const reachable = looked.filter((l): l is { key: string; machine: Machine } => 'machine' in l);
      if (!confirmed) {
        const refused = looked.filter((l): l is Refusal => 'reason' in l);
        return page(request, reply, 'confirm-bulk', { title: 'Confirm device values', nav: 'machines', csrf, value, ids, reachable, refused, back: `/console/machines${back}`, backQuery: back });
      }
      // Every ticked id is written, so one the user could not see when looking is refused by the write itself.
      const before = new Map(reachable.map((r) => [r.key, r.machine.deviceValue]));
      targets = ids.map((key) => ({ key, before: before.get(key) }));
    }

    const outcome = await setValues(deps, principal, targets, value, call);
    request.log.info({ console: 'bulk device value', value, scope: form.scope === 'filter' ? 'filter' : 'ids', set: outcome.set.length, refused: outcome.refused.length }, 'console bulk change');
    seal.store(request, reply, session, summarize(outcome, back), deps.clock.now());
    return reply.code(303).header('location', '/console/bulk-result').send();
  });

  // The result page reads the sealed result: reloading it shows it again and writes nothing.
  app.get('/bulk-result', async (request, reply) => {
    const { session, csrf } = signedIn(request);
    const result = asBulkResult(seal.read(request, session, deps.clock.now()));
    if (!result) return reply.code(303).header('location', '/console/machines').send();
    return page(request, reply, 'bulk-result', { title: 'Device values set', nav: 'machines', csrf, result, back: `/console/machines${result.back}` });
  });
};
