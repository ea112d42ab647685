/**
 * Real clients in processes of their own, the way users run them: Node scripts with the
 * loopback-only guard preloaded, Debian's python3 with requests, curl. Each gets a clean
 * environment (none of ours, so no proxy or CA setting of the machine leaks in) plus what the
 * test gives it, and a deadline.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLIENTS = fileURLToPath(new URL('../clients/', import.meta.url));
/** Debian's interpreter: python3-requests is installed for it, not for a pyenv python3 first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface ClientRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion with exactly `env` (plus PATH and HOME), killed after `timeoutMs`. */
export function runClient(file: string, args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<ClientRun> {
  const clean = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
  return new Promise((resolve) => {
    execFile(file, [...args], { env: clean, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A Node client script of test/clients, with the loopback-only guard. */
export const runNodeClient = (script: string, env: Record<string, string>): Promise<ClientRun> =>
  runClient(process.execPath, ['--import', `${CLIENTS}loopback-only.mjs`, `${CLIENTS}${script}`], env);

/**
 * The `skip` option for a test that needs a local tool: false when `probe` runs; else the reason,
 * printed by the runner. In CI (RAMPART_REQUIRE_SERVICES, set by .ci/run, which installs them) a
 * missing tool fails instead.
 */
export function skipWithoutTool(tool: string, probe: readonly string[], install: string): string | false {
  try {
    const [command = '', ...args] = probe;
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return false;
  } catch {
    if (process.env.RAMPART_REQUIRE_SERVICES) throw new Error(`${tool} is required (RAMPART_REQUIRE_SERVICES) but '${probe.join(' ')}' fails`);
    return `${tool} is not installed (${install})`;
  }
}
