import { Command, InvalidArgumentError } from 'commander';
import { DEMO_FLEET_SEED, DEMO_TENANT_ID } from '../../config/demo.js';
import { DEFAULT_ALERTS_PER_MACHINE } from '../../fleet/alert-generator.js';
import { STORE_SETTINGS, withSettings } from '../options.js';
import { printJson, progressBar } from '../output.js';
import { countBetween, ensureTenant, fraction, tenantArg, wholeNumber } from './shared.js';

/** A non-negative number of at most 50 (a fraction is an average: 0.5 is one alert per two machines). */
function alertRate(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n > 50) throw new InvalidArgumentError('expected a number from 0 to 50');
  return n;
}

export const seedCommand = withSettings(
  new Command('seed')
    .description('generate a realistic fleet (deterministic for a given --seed) into a tenant')
    .option('--count <n>', 'number of machines (1 to 10,000,000)', countBetween(1, 10_000_000), 1000)
    .option('--tenant <id>', 'tenant id (created if missing; the demo tenant with its demo applications and users)', tenantArg, DEMO_TENANT_ID)
    .option('--seed <n>', 'random seed', wholeNumber, DEMO_FLEET_SEED)
    .option('--stale-fraction <f>', 'share of machines last seen beyond retention (0 to 1)', fraction, 0.05)
    .option('--alerts-per-machine <n>', 'alerts per machine on average (0 to 50; 0 for none)', alertRate, DEFAULT_ALERTS_PER_MACHINE)
    .option('--json', 'print the result as JSON'),
  // --no-demo: the demo tenant, when created here, gets no demo applications or users.
  [...STORE_SETTINGS, 'demo'],
).action(async (options) => {
  const [{ withCore }, { seedFleet }] = await Promise.all([import('../open-core.js'), import('../../fleet/seed.js')]);
  await withCore(options, {}, async (core) => {
    const tenantId = await ensureTenant(core, options.tenant);
    let bar = progressBar(options.count, 'seeding', Boolean(options.json));
    const started = Date.now();
    const { machines: written, alerts } = await seedFleet(
      core.store,
      tenantId,
      { count: options.count, seed: options.seed, nowMs: core.clock.now(), staleFraction: options.staleFraction, alertsPerMachine: options.alertsPerMachine },
      (n) => bar.update(n),
      // The command owns the store: an empty one is bulk-loaded (indexes built once, at the end),
      // and a second bar follows the indexes.
      {
        bulk: true,
        onIndexed: (built, total) => {
          if (built === 1) {
            bar.stop();
            bar = progressBar(total, 'indexing', Boolean(options.json));
          }
          bar.update(built);
        },
      },
    );
    bar.stop();
    const result = { tenant: tenantId, machines: written, alerts, seconds: (Date.now() - started) / 1000 };
    if (options.json) printJson(result);
    else process.stdout.write(`seeded ${written} machines and ${alerts} alerts into tenant ${tenantId} in ${result.seconds.toFixed(1)} s\n`);
  });
});
