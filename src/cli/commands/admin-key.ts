import { Command } from 'commander';
import { loadOrCreateAdminKey } from '../../config/data-secrets.js';
import { configFrom, withSettings } from '../options.js';

export const adminKeyCommand = withSettings(
  new Command('admin-key').description('print the admin API key of a data folder (creating it if needed)'),
).action(async (options) => {
  const config = configFrom(options);
  process.stdout.write(`${config.adminKey ?? loadOrCreateAdminKey(config.dataDir)}\n`);
});
