/** Starting the two servers under test as child processes, each on its own free loopback port. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pinned, waitForOk, type ProcessGroup, type Started } from './processes.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built server, as `npm start` runs it. */
export const RAMPART_MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BARE_SERVER = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

export interface Running {
  readonly started: Started;
  readonly base: string;
  readonly pid: number | undefined;
}

/**
 * The environment minus every Rampart setting and port variable the caller's shell may have set,
 * so the bench measures exactly the configuration it states.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('RAMPART_') || key === 'PORT' || key === 'HOST') delete env[key];
  return env;
}

export interface RampartOptions {
  readonly dataDir: string;
  readonly logLevel: 'warn' | 'info';
  readonly machines: number;
  readonly core: number | undefined;
  readonly logFile: string;
  /** When set, run under --cpu-prof writing profiles here (written at graceful exit). */
  readonly profileDir?: string;
  /** RAMPART_STORE, e.g. a postgres:// URL; default SQLite in the data folder. */
  readonly store?: string;
  /** Name in messages; default `rampart (log <level>)`. */
  readonly name?: string;
  /** More settings, as environment variables (e.g. RAMPART_ACTION_TIMINGS). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The built server (dist/), as `npm start` runs it, with durability full and the demo fleet (on SQLite unless `store`). */
export async function startRampart(group: ProcessGroup, options: RampartOptions): Promise<Running> {
  const port = await freePort();
  const env = {
    ...cleanEnv(),
    PORT: String(port),
    RAMPART_HOST: '127.0.0.1',
    RAMPART_DATA_DIR: options.dataDir,
    RAMPART_LOG_LEVEL: options.logLevel,
    RAMPART_DURABILITY: 'full',
    RAMPART_DEMO_MACHINES: String(options.machines),
    ...(options.store ? { RAMPART_STORE: options.store } : {}),
    ...options.env,
  };
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const [command, args] = pinned(options.core, process.execPath, [...nodeArgs, RAMPART_MAIN, 'serve']);
  const started = group.spawn(options.name ?? `rampart (log ${options.logLevel})`, command, args, { env, logFile: options.logFile });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/readyz`, started, 120_000);
  return { started, base, pid: started.child.pid };
}

/** The bare node:http baseline, answering `entity` with `contentType` (see bare-server.ts). */
export async function startBare(group: ProcessGroup, options: { entity: Buffer; contentType: string; workDir: string; core: number | undefined }): Promise<Running> {
  const entityFile = join(options.workDir, 'entity.json');
  writeFileSync(entityFile, options.entity);
  const port = await freePort();
  const env = { ...cleanEnv(), PORT: String(port), BENCH_ENTITY_FILE: entityFile, BENCH_CONTENT_TYPE: options.contentType };
  const [command, args] = pinned(options.core, process.execPath, ['--import', 'tsx', BARE_SERVER]);
  const started = group.spawn('bare server', command, args, { env, logFile: join(options.workDir, 'bare.log') });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/`, started, 30_000);
  return { started, base, pid: started.child.pid };
}

/** Builds dist/ as `npm start` would run it (`--no-build` skips this in every bench). */
export function buildServer(): void {
  process.stdout.write('building (npm run build)...\n');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (build.status !== 0) throw new Error('npm run build failed');
}
