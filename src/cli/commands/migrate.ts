import { Command } from 'commander';
import { configFrom, STORE_SETTINGS, withSettings } from '../options.js';

export const migrateCommand = withSettings(
  new Command('migrate').description('apply database migrations (serve does this too) and exit'),
  STORE_SETTINGS,
).action(async (options) => {
  const config = { ...configFrom(options), demo: false };
  const { createCore } = await import('../../core.js');
  const core = await createCore(config);
  await core.close();
  process.stdout.write('database is at the newest schema\n');
});
