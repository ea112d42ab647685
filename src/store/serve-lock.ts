import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/settings.js';
import { ConfigError } from '../config/load-config.js';
import { storeLocation } from './open-store.js';

export interface ServeLock {
  readonly path: string;
  release(): void;
}

/**
 * One serving process per SQLite database: a second `rampart serve` on the same folder would
 * keep its own rate-limit counters, fault rules and action timers beside the first's. The lock is
 * a file next to the database holding the server's pid; a lock whose process is gone (a crash, a
 * kill -9) is stale and taken over. PostgreSQL is meant to be shared by several instances
 * (docs/adr/0008), so it takes no lock.
 */
export function acquireServeLock(config: Pick<Config, 'store' | 'dataDir'>, pid = process.pid): ServeLock | undefined {
  const location = storeLocation(config);
  if (location.kind !== 'sqlite') return undefined;
  const path = `${location.path}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  // Two attempts: the second after removing a stale lock (another process may win that race).
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return { path, release: () => releaseIfOurs(path, pid) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(path);
    if (holder !== undefined && holder !== pid && isRunning(holder)) {
      throw new ConfigError(`${location.path} is already served by process ${holder} (lock file ${path}); stop it first, or give this one another --data-dir`);
    }
    try {
      unlinkSync(path);
    } catch {
      // gone already: another process took it over, or released it
    }
  }
  throw new ConfigError(`${location.path}: another process is starting on it (lock file ${path}); try again`);
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(path: string, pid: number): void {
  if (holderOf(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already removed
  }
}
