import { Command, InvalidArgumentError, Option } from 'commander';
import type { Core } from '../../core.js';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { alertToJson } from '../../domain/alerts/alert-json.js';
import { QUEUE_VALUES } from '../../domain/alerts/alert-queue-filter.js';
import { wireTimestamp, type Timestamp } from '../../shared/timestamp.js';
import { withSettings } from '../options.js';
import { printJson } from '../output.js';
import { tenantArg, wholeNumber } from './shared.js';
import { callAdmin } from './traffic.js';

/** An enum option checked while the command line is parsed, any case, printed canonically. */
const oneOf = (values: readonly string[]) => (text: string): string => {
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase());
  if (found === undefined) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
  return found;
};

const withTenant = (command: Command): Command =>
  withSettings(command.option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID).option('--json', 'print as JSON'));

/** The data folder's store for one command; the folder must hold a database and the tenant exist. */
const inDataFolder = async <T>(options: Record<string, unknown>, work: (core: Core) => Promise<T>): Promise<T> =>
  (await import('../open-core.js')).withCore(options, { existing: true, tenant: String(options.tenant) }, work);

const line = (a: Record<string, unknown>) =>
  `${String(a.alertCreationTime)}  ${String(a.severity).padEnd(13)} ${String(a.status).padEnd(10)} ${String(a.id)}  ${String(a.computerDnsName)}  ${String(a.title)}`;

const fire = withTenant(
  new Command('fire')
    .description('an alert fires on this device now (in the data folder, or on a running server with --url)')
    .argument('<machine>', 'machine id, aadDeviceId or computer name')
    .addOption(new Option('--severity <severity>', 'alert severity (default Medium)').argParser(oneOf(QUEUE_VALUES.severity)))
    .addOption(new Option('--category <category>', 'alert category (default SuspiciousActivity)').argParser(oneOf(QUEUE_VALUES.category)))
    .option('--title <text>', 'alert title')
    .option('--description <text>', 'alert description')
    .addOption(new Option('--url <url>', 'a running server to call through its admin API')),
).action(async (machine: string, options) => {
  const body = Object.fromEntries(Object.entries({ severity: options.severity, category: options.category, title: options.title, description: options.description }).filter(([, v]) => v !== undefined));
  const alert = options.url
    ? ((await callAdmin(options, 'POST', `/machines/${encodeURIComponent(machine)}/alerts`, body)) as Record<string, unknown>)
    : await inDataFolder(options, async (core) => alertToJson(await (await import('../../domain/alerts/alert-fire.js')).fireAlert(core.access, core.alerts, options.tenant, machine, body, { requestId: null, route: 'cli' }), true));
  if (options.json) printJson(alert);
  else process.stdout.write(`fired ${line(alert)}\n`);
});

const list = withTenant(
  new Command('list')
    .description("list a tenant's alerts in the data folder, newest first")
    .option('--machine <machine>', "only this device's alerts (id, aadDeviceId or computer name)")
    .addOption(new Option('--status <status>', 'only alerts in this status').argParser(oneOf(QUEUE_VALUES.status)))
    .addOption(new Option('--severity <severity>', 'only alerts of this severity').argParser(oneOf(QUEUE_VALUES.severity)))
    .option('--limit <n>', 'most alerts to show', wholeNumber, 50),
).action(async (options) => {
  const value = await inDataFolder(options, async (core) => {
    const filter = { status: options.status, severity: options.severity };
    const views = await core.alerts.queue(options.tenant, filter, Math.min(options.limit, 10_000), options.machine);
    return views.map((v) => alertToJson(v, false));
  });
  if (options.json) return printJson({ value });
  process.stdout.write(value.length === 0 ? 'no alerts\n' : `${value.map(line).join('\n')}\n`);
});

const history = withTenant(
  new Command('history').description("an alert's history of changes, newest first (who changed what, through which route)").argument('<alertId>', 'alert id'),
).action(async (alertId: string, options) => {
  const entries = await inDataFolder(options, (core) => core.alerts.history(options.tenant, alertId));
  const value = entries.map((e) => ({ ...e, at: wireTimestamp(e.at as Timestamp) }));
  if (options.json) return printJson({ value });
  if (value.length === 0) return void process.stdout.write('no history recorded for this alert\n');
  for (const e of value) {
    const changes = e.changes.map((c) => (c.from === null ? `${c.field}: ${c.to}` : `${c.field}: ${c.from} -> ${c.to}`)).join('; ');
    process.stdout.write(`${e.at}  ${e.route.padEnd(17)} app ${e.appId ?? '-'}${e.userId ? ` user ${e.userId}` : ''}  ${changes}\n`);
  }
});

export const alertsCommand = new Command('alerts').description("a tenant's alerts: fire one on a device, list them, show one's history").addCommand(fire).addCommand(list).addCommand(history);
