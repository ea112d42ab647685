import { Command, InvalidArgumentError } from 'commander';
import type { Core } from '../../core.js';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { actionToJson } from '../../domain/actions/action-json.js';
import { ACTION_PROPERTIES, type ActionFilter } from '../../domain/actions/action-query.js';
import { ACTION_STATUSES, ACTION_TYPES } from '../../domain/actions/action-types.js';
import { normalizeValue } from '../../domain/query-filter.js';
import type { ActionView } from '../../domain/actions/action-view.js';
import { TIMING_PRESETS } from '../../domain/actions/action-timings.js';
import { ACTION_PERMISSIONS } from '../../domain/identity/permissions.js';
import type { ApplicationPrincipal } from '../../domain/identity/principal.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { printJson } from '../output.js';
import { tenantArg, wholeNumber } from './shared.js';

/**
 * The CLI acts on a tenant's actions as an application with every action permission, named
 * `rampart-cli` in the records it leaves (a cancellation's requestor).
 */
const cli = (tenantId: string): ApplicationPrincipal => ({
  kind: 'application',
  tenantId,
  appId: 'rampart-cli',
  roles: new Set(['Machine.Read.All', ...ACTION_PERMISSIONS]),
  expiresAt: Number.MAX_SAFE_INTEGER,
});

/** Every actions command reads an existing database and tenant: a wrong folder or id is named, not shown as empty. */
const withCore = async (options: Record<string, unknown>, run: (core: Core) => Promise<void>): Promise<void> =>
  (await import('../open-core.js')).withCore(options, { existing: true, tenant: String(options.tenant) }, run);

const line = (v: ActionView): string => {
  const a = actionToJson(v);
  return `${a.creationDateTimeUtc}  ${String(a.type).padEnd(27)} ${String(a.status).padEnd(10)} ${String(a.computerDnsName || a.machineId).padEnd(32)} ${a.requestor}  ${a.id}\n`;
};

/** A flag value that must be one of a closed set, matched without case. */
const member = (allowed: readonly string[]) => (text: string): string => {
  const found = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!found) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
  return found;
};

/** `--status` and `--type` as the listing's filter tree (both: and). */
function filterOf(options: { status?: string; type?: string }): ActionFilter | null {
  const tests: ActionFilter[] = (['status', 'type'] as const)
    .filter((p) => options[p] !== undefined)
    .map((p) => ({ kind: 'compare', property: p, op: 'eq', value: normalizeValue(ACTION_PROPERTIES[p], String(options[p]), true) }));
  return tests.reduce<ActionFilter | null>((all, test) => (all === null ? test : { kind: 'and', left: all, right: test }), null);
}

const list = withSettings(
  new Command('list')
    .description("list a tenant's machine actions, newest first")
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--machine <key>', 'only the actions of this device (id, aadDeviceId or computer name)')
    .option('--status <status>', `only actions in this status now (${ACTION_STATUSES.join(', ')})`, member(ACTION_STATUSES))
    .option('--type <type>', `only actions of this type (${ACTION_TYPES.join(', ')})`, member(ACTION_TYPES))
    .option('--limit <n>', 'most actions to show', wholeNumber, 100)
    .option('--json', 'print as JSON'),
  STORE_SETTINGS,
).action(async (options) =>
  withCore(options, async (core) => {
    const principal = cli(options.tenant);
    const machineId = options.machine === undefined ? undefined : (await core.machines.get(principal, String(options.machine))).id;
    const query = { filter: filterOf(options), orderBy: [], top: Math.max(1, Math.min(options.limit, 10_000)), skip: 0, count: false };
    const { actions } = await core.actions.actions.list(principal, query, 10_000, machineId);
    if (options.json) return printJson({ value: actions.map(actionToJson) });
    if (actions.length === 0) return void process.stdout.write('no machine actions\n');
    for (const view of actions) process.stdout.write(line(view));
  }),
);

const show = withSettings(
  new Command('show')
    .description('print one machine action as the API returns it')
    .argument('<action>', 'machine action id')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID),
  STORE_SETTINGS,
).action(async (id: string, options) =>
  withCore(options, async (core) => printJson(actionToJson(await core.actions.actions.get(cli(options.tenant), id)))),
);

const cancel = withSettings(
  new Command('cancel')
    .description('cancel a Pending or InProgress machine action')
    .argument('<action>', 'machine action id')
    .requiredOption('--comment <text>', 'why (recorded as the cancellation comment)')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--json', 'print the cancelled action as JSON'),
  STORE_SETTINGS,
).action(async (id: string, options) =>
  withCore(options, async (core) => {
    const view = await core.actions.actions.cancel(cli(options.tenant), id, { Comment: options.comment });
    if (options.json) printJson(actionToJson(view));
    else process.stdout.write(`cancelled ${view.action.id} (${view.action.type} on ${view.action.computerDnsName || view.action.machineId})\n`);
  }),
);

const seconds = (text: string): number => {
  if (!/^\d{1,7}$/.test(text)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(text);
};
const preset = (text: string): string => {
  if (!(TIMING_PRESETS as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${TIMING_PRESETS.join(', ')}`);
  return text;
};

const timings = withSettings(
  new Command('timings')
    .description("show a tenant's action timings, or change them: a preset and/or figures (the others are kept)")
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--preset <name>', `fast (a few seconds), instant, or realistic (about a minute and more)`, preset)
    .option('--pending <seconds>', 'how long every action stays Pending', seconds)
    .option('--in-progress <seconds>', 'how long every action stays InProgress', seconds)
    .option('--timeout <seconds>', 'how long an action a device never picks up stays Pending before TimeOut', seconds)
    .option('--json', 'print as JSON'),
  [...STORE_SETTINGS, 'actionTimings'],
).action(async (options) =>
  withCore(options, async (core) => {
    const given = { preset: options.preset, pendingSeconds: options.pending, inProgressSeconds: options.inProgress, timeoutSeconds: options.timeout };
    const changes = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    let current = (await core.tenants.document(options.tenant))?.actions?.timings;
    if (Object.keys(changes).length > 0) {
      current = await core.tenants.setActionTimings(options.tenant, { ...current, ...changes });
      await (await import('../../cluster/deployment.js')).announceChange(core.config, { topic: 'directory', tenantId: options.tenant });
    }
    const effective = current ?? {};
    if (options.json) return printJson(effective);
    process.stdout.write(Object.keys(effective).length === 0 ? `tenant ${options.tenant} uses the server's default (--action-timings, ${core.config.actionTimings})\n` : `${JSON.stringify(effective)}\n`);
  }),
);

export const actionsCommand = new Command('actions').description("a tenant's machine actions: list, show, cancel, timings").addCommand(list).addCommand(show).addCommand(cancel).addCommand(timings);
