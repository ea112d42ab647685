import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { createCore } from '../../app.js';
import { announceChange } from '../../cluster/deployment.js';
import { readTenantFile } from '../../config/tenant-files.js';
import { configFrom, withSettings } from '../options.js';
import { printJson } from '../output.js';
import { tenantArg } from './shared.js';

const apply = withSettings(
  new Command('apply')
    .description('apply a tenant file (JSON or YAML): creates or replaces the tenant\'s applications, users, roles and device groups')
    .argument('<file>', 'tenant file')
    .option('--json', 'print the result as JSON'),
).action(async (file: string, options) => {
  const document = readTenantFile(file);
  const core = await createCore(configFrom(options));
  try {
    const { regrouped } = await core.tenants.apply(document);
    await announceChange(core.config, { topic: 'directory', tenantId: document.id.toLowerCase() });
    if (options.json) printJson({ tenant: document.id, regrouped });
    else process.stdout.write(`applied tenant ${document.id}; ${regrouped} machines moved to another device group\n`);
  } finally {
    await core.close();
  }
});

const show = withSettings(
  new Command('show')
    .description('print a tenant as a tenant document (hashes, never secrets)')
    .argument('<tenant>', 'tenant id', tenantArg)
    .option('--json', 'print JSON instead of YAML'),
).action(async (tenantId: string, options) => {
  const core = await createCore(configFrom(options));
  try {
    const document = await core.tenants.document(tenantId);
    if (!document) throw new Error(`no tenant ${tenantId}`);
    if (options.json) printJson(document);
    else process.stdout.write(toYaml(document));
  } finally {
    await core.close();
  }
});

export const tenantCommand = new Command('tenant').description('manage tenants declaratively').addCommand(apply).addCommand(show);

export const keysCommand = new Command('keys').description("manage the built-in authority's signing keys").addCommand(
  withSettings(new Command('rotate').description('sign new tokens with a new key; tokens signed before keep working until they expire')).action(
    async (options) => {
      const core = await createCore(configFrom(options));
      try {
        const kid = await core.keys.rotate();
        await announceChange(core.config, { topic: 'keys', tenantId: '' });
        process.stdout.write(`${kid}\n`);
      } finally {
        await core.close();
      }
    },
  ),
);
