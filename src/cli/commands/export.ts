import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { fileProblem } from '../output.js';
import { UsageError } from '../usage-error.js';
import { tenantArg } from './shared.js';

export const exportCommand = withSettings(
  new Command('export')
    .description('export a tenant\'s machines as {"value": [...]}, the shape GET /api/machines returns (and import reads)')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--out <file>', 'write to a file instead of standard output'),
  STORE_SETTINGS,
).action(async (options) => {
  const [{ withCore }, { machineToJson }] = await Promise.all([import('../open-core.js'), import('../../domain/machines/machine-json.js')]);
  await withCore(options, { existing: true, tenant: options.tenant }, async (core) => {
    const out: Writable = options.out ? createWriteStream('', { fd: openOut(String(options.out)) }) : process.stdout;
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
    }
  });
});

/** Opened before anything is written, so a bad path fails with one line naming it. */
function openOut(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`--out ${fileProblem(path, error)}`);
  }
}
