import { Command } from 'commander';
import { createCore } from '../../core.js';
import { configFrom, STORE_SETTINGS, withSettings } from '../options.js';

export const migrateCommand = withSettings(
  new Command('migrate').description('apply database migrations (serve does this too) and exit'),
  STORE_SETTINGS,
).action(async (options) => {
  const core = await createCore({ ...configFrom(options), demo: false });
  await core.close();
  process.stdout.write('database is at the newest schema\n');
});
