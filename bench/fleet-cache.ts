/**
 * The large seeded fleets the listing and console benchmarks share, kept between runs: seeding a
 * million machines takes minutes. Machines age, so a fleet older than a week is seeded again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAMPART_MAIN } from './servers.js';

const WEEK_MS = 7 * 86_400_000;

export interface Seeded {
  readonly count: number;
  readonly seed: number;
  readonly seededAt: number;
  readonly seconds: number;
}

/** Whether a fleet seeded so can still be used (`fresh`: the caller wants a new one anyway). */
export const isFresh = (seeded: Seeded | undefined, fresh = false): boolean => seeded !== undefined && Date.now() - seeded.seededAt < WEEK_MS && !fresh;

/** Runs `rampart seed` into the data folder or store given, and says how long it took. */
export function runSeed(count: number, seed: number, location: readonly string[]): Seeded {
  const started = Date.now();
  const seeded = spawnSync(process.execPath, [RAMPART_MAIN, 'seed', '--count', String(count), '--seed', String(seed), ...location, '--log-level', 'warn'], {
    stdio: 'inherit',
    timeout: 3_600_000,
  });
  if (seeded.status !== 0) throw new Error('rampart seed failed');
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`seeded in ${seconds.toFixed(0)} s\n`);
  return { count, seed, seededAt: started, seconds };
}

export interface FleetCacheOptions {
  /** Seed again even when the cached fleet is fresh. */
  readonly fresh?: boolean;
  /** The temp folder's name; it must change with anything below that changes the fleet. */
  readonly dirName?: string;
  /** More `rampart seed` arguments (`--alerts-per-machine 2`), and how to say what they add. */
  readonly seedArgs?: readonly string[];
  readonly seedNote?: string;
  /** Runs in the new, empty folder before the seed (a tenant document to apply first). */
  readonly prepare?: (dir: string) => void;
}

/** The SQLite fleet of this size and seed in a temp folder, seeded when missing, stale or `fresh`. */
export function cachedFleetDir(count: number, seed: number, options: FleetCacheOptions = {}): string {
  const dir = join(tmpdir(), options.dirName ?? `rampart-list-bench-${count}-${seed}`);
  const marker = join(dir, 'fleet.json');
  if (isFresh(existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Seeded) : undefined, options.fresh)) {
    process.stdout.write(`fleet: ${count} machines, cached in ${dir}\n`);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  options.prepare?.(dir);
  process.stdout.write(`seeding ${count} machines${options.seedNote ?? ''} into ${dir} (rampart seed)...\n`);
  writeFileSync(marker, JSON.stringify(runSeed(count, seed, ['--data-dir', dir, ...(options.seedArgs ?? [])])));
  return dir;
}
