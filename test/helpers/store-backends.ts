/**
 * Every storage backend, opened fresh for a test file: SQLite in a temporary folder, PostgreSQL in
 * a temporary database (skipped with a printed reason where PostgreSQL is absent, unless CI
 * requires it). `again` opens a second store on the same data: a second instance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/domain/ports.js';
import { compactMachineCounts } from '../../src/store/postgres/machine-counts.js';
import { connectKysely } from '../../src/store/postgres/pool.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createTestDatabase, skipWithoutPostgres } from './postgres.js';

export interface OpenedBackend {
  readonly store: Store;
  /** Another store over the same data, as a second instance would open it (PostgreSQL only). */
  again?(): Promise<Store>;
  /** The leader's periodic store work, where the backend has some (PostgreSQL folds machine counts). */
  maintain?(): Promise<void>;
  /** Closes the store (and any `again`) and removes the data. */
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** False when the backend can run here; otherwise why not. */
  skip(): Promise<string | false>;
  open(): Promise<OpenedBackend>;
}

export const BACKENDS: readonly Backend[] = [
  {
    name: 'sqlite',
    skip: async () => false,
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'rampart-store-'));
      const store = await SqliteStore.open(join(dir, 'rampart.db'), 'normal');
      return {
        store,
        async dispose() {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: skipWithoutPostgres,
    async open() {
      const database = await createTestDatabase();
      const opened: Store[] = [];
      const store = await PostgresStore.open(database.url);
      opened.push(store);
      return {
        store,
        async again() {
          const other = await PostgresStore.open(database.url);
          opened.push(other);
          return other;
        },
        async maintain() {
          const db = connectKysely(database.url, 1);
          try {
            await compactMachineCounts(db);
          } finally {
            await db.destroy();
          }
        },
        async dispose() {
          for (const s of opened) await s.close();
          await database.drop();
        },
      };
    },
  },
];
