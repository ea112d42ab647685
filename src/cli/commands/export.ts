import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { createCore } from '../../app.js';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { machineToJson } from '../../domain/machines/machine-json.js';
import { configFrom, withSettings } from '../options.js';
import { tenantArg } from './shared.js';

export const exportCommand = withSettings(
  new Command('export')
    .description('export a tenant\'s machines as {"value": [...]}, the shape GET /api/machines returns (and import reads)')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--out <file>', 'write to a file instead of standard output'),
).action(async (options) => {
  const core = await createCore(configFrom(options));
  const out: Writable = options.out ? createWriteStream(options.out) : process.stdout;
  try {
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write('{"value":[');
    let first = true;
    for await (const batch of core.store.allMachines(options.tenant)) {
      for (const machine of batch) {
        await write(`${first ? '\n' : ',\n'}${JSON.stringify(machineToJson(machine))}`);
        first = false;
      }
    }
    await write('\n]}\n');
  } finally {
    if (options.out) out.end();
    await core.close();
  }
});
