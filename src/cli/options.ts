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

type FlagValue = string | boolean | readonly string[] | undefined;

/**
 * Commander names each option after its flag (`--tenant-file` -> `tenantFile`), which need not be
 * the setting's name (`tenantFiles`): map by flag, so no flag is silently ignored.
 */
export function configFrom(options: Record<string, unknown>): Config {
  const flags: Record<string, FlagValue> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    flags[name] = options[camelCase(setting.flag)] as FlagValue;
  }
  return loadConfig(flags);
}

const camelCase = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
