import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { ApiError } from '../../domain/errors.js';
import { machineFromJson } from '../../domain/machines/machine-json.js';
import type { Machine } from '../../domain/machines/machine.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { fileProblem, printJson, progressBar } from '../output.js';
import { UsageError } from '../usage-error.js';
import { ensureTenant, tenantArg } from './shared.js';

export const importCommand = withSettings(
  new Command('import')
    .description("import machines from the JSON a real tenant returns for GET /api/machines ({\"value\": [...]})")
    .argument('<file>', 'JSON file ("-" for standard input)')
    .option('--tenant <id>', 'tenant id (created if missing)', tenantArg, DEMO_TENANT_ID)
    .option('--json', 'print the result as JSON'),
  // --no-demo: the demo tenant, when created here, gets no demo applications or users.
  [...STORE_SETTINGS, 'demo'],
).action(async (file: string, options) => {
  const machines = parseFleet(await readInput(file), Date.now(), file);
  const [{ withCore }, { putInBatches }, { snapshotEntry }] = await Promise.all([import('../open-core.js'), import('../../fleet/seed.js'), import('../../fleet/address-history.js')]);
  await withCore(options, {}, async (core) => {
    const tenantId = await ensureTenant(core, options.tenant);
    const bar = progressBar(machines.length, 'importing', Boolean(options.json));
    const written = await putInBatches(core.store, tenantId, machines.map(snapshotEntry), 'import', (n) => bar.update(n));
    bar.stop();
    if (options.json) printJson({ tenant: tenantId, machines: written });
    else process.stdout.write(`imported ${written} machines into tenant ${tenantId}\n`);
  });
});

/** Validates every machine before anything is written: a bad file changes nothing. */
export function parseFleet(text: string, nowMs: number, file = '<file>'): Machine[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`${file}: the file is not valid JSON`);
  }
  const list = Array.isArray(document) ? document : (document as { value?: unknown } | null)?.value;
  if (!Array.isArray(list)) throw new Error(`${file}: expected {"value": [...]} (or a JSON array of machines)`);
  return list.map((item, index) => {
    try {
      return machineFromJson(item, nowMs);
    } catch (error) {
      throw new Error(`${file}: machine #${index}: ${error instanceof ApiError ? error.message : String(error)}`);
    }
  });
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') {
    return readFile(file, 'utf8').catch((error: unknown) => {
      throw new UsageError(fileProblem(file, error));
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
