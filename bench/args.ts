import { parseArgs } from 'node:util';
import { DEMO_FLEET_SIZE } from '../src/config/demo.js';
import type { ScenarioName } from './report.js';

export interface BenchOptions {
  readonly build: boolean;
  /** Measured seconds per side and scenario. */
  readonly durationS: number;
  /** Unmeasured seconds before each measured run (JIT, caches, connection set-up). */
  readonly warmupS: number;
  readonly connections: number;
  /** Repetitions of the whole bare/Rampart sequence; the median run of each side is reported. */
  readonly rounds: number;
  /** Also measure Rampart with RAMPART_LOG_LEVEL=info (one log line per request). */
  readonly log: boolean;
  /** Run the Rampart server under --cpu-prof; profiles land in bench/results/profiles/. */
  readonly profServer: boolean;
  readonly scenarios: readonly ScenarioName[];
  /** Size of the demo fleet the server seeds. */
  readonly machines: number;
  /** How many machines the load is spread over. */
  readonly spread: number;
  readonly pin: boolean;
  /** Longest wait, in seconds, for the machine to go quiet before each run (0: do not wait). */
  readonly waitIdleS: number;
  /** Exit non-zero when a target fails, not only on correctness failures. */
  readonly strict: boolean;
}

/** Defaults a bench script may set differently (bench/backends.ts runs more configurations). */
export interface BenchDefaults {
  /** First line of --help. */
  readonly heading: string;
  readonly durationS: number;
  readonly waitIdleS: number;
}

const RUN_DEFAULTS: BenchDefaults = { heading: 'usage: npm run bench -- [options]    (bench/run.ts, then bench/backends.ts with the same options)', durationS: 10, waitIdleS: 30 };

export const usage = (defaults: BenchDefaults = RUN_DEFAULTS): string => `${defaults.heading}
  --no-build          use the existing dist/ instead of running npm run build
  --duration <s>      measured seconds per side and scenario (default ${defaults.durationS})
  --warmup <s>        warm-up seconds before each measured run (default 2)
  --connections <n>   concurrent connections (default 50)
  --rounds <n>        repeat the sequence n times, report medians (default 1; use 3 on a busy machine)
  --only <scenario>   setDeviceValue, getMachine, createAction or getAction (default all; backends: the machine ones)
  --log               also measure Rampart with log level info
  --prof-server       run the Rampart server under --cpu-prof (numbers are then not comparable)
  --machines <n>      demo fleet size (default ${DEMO_FLEET_SIZE})
  --spread <n>        machines the load is spread over (default 50)
  --no-pin            do not pin processes to cores with taskset
  --wait-idle <s>     before each run, wait up to s seconds for other processes to go quiet (default ${defaults.waitIdleS}; 0: off)
  --strict            exit 1 when a target fails (default: only on correctness failures)`;

const SCENARIOS: readonly ScenarioName[] = ['setDeviceValue', 'getMachine', 'createAction', 'getAction'];

export function parseOptions(argv: readonly string[], defaults: BenchDefaults = RUN_DEFAULTS): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'no-build': { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      log: { type: 'boolean' },
      'prof-server': { type: 'boolean' },
      machines: { type: 'string' },
      spread: { type: 'string' },
      'no-pin': { type: 'boolean' },
      'wait-idle': { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage(defaults)}\n`);
    process.exit(0);
  }
  const only = values.only;
  if (only !== undefined && !SCENARIOS.includes(only as ScenarioName)) throw new Error(`--only: expected one of ${SCENARIOS.join(', ')}`);
  return {
    build: !values['no-build'],
    durationS: number('--duration', values.duration, defaults.durationS, 1, 600),
    warmupS: number('--warmup', values.warmup, 2, 0, 120),
    connections: number('--connections', values.connections, 50, 1, 1000),
    rounds: number('--rounds', values.rounds, 1, 1, 20),
    log: values.log ?? false,
    profServer: values['prof-server'] ?? false,
    scenarios: only ? [only as ScenarioName] : SCENARIOS,
    machines: number('--machines', values.machines, DEMO_FLEET_SIZE, 1, 1_000_000),
    spread: number('--spread', values.spread, 50, 1, 10_000),
    pin: !values['no-pin'],
    waitIdleS: number('--wait-idle', values['wait-idle'], defaults.waitIdleS, 0, 600),
    strict: values.strict ?? false,
  };
}

// Whole numbers only: autocannon takes whole seconds, and bounds keep every run bounded in time.
function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag}: expected a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}
