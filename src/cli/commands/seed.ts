import { Command } from 'commander';
import { createCore } from '../../app.js';
import { DEMO_FLEET_SEED, DEMO_TENANT_ID } from '../../config/demo.js';
import { seedFleet } from '../../fleet/seed.js';
import { configFrom, withSettings } from '../options.js';
import { printJson, progressBar } from '../output.js';
import { ensureTenant, tenantArg, wholeNumber } from './shared.js';

export const seedCommand = withSettings(
  new Command('seed')
    .description('generate a realistic fleet (deterministic for a given --seed) into a tenant')
    .option('--count <n>', 'number of machines', wholeNumber, 1000)
    .option('--tenant <id>', 'tenant id (created if missing)', tenantArg, DEMO_TENANT_ID)
    .option('--seed <n>', 'random seed', wholeNumber, DEMO_FLEET_SEED)
    .option('--stale-fraction <f>', 'share of machines last seen beyond retention', Number, 0.05)
    .option('--json', 'print the result as JSON'),
).action(async (options) => {
  const core = await createCore(configFrom(options));
  try {
    const tenantId = await ensureTenant(core.store, options.tenant);
    const bar = progressBar(options.count, 'seeding', Boolean(options.json));
    const started = Date.now();
    const written = await seedFleet(
      core.store,
      tenantId,
      { count: options.count, seed: options.seed, nowMs: core.clock.now(), staleFraction: options.staleFraction },
      (n) => bar.update(n),
    );
    bar.stop();
    const result = { tenant: tenantId, machines: written, seconds: (Date.now() - started) / 1000 };
    if (options.json) printJson(result);
    else process.stdout.write(`seeded ${written} machines into tenant ${tenantId} in ${result.seconds.toFixed(1)} s\n`);
  } finally {
    await core.close();
  }
});
