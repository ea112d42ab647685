import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { SETTINGS, type SettingName } from '../config/settings.js';
import type { Config } from '../config/settings.js';

/** Gives a command one option per setting (see config/settings.ts), each also read from its env var. */
export function withSettings(command: Command): Command {
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const help = `${setting.help} [env ${setting.env.join(' or ')}]`;
    if (setting.kind === 'boolean') {
      command.addOption(new Option(`--${setting.flag}`, help));
      command.addOption(new Option(`--no-${setting.flag}`, `turn off --${setting.flag}`));
    } else if (setting.kind === 'list') {
      // Repeatable: --tenant-file a.yaml --tenant-file b.json (or one comma-separated value).
      command.addOption(new Option(`--${setting.flag} <value>`, help).argParser((v: string, previous: string[] | undefined) => [...(previous ?? []), v]));
    } else {
      const option = new Option(`--${setting.flag} <value>`, help);
      command.addOption(setting.kind === 'enum' ? option.choices([...setting.values]) : option);
    }
  }
  return command;
}

export const configFrom = (options: Record<string, unknown>): Config =>
  loadConfig(options as Record<string, string | boolean | readonly string[] | undefined>);
