import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { SETTINGS, type SettingName } from '../config/settings.js';
import type { Config } from '../config/settings.js';

/**
 * Where the data is: every command that opens the store takes these (and the log level, for
 * scripts that quieten every command alike).
 */
export const STORE_SETTINGS: readonly SettingName[] = ['dataDir', 'store', 'poolSize', 'durability', 'logLevel'];

/**
 * Gives a command one option per setting it uses (see config/settings.ts; all of them for
 * `serve`), so each command's help lists only its own options. Every setting is still read from
 * its environment variable: a flag a command does not take is refused as unknown, not ignored.
 */
export function withSettings(command: Command, names: readonly SettingName[] = Object.keys(SETTINGS) as SettingName[]): Command {
  for (const name of names) {
    const setting: (typeof SETTINGS)[SettingName] = SETTINGS[name];
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
