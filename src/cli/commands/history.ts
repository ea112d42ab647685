import { Command, InvalidArgumentError, Option } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { HISTORY_CSV_HEADER, historyCsvLine } from '../../domain/audit/history-csv.js';
import type { HistoryEntry } from '../../domain/audit/history-entry.js';
import { parseDeviceValue } from '../../domain/machines/device-value.js';
import { CHANGE_ROUTES } from '../../domain/machines/value-change.js';
import { ApiError } from '../../domain/errors.js';
import { UsageError } from '../usage-error.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { HISTORY_FORMATS, tableLine, type HistoryFormat } from '../history-format.js';
import { parseWhen } from '../when.js';
import { tenantArg, wholeNumber } from './shared.js';

const deviceValue = (flag: string) => (text: string) => {
  try {
    return parseDeviceValue(text, flag);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof ApiError ? error.message : String(error));
  }
};

/** The fleet audit's parameters (AuditService.list) from the command's flags. */
function auditParameters(options: Record<string, unknown>): Record<string, string> {
  const flags: [string, unknown][] = [
    ['from', options.since],
    ['to', options.until],
    ['user', options.user],
    ['application', options.application],
    ['device', options.device],
    ['oldValue', options.fromValue],
    ['newValue', options.toValue],
    ['route', options.route],
  ];
  return Object.fromEntries(flags.filter((f): f is [string, string] => typeof f[1] === 'string'));
}

function printer(format: HistoryFormat): { begin(): void; entries(batch: readonly HistoryEntry[]): void; end(count: number): void } {
  const out = (text: string) => void process.stdout.write(text);
  let first = true;
  switch (format) {
    case 'json':
      // The admin API's shape, written as it comes so a large export never sits in memory.
      return {
        begin: () => out('{"value":['),
        entries: (batch) => {
          for (const e of batch) {
            out(`${first ? '\n' : ',\n'}${JSON.stringify(e)}`);
            first = false;
          }
        },
        end: () => out('\n]}\n'),
      };
    case 'csv':
      return { begin: () => out(HISTORY_CSV_HEADER), entries: (batch) => batch.forEach((e) => out(historyCsvLine(e))), end: () => {} };
    case 'table':
      return { begin: () => {}, entries: (batch) => batch.forEach((e) => out(tableLine(e))), end: (count) => (count === 0 ? out('no device-value changes recorded\n') : undefined) };
  }
}

export const historyCommand = withSettings(
  new Command('history')
    .description("show device-value changes, newest first: a machine's, or the whole tenant's (the fleet audit) when none is named")
    .argument('[machine]', 'machine id, aadDeviceId or computer name')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--since <when>', 'changes at or after: 30m, 12h, 7d, 2w back from now, or an ISO 8601 time or date', (t) => parseWhen(t))
    .option('--until <when>', 'changes before: the same forms as --since', (t) => parseWhen(t))
    .option('--user <user>', "changes made by a user: object id or user principal name")
    .option('--application <app>', 'changes made through an application: client id or display name')
    .option('--device <machine>', 'changes of one machine: id, aadDeviceId or computer name')
    .option('--from-value <value>', 'changes from this value (Normal, Low, High)', deviceValue('--from-value'))
    .option('--to-value <value>', 'changes to this value (Normal, Low, High)', deviceValue('--to-value'))
    .addOption(new Option('--route <route>', 'changes that came this way').choices([...CHANGE_ROUTES]))
    .addOption(new Option('--format <format>', 'table (names), csv or json (ids and names)').choices([...HISTORY_FORMATS]).default('table'))
    .option('--json', 'the same as --format json')
    .option('--limit <n>', 'most entries to show (0: all)', wholeNumber, 100),
  STORE_SETTINGS,
).action(async (machine: string | undefined, options) => {
  if (machine !== undefined && options.device !== undefined) throw new UsageError('name the machine once: as the argument or with --device');
  const format: HistoryFormat = options.json ? 'json' : options.format;
  const [{ withCore }, { auditPages }] = await Promise.all([import('../open-core.js'), import('../../domain/audit/audit-pages.js')]);
  await withCore(options, { existing: true, tenant: options.tenant }, async (core) => {
    // A named machine must exist (as the admin API's per-device history says); then it is the audit's device filter.
    if (machine !== undefined) await core.audit.machineHistory(options.tenant, machine, 1);
    const parameters = { ...auditParameters(options), ...(machine === undefined ? {} : { device: machine }) };
    const print = printer(format);
    let count = 0;
    const pages = auditPages(core.audit, options.tenant, parameters, options.limit)[Symbol.asyncIterator]();
    // The first page before any output: a filter the audit refuses leaves stdout empty.
    let page = await pages.next();
    print.begin();
    for (; !page.done; page = await pages.next()) {
      print.entries(page.value);
      count += page.value.length;
    }
    print.end(count);
  });
});
