import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load-config.js';
import { adminKeyCommand } from './commands/admin-key.js';
import { exportCommand } from './commands/export.js';
import { historyCommand } from './commands/history.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { seedCommand } from './commands/seed.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';

export function buildCli(): Command {
  const program = new Command('rampart')
    .description('Rampart: a self-hostable Microsoft Defender for Endpoint Machine API')
    .showHelpAfterError();
  program.addCommand(serveCommand, { isDefault: true });
  for (const command of [seedCommand, importCommand, exportCommand, tokenCommand, historyCommand, adminKeyCommand, migrateCommand]) {
    program.addCommand(command);
  }
  return program;
}

/** Runs the CLI; a configuration or usage error prints one line and exits 2. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`rampart: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
