import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import type { Store } from '../domain/ports.js';
import { describePostgresUrl, isPostgresUrl } from './postgres/postgres-url.js';
import type { WriteTelemetry } from '../shared/write-telemetry.js';

export type StoreLocation = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

/** Where the configuration puts the data: `--store` when given, else SQLite in the data folder. */
export function storeLocation(config: Pick<Config, 'store' | 'dataDir'>): StoreLocation {
  const store = config.store;
  if (store === undefined) return { kind: 'sqlite', path: join(config.dataDir, 'rampart.db') };
  if (isPostgresUrl(store)) return { kind: 'postgres', url: store };
  return { kind: 'sqlite', path: store.replace(/^sqlite:/i, '') };
}

/** The location for banners and logs, without credentials. */
export function describeStore(config: Pick<Config, 'store' | 'dataDir'>): string {
  const location = storeLocation(config);
  return location.kind === 'postgres' ? `postgresql://${describePostgresUrl(location.url)}` : location.path;
}

/**
 * Opens (and migrates) the configured backend: the one door through which the server and every
 * CLI command reach the data, so each runs on SQLite and PostgreSQL alike.
 */
export async function openStore(config: Pick<Config, 'store' | 'dataDir' | 'durability' | 'poolSize'>, telemetry?: WriteTelemetry): Promise<Store> {
  const location = storeLocation(config);
  // Each backend's code (and its driver) loads only when it is the one configured.
  if (location.kind === 'postgres') {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(location.url, { poolSize: config.poolSize, ...(telemetry ? { telemetry } : {}) });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(location.path, config.durability, telemetry);
}
