/**
 * Rampart as separate processes, the way a user runs it (`node dist/src/main.js <command> ...`, as
 * `npm start` and the installed `rampart` do), so tests can kill -9 a server, restart it on the
 * same data folder, and run CLI commands to completion. Every process started here is tracked; call `killAll()` in `after` so none outlives
 * the test file, whatever happened in it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_APP } from '../../src/config/demo.js';
import { call, demoToken } from './server.js';

/** The repository root: where `src/main.ts`, `dist/` and `node_modules/tsx` are. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The built server (`npm test` builds first) when it is newer than every source file; otherwise the
 * sources through tsx, so a test file run on its own after an edit never starts stale code. The
 * built one starts on about half the CPU: the suite starts hundreds of servers and CLI commands.
 */
const ENTRY = builtIsFresh() ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];

function builtIsFresh(): boolean {
  let built: number;
  try {
    built = statSync(join(REPO_ROOT, 'dist/src/main.js')).mtimeMs;
  } catch {
    return false;
  }
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  return newest(join(REPO_ROOT, 'src')) < built;
}

/** Quiet logs and a small demo fleet keep start-up fast. */
export const BASE_ENV: Readonly<Record<string, string>> = { RAMPART_LOG_LEVEL: 'warn', RAMPART_DEMO_MACHINES: '50' };

const running = new Set<ChildProcess>();
const dataDirs = new Set<string>();

/**
 * The child's environment: ours without any Rampart setting (so the developer's shell cannot leak
 * into a test), plus BASE_ENV, plus the test's own.
 */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(RAMPART_|PORT$|HOST$|NODE_TEST_CONTEXT$|NODE_OPTIONS$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...BASE_ENV, ...extra };
}

/** A TCP port that was free a moment ago: listen on port 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** A fresh, empty data folder; `killAll` removes it. */
export async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-proc-'));
  dataDirs.add(dir);
  return dir;
}

export const readAdminKey = async (dataDir: string): Promise<string> => (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
  readonly dataDir: string;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  /** A client-credentials token for an application of the demo tenant, from the server's authority. */
  token(client?: { clientId: string; clientSecret: string }): Promise<string>;
  /** Sends the signal and waits (bounded) for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

export interface StartOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

/** Starts `serve` on 127.0.0.1 and resolves once `/readyz` answers 200; rejects (and kills) on a deadline or early exit. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [...ENTRY, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', options.dataDir, ...(options.args ?? [])],
    { cwd: REPO_ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let exitInfo: ExitInfo | undefined;
  void exited.then((info) => (exitInfo = info));

  const server: ServerProcess = {
    child,
    port,
    base,
    dataDir: options.dataDir,
    stdout: () => out,
    stderr: () => err,
    token: (client = DEMO_APP) => demoToken(base, client),
    async kill(signal = 'SIGKILL') {
      if (exitInfo) return exitInfo;
      child.kill(signal);
      const timeout = new Promise<ExitInfo>((_, reject) => {
        const timer = setTimeout(() => reject(new Error(`server pid ${child.pid} did not exit within 10 s of ${signal}`)), 10_000);
        void exited.finally(() => clearTimeout(timer));
      });
      return Promise.race([exited, timeout]);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exitInfo) {
      throw new Error(`server exited before it was ready (code ${exitInfo.code}, signal ${exitInfo.signal}): ${err.trim()}`);
    }
    try {
      const response = await call(`${base}/readyz`, {}, 1000);
      await response.arrayBuffer();
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.kill('SIGKILL').catch(() => {});
      throw new Error(`server on port ${port} was not ready within the deadline; stderr: ${err.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface CliResult extends ExitInfo {
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs one CLI command to completion (SIGKILL after the timeout) and captures its output and exit. */
export function runCli(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 90_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    // 'close' rather than 'exit': the output streams are complete by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** What a CLI run did, for an assertion's message. */
export const describeRun = (r: CliResult): string =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''}\nstdout: ${r.stdout.slice(0, 800)}\nstderr: ${r.stderr.slice(0, 800)}`;

/**
 * `rampart <command> ...args --data-dir <dir>` for a test: `run` asserts the command finished in
 * time, `ok` also that it exited 0 and returns its stdout. The folder is read at each call (tests
 * make it in `before`).
 */
export function cliCommand(command: string, dataDir: () => string): { run(...args: string[]): Promise<CliResult>; ok(...args: string[]): Promise<string> } {
  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli([command, ...args, '--data-dir', dataDir()]);
    assert.equal(r.timedOut, false, describeRun(r));
    return r;
  };
  const ok = async (...args: string[]): Promise<string> => {
    const r = await run(...args);
    assert.equal(r.code, 0, describeRun(r));
    return r.stdout;
  };
  return { run, ok };
}

/** Kills every process still running (SIGKILL) and removes the data folders made here. */
export async function killAll(): Promise<void> {
  const waits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(resolve, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
  running.clear();
  await Promise.all([...dataDirs].map((dir) => rm(dir, { recursive: true, force: true })));
  dataDirs.clear();
}

/**
 * Polls `check` every `everyMs` until it holds, failing after `timeoutMs`: for news that travels
 * asynchronously. The deadline only keeps a broken build from hanging, so it is generous: a loaded
 * machine (the suite shares two cores with other work) must not turn "later" into a failure.
 */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
