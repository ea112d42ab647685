import { Command } from 'commander';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { UsageError } from '../usage-error.js';
import { printJson } from '../output.js';
import { tenantArg } from './shared.js';

const apply = withSettings(
  new Command('apply')
    .description('apply a tenant file (JSON or YAML): creates or replaces the tenant\'s applications, users, roles and device groups')
    .argument('<file>', 'tenant file')
    .option('--json', 'print the result as JSON'),
  STORE_SETTINGS,
).action(async (file: string, options) => {
  const { readTenantFile } = await import('../../config/tenant-files.js');
  const document = readTenantFile(file);
  const [{ withCore }, { announceChange }] = await Promise.all([import('../open-core.js'), import('../../cluster/deployment.js')]);
  await withCore(options, {}, async (core) => {
    const { regrouped } = await core.tenants.apply(document);
    await announceChange(core.config, { topic: 'directory', tenantId: document.id.toLowerCase() });
    if (options.json) printJson({ tenant: document.id, regrouped });
    else process.stdout.write(`applied tenant ${document.id}; ${regrouped} machines moved to another device group\n`);
  });
});

const show = withSettings(
  new Command('show')
    .description('print a tenant as a tenant document (hashes, never secrets)')
    .argument('<tenant>', 'tenant id', tenantArg)
    .option('--json', 'print JSON instead of YAML'),
  STORE_SETTINGS,
).action(async (tenantId: string, options) => {
  const [{ withCore }, { stringify: toYaml }] = await Promise.all([import('../open-core.js'), import('yaml')]);
  await withCore(options, { existing: true }, async (core) => {
    const document = await core.tenants.document(tenantId);
    if (!document) throw new UsageError(`<tenant> ${tenantId}: no tenant ${tenantId}`);
    if (options.json) printJson(document);
    else process.stdout.write(toYaml(document));
  });
});

export const tenantCommand = new Command('tenant').description('manage tenants declaratively').addCommand(apply).addCommand(show);

export const keysCommand = new Command('keys').description("manage the built-in authority's signing keys").addCommand(
  withSettings(new Command('rotate').description('sign new tokens with a new key; tokens signed before keep working until they expire'), STORE_SETTINGS).action(
    async (options) => {
      const [{ withCore }, { announceChange }] = await Promise.all([import('../open-core.js'), import('../../cluster/deployment.js')]);
      await withCore(options, {}, async (core) => {
        const kid = await core.keys.rotate();
        await announceChange(core.config, { topic: 'keys', tenantId: '' });
        process.stdout.write(`${kid}\n`);
      });
    },
  ),
);
