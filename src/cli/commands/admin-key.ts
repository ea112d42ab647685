import { Command } from 'commander';
import { configFrom, withSettings } from '../options.js';

export const adminKeyCommand = withSettings(
  new Command('admin-key').description('print the admin API key of a data folder or PostgreSQL store (creating it if needed)'),
  ['dataDir', 'store', 'poolSize', 'adminKey', 'logLevel'],
).action(async (options) => {
  const config = configFrom(options);
  const { adminKeyFor } = await import('../../cluster/deployment.js');
  process.stdout.write(`${await adminKeyFor(config)}\n`);
});
