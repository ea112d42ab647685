import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load-config.js';
import { packageVersion } from '../shared/package-info.js';
// Command modules hold definitions (options, help, checks of values) and import what an action
// runs when it runs: every call, --version included, loads these (docs/development.md).
import { actionsCommand } from './commands/actions.js';
import { alertsCommand } from './commands/alerts.js';
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
import { UsageError } from './usage-error.js';

export function buildCli(): Command {
  const program = new Command('rampart')
    .description('Rampart: a self-hostable Microsoft Defender for Endpoint Machine API')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError(true);
  program.addCommand(serveCommand, { isDefault: true });
  for (const command of [seedCommand, importCommand, exportCommand, tokenCommand, historyCommand, rulesCommand, actionsCommand, alertsCommand, tenantCommand, keysCommand, journalCommand, limitsCommand, faultsCommand, resetCommand, adminKeyCommand, caCommand, migrateCommand]) {
    program.addCommand(command);
  }
  // Throw instead of exiting, so every usage error leaves with the same exit code.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const command of all(program)) command.exitOverride();
  return program;
}

/**
 * `serve` is the default command, so commander would hand `rampart frobnicate` to it as an
 * argument ("too many arguments for 'serve'"): a first word that is no command is named instead.
 */
function unknownCommand(program: Command, argv: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return undefined;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(first) || first === 'help') return undefined;
  const near = names.filter((n) => distance(n, first) <= Math.max(1, Math.floor(first.length / 3)));
  return `unknown command '${first}'${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; the commands are ${names.join(', ')} (rampart --help)`;
}

/** Edit distance (Levenshtein): how many letters to change, add or drop to turn a into b. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Output piped into `head` closes early: stop quietly, as Unix tools do, rather than print EPIPE.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}

/** Runs the CLI; a configuration or usage error prints one line and exits 2, a failure exits 1. */
export async function runCli(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  try {
    const program = buildCli();
    const unknown = unknownCommand(program, argv);
    if (unknown) throw new UsageError(unknown);
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Commander has already printed its one line (or the help, which exits 0).
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError || error instanceof UsageError ? 2 : 1);
  }
}
