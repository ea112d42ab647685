import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load-protocol.js';
import { pinned, type ProcessGroup } from './processes.js';

const LOAD_SCRIPT = fileURLToPath(new URL('./load.ts', import.meta.url));

/**
 * Runs one bounded load in a fresh load-generator process (pinned to `core` when given) and
 * returns what it measured. A run that overstays its duration by 30 s is killed and fails.
 */
export async function runLoad(group: ProcessGroup, spec: LoadSpec, core: number | undefined): Promise<LoadResult> {
  const [command, args] = pinned(core, process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(spec)]);
  const started = group.spawn('load generator', command, args, { pipeStdout: true });
  let stdout = '';
  started.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const limit = setTimeout(() => started.child.kill('SIGKILL'), (spec.durationS + 30) * 1000);
  const code = await started.exited;
  clearTimeout(limit);
  if (code !== 0) throw new Error(`load generator failed (exit ${code}) against ${spec.url}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LoadResult;
}
