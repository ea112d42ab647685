import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A random secret kept in the data folder (mode 600), created on first use: every process on the
 * same data folder (the server, the CLI) agrees on it, and it survives restarts.
 */
export function loadOrCreateSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The admin API's bearer key, unless `--admin-key` gives one; `rampart admin-key` prints it. */
export const loadOrCreateAdminKey = (dataDir: string): string => loadOrCreateSecret(dataDir, 'admin-key');

/** The key signing console sessions, unless `--session-secret` gives one (several instances). */
export const loadOrCreateSessionSecret = (dataDir: string): string => loadOrCreateSecret(dataDir, 'session-secret');
