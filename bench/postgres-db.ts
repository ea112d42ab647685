/**
 * The PostgreSQL side of the benches: scratch databases made for one run (dropped at its end,
 * Ctrl-C included), the kept fleet database of bench:list, the durability count, and the CPU the
 * database's own backend processes use. The server to talk to is RAMPART_BENCH_POSTGRES (an admin
 * URL, default the local server with trust auth); it must be loopback, like all bench traffic.
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { processCpuSeconds } from './proc-stat.js';
import type { ProcessGroup } from './processes.js';

const ADMIN_URL = process.env.RAMPART_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of `database` on the bench's server. */
export function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Where the bench looks for PostgreSQL, without credentials. */
export function describeServer(): string {
  const url = new URL(ADMIN_URL);
  return `${url.hostname}:${url.port || '5432'}`;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const host = new URL(ADMIN_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`RAMPART_BENCH_POSTGRES must point at this machine (127.0.0.1), not ${host}`);
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Undefined when PostgreSQL answers, else why not (the bench then skips its PostgreSQL runs). */
export async function postgresUnavailable(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('select 1'));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Database names are generated here, never taken from input: quoting them is enough. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function dropDatabase(name: string): Promise<void> {
  // FORCE (PostgreSQL 13+) ends sessions a killed server left behind.
  await admin((c) => c.query(`drop database if exists ${ident(name)} with (force)`));
}

/**
 * Creates an empty database for one run and registers its removal with the process group, so it
 * is dropped at the end whatever happens. Returns its URL and a function that drops it now.
 */
export async function scratchDatabase(group: ProcessGroup, label: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `rampart_bench_${label}_${process.pid}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`create database ${ident(name)}`));
  const drop = group.track(() => dropDatabase(name));
  return { name, url: databaseUrl(name), drop };
}

/** The JSON comment a kept database carries (when and how it was seeded), or undefined if it does not exist. */
export async function databaseNote(name: string): Promise<string | null | undefined> {
  return admin(async (c) => {
    const result = await c.query<{ note: string | null }>(`select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`, [name]);
    return result.rows.length === 0 ? undefined : (result.rows[0]?.note ?? null);
  });
}

export async function createDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`create database ${ident(name)}`));
}

export async function setDatabaseNote(name: string, note: string): Promise<void> {
  await admin((c) => c.query(`comment on database ${ident(name)} is ${c.escapeLiteral(note)}`));
}

/**
 * Gathers the planner's statistics on the machine tables and sets their visibility maps, and says
 * whether autovacuum (which would do both on its own, a minute or more after a bulk load) is on at all.
 */
export async function analyzeFleet(url: string): Promise<{ autovacuum: boolean; seconds: number }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const autovacuum = (await client.query<{ autovacuum: string }>('show autovacuum')).rows[0]?.autovacuum === 'on';
    const started = performance.now();
    await client.query('vacuum (analyze) machines, machine_values, machine_tags, machine_ip_history');
    return { autovacuum, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** Value-history rows the setDeviceValue route left (the durability check's count). */
export async function countHistory(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(`select count(*) as n from value_history where route = 'setDeviceValue'`);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * CPU seconds used so far by the PostgreSQL backends serving `database` (their process title
 * names it). Background processes (WAL writer, checkpointer) are not included. Linux only.
 */
export function databaseCpuSeconds(database: string): Map<number, number> {
  const seconds = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return seconds;
  }
  for (const pid of pids) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres: ') || !title.includes(` ${database} `)) continue;
      const cpu = processCpuSeconds(Number(pid));
      if (cpu !== undefined) seconds.set(Number(pid), cpu);
    } catch {
      // gone, or not ours to read
    }
  }
  return seconds;
}

/** Cores the database's backends used between two samples, over `elapsedS` (backends that ended in between are missed). */
export function databaseCores(before: Map<number, number>, after: Map<number, number>, elapsedS: number): number {
  let used = 0;
  for (const [pid, cpu] of after) used += cpu - (before.get(pid) ?? 0);
  return used / elapsedS;
}
