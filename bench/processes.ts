/**
 * Child processes, temp dirs and other resources (a scratch database) for one bench run, and their
 * cleanup on every exit path: normal end, thrown error, Ctrl-C or SIGTERM. Only processes this module started are ever signalled,
 * each by its own pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  readonly logFile: string | undefined;
}

export class ProcessGroup {
  private readonly children = new Set<Started>();
  private readonly dirs = new Set<string>();
  private readonly releases = new Set<() => Promise<void>>();
  private cleaning: Promise<void> | undefined;

  /** Ctrl-C or SIGTERM: stop everything we started, remove temp dirs, exit 130. */
  installSignalHandlers(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping child processes and removing temp dirs\n`);
      void this.cleanup().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  trackDir(dir: string): void {
    this.dirs.add(dir);
  }

  /**
   * Runs `release` at cleanup, after every child process has stopped (a database can only be
   * dropped once the servers using it are gone). Returns a function that releases it now instead.
   */
  track(release: () => Promise<void>): () => Promise<void> {
    this.releases.add(release);
    return async () => {
      if (this.releases.delete(release)) await release();
    };
  }

  /** Starts `command`; output goes to `logFile` (not through our event loop) unless `pipeStdout`. */
  spawn(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; logFile?: string; pipeStdout?: boolean } = {}): Started {
    const fd = options.logFile ? openSync(options.logFile, 'a') : undefined;
    const out = options.pipeStdout ? 'pipe' : (fd ?? 'ignore');
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', out, fd ?? 'inherit'] });
    if (fd !== undefined) closeSync(fd); // the child holds its own copy
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', (error) => resolve(`spawn error: ${error.message}`));
    });
    const started: Started = { name, child, exited, logFile: options.logFile };
    this.children.add(started);
    void exited.then(() => this.children.delete(started));
    return started;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(started: Started, graceMs = 15_000): Promise<number | string> {
    const { child } = started;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await started.exited;
      clearTimeout(timer);
      return code;
    }
    return started.exited;
  }

  cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      await Promise.all([...this.children].map((c) => this.stop(c, 5_000)));
      for (const release of this.releases) await release().catch((error: unknown) => process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`));
      this.releases.clear();
      for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
      this.dirs.clear();
    })();
    return this.cleaning;
  }
}

/** Whether `taskset` can pin to cores 0 and 1 (it exists and both cores are ours). */
export function canPin(): boolean {
  const ok = (core: number) => spawnSync('taskset', ['-c', String(core), 'true'], { stdio: 'ignore' }).status === 0;
  return ok(0) && ok(1);
}

/** `[command, args]` run on `core` through taskset, or unchanged when not pinning. */
export function pinned(core: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  return core === undefined ? [command, [...args]] : ['taskset', ['-c', String(core), command, ...args]];
}

/** A port free on 127.0.0.1 right now (the OS picks it; tiny race before the child binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails if the process exits first or `timeoutMs` passes. */
export async function waitForOk(url: string, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  void started.exited.then((code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${started.name} exited (${exited}) before it was ready${logTail(started)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${started.name} not ready at ${url} after ${timeoutMs} ms${logTail(started)}`);
}

export function logTail(started: Started, lines = 20): string {
  if (!started.logFile) return '';
  try {
    const text = readFileSync(started.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return text ? `\n--- last lines of ${started.name}'s output ---\n${text}` : '';
  } catch {
    return '';
  }
}

/**
 * Runs a benchmark's `main` with a process group whose children and temp folders are cleaned up
 * however it ends (Ctrl-C included), then exits with its code (1 when it threw).
 */
export async function runBench(name: string, main: (group: ProcessGroup) => Promise<number>): Promise<never> {
  const group = new ProcessGroup();
  group.installSignalHandlers();
  let exitCode = 1;
  try {
    exitCode = await main(group);
  } catch (error) {
    process.stderr.write(`\n${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } finally {
    await group.cleanup();
  }
  process.exit(exitCode);
}
