import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load-config.js';
import { actionsCommand } from './commands/actions.js';
import { adminKeyCommand } from './commands/admin-key.js';
import { caCommand } from './commands/ca.js';
import { exportCommand } from './commands/export.js';
import { historyCommand } from './commands/history.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { seedCommand } from './commands/seed.js';
import { rulesCommand } from './commands/rules.js';
import { serveCommand } from './commands/serve.js';
import { keysCommand, tenantCommand } from './commands/tenant.js';
import { tokenCommand } from './commands/token.js';
import { faultsCommand, journalCommand, limitsCommand, resetCommand } from './commands/traffic.js';

export function buildCli(): Command {
  const program = new Command('rampart')
    .description('Rampart: a self-hostable Microsoft Defender for Endpoint Machine API');
  program.addCommand(serveCommand, { isDefault: true });
  for (const command of [seedCommand, importCommand, exportCommand, tokenCommand, historyCommand, rulesCommand, actionsCommand, tenantCommand, keysCommand, journalCommand, limitsCommand, faultsCommand, resetCommand, adminKeyCommand, caCommand, migrateCommand]) {
    program.addCommand(command);
  }
  // Throw instead of exiting, so every usage error leaves with the same exit code.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const command of all(program)) command.exitOverride();
  return program;
}

/** Runs the CLI; a configuration or usage error prints one line and exits 2, a failure exits 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Commander has already printed its one line (or the help, which exits 0).
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
