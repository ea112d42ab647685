import { createRequire } from 'node:module';

/**
 * cli-progress is required only when a bar is drawn: every CLI start imports this module (for
 * printJson), and a scripted run, which never draws a bar, should not pay for loading it.
 */
const loadProgress = (): typeof import('cli-progress') => createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/**
 * A progress bar on stderr when a person is watching; silent when scripted (`--json` or no TTY).
 * The elapsed time is redrawn every second, so the line moves even while one step (an index build
 * of a large seed) reports no progress of its own.
 */
export function progressBar(total: number, label: string, quiet: boolean): { update(n: number): void; stop(): void } {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const cliProgress = loadProgress();
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left | {duration_formatted}`, stream: process.stderr, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (n) => bar.update(n), stop: () => bar.stop() };
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'read-only file system',
};

/** `<path>: <what went wrong>` for a failed file operation, in words rather than errno names. */
export function fileProblem(path: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? FILE_ERRORS[code] : undefined;
  return `${path}: ${reason ?? (error instanceof Error ? error.message : String(error))}`;
}
