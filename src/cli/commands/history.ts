import { Command } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { wireTimestamp } from '../../shared/timestamp.js';
import { withCore } from '../open-core.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { printJson } from '../output.js';
import { tenantArg, wholeNumber } from './shared.js';

export const historyCommand = withSettings(
  new Command('history')
    .description("show a machine's device-value history, newest first")
    .argument('<machine>', 'machine id, aadDeviceId or computer name')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--limit <n>', 'most entries to show', wholeNumber, 100)
    .option('--json', 'print as JSON'),
  STORE_SETTINGS,
).action(async (machine: string, options) =>
  withCore(options, { existing: true, tenant: options.tenant }, async (core) => {
    const entries = (await core.machines.history(options.tenant, machine, options.limit)).map((e) => ({
      ...e,
      at: wireTimestamp(e.at),
    }));
    if (options.json) return printJson({ value: entries });
    if (entries.length === 0) return void process.stdout.write('no device-value changes recorded\n');
    for (const e of entries) {
      process.stdout.write(
        `${e.at}  ${e.oldValue.padEnd(6)} -> ${e.newValue.padEnd(6)}  ${e.route.padEnd(14)} app ${e.appId ?? '-'}${e.userId ? ` user ${e.userId}` : ''}  request ${e.requestId ?? '-'}\n`,
      );
    }
  }),
);
