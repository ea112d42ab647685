import { existsSync } from 'node:fs';
import { createCore, type Core } from '../core.js';
import type { Config } from '../config/settings.js';
import { describeStore, storeLocation } from '../store/open-store.js';
import { configFrom } from './options.js';
import { UsageError } from './usage-error.js';

export interface OpenOptions {
  /**
   * A command that only reads (export, history, ...) refuses a folder without a database rather
   * than creating an empty one and reporting nothing: the usual cause is the wrong folder.
   */
  readonly existing?: boolean;
  /** The tenant the command acts on must exist (a misspelt id would otherwise read as empty). */
  readonly tenant?: string;
  readonly provision?: boolean;
}

/** Opens the store for one command, runs it, and always closes the store. */
export async function withCore<T>(flags: Record<string, unknown>, options: OpenOptions, run: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore(configFrom(flags), options);
  try {
    if (options.tenant !== undefined) await requireTenant(core, options.tenant);
    return await run(core);
  } finally {
    await core.close();
  }
}

export async function openCore(config: Config, options: OpenOptions = {}): Promise<Core> {
  const location = storeLocation(config);
  if (options.existing && location.kind === 'sqlite' && !existsSync(location.path)) {
    throw new UsageError(`no Rampart database at ${location.path} (--data-dir ${config.dataDir}): run rampart seed or rampart serve there first, or name another folder`);
  }
  try {
    return await createCore(config, undefined, { provision: options.provision ?? false });
  } catch (error) {
    // SQLite's own words ("unable to open database file") do not say which file.
    const code = (error as { code?: unknown }).code;
    if (location.kind === 'sqlite' && typeof code === 'string' && /^(SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_NOTADB|EACCES|ENOTDIR|EEXIST)/.test(code)) {
      throw new UsageError(`cannot open the database ${location.path} (--data-dir ${config.dataDir}): ${error instanceof Error ? error.message : String(error)}`);
    }
    throw error;
  }
}

export async function requireTenant(core: Core, tenantId: string): Promise<void> {
  if (!(await core.store.getTenant(tenantId))) throw new UsageError(`--tenant ${tenantId}: no such tenant in ${describeStore(core.config)}`);
}
