import { Command, Option } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import type { Config } from '../../config/settings.js';
import { configFrom, withSettings } from '../options.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';
import { tenantArg, wholeNumber } from './shared.js';

/**
 * Commands about a RUNNING server's traffic (journal, limits, faults, reset): they call its
 * admin API, since that state lives in the server. `--url` names the server (default: the
 * configured host and port); the admin key comes from the data folder or --admin-key.
 */
function adminCommand(name: string, description: string): Command {
  return withSettings(
    new Command(name)
      .description(description)
      .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
      .addOption(new Option('--url <url>', 'the running server (default http://<host>:<port>)'))
      .option('--json', 'print JSON'),
    // The admin key and the server's address: from the data folder or store, the flags, or --url.
    ['dataDir', 'store', 'poolSize', 'adminKey', 'host', 'port', 'logLevel'],
  );
}

export async function callAdmin(options: Record<string, unknown>, method: string, path: string, body?: unknown): Promise<unknown> {
  const config: Config = configFrom(options);
  const base = String(options.url ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  const { adminKeyFor } = await import('../../cluster/deployment.js');
  const key = await adminKeyFor(config);
  const response = await fetch(`${base}/admin/tenants/${String(options.tenant)}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new Error(`cannot reach ${base}: ${error instanceof Error ? error.message : String(error)} (is the server running? --url)`);
  });
  const text = await response.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) throw new Error(`${response.status}: ${(parsed as { error?: { message?: string } } | null)?.error?.message ?? text}`);
  return parsed;
}

const show = (options: Record<string, unknown>, value: unknown, line: (item: Record<string, unknown>) => string) => {
  if (options.json) return printJson(value);
  const items = (value as { value?: Record<string, unknown>[] } | null)?.value ?? [];
  process.stdout.write(items.length === 0 ? 'nothing to show\n' : `${items.map(line).join('\n')}\n`);
};

export const journalCommand = adminCommand('journal', "print a running server's request journal for a tenant (newest first)")
  .option('--limit <n>', 'entries', wholeNumber, 50)
  .option('--clear', 'forget the journal instead')
  .action(async (options) => {
    if (options.clear) return void (await callAdmin(options, 'DELETE', '/journal'));
    show(options, await callAdmin(options, 'GET', `/journal?limit=${Number(options.limit)}`), (e) =>
      `${e.at}  ${String(e.status).padStart(3)}  ${String(e.method).padEnd(5)} ${e.path}  ${e.operation ?? '-'}  app ${e.appId ?? '-'}  ${e.latencyMs} ms${e.fault ? `  fault ${e.fault}` : ''}`,
    );
  });

export const limitsCommand = adminCommand('limits', "print a running server's rate-limit windows for a tenant").action(async (options) => {
  show(options, await callAdmin(options, 'GET', '/limits'), (l) =>
    `${l.application} ${l.operation}: ${l.minuteCount}/${l.perMinute ?? 'no limit'} this minute, ${l.hourCount}/${l.perHour ?? 'no limit'} this hour`,
  );
});

export const resetCommand = adminCommand('reset', "put a tenant's machines back to its seed and forget its limits, journal and fault rules").action(async (options) => {
  const result = await callAdmin(options, 'POST', '/reset');
  if (options.json) printJson(result);
  else process.stdout.write(`reset tenant ${String(options.tenant)}: ${(result as { machines: number }).machines} machines\n`);
});

export const faultsCommand = new Command('faults')
  .description("manage a running server's fault rules (see docs/testing-clients.md)")
  .addCommand(adminCommand('list', 'list the fault rules of a tenant').action(async (options) => show(options, await callAdmin(options, 'GET', '/faults'), (r) => JSON.stringify(r))))
  .addCommand(
    adminCommand('add', 'add a fault rule, given as JSON: \'{"operations":["SetDeviceValue"],"error":"TooManyRequests","calls":"1-2"}\'')
      .argument('<rule>', 'the rule as JSON')
      .action(async (rule: string, options) => {
        const added = await callAdmin(options, 'POST', '/faults', await checkedRule(rule, String(options.tenant)));
        if (options.json) printJson(added);
        else process.stdout.write(`added fault rule ${(added as { id: string }).id}\n`);
      }),
  )
  .addCommand(adminCommand('off', 'switch a fault rule off (it stays defined)').argument('<id>', 'rule id').action(async (id: string, options) => void (await callAdmin(options, 'PATCH', `/faults/${encodeURIComponent(id)}`, { enabled: false }))))
  .addCommand(adminCommand('on', 'switch a fault rule on again').argument('<id>', 'rule id').action(async (id: string, options) => void (await callAdmin(options, 'PATCH', `/faults/${encodeURIComponent(id)}`, { enabled: true }))))
  .addCommand(adminCommand('remove', 'remove a fault rule').argument('<id>', 'rule id').action(async (id: string, options) => void (await callAdmin(options, 'DELETE', `/faults/${encodeURIComponent(id)}`))))
  .addCommand(adminCommand('clear', 'remove every fault rule of a tenant').action(async (options) => void (await callAdmin(options, 'DELETE', '/faults'))));

/**
 * The rule is checked here as the server will check it (one validation, fault-rule-schema.ts),
 * so a typo is named before any server is reached, and without one running.
 */
async function checkedRule(text: string, tenantId: string): Promise<unknown> {
  let rule: unknown;
  try {
    rule = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`<rule>: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new UsageError('<rule>: a fault rule must be a JSON object');
  // Its schema (TypeBox) loads here, not at every CLI start.
  const { faultRuleProblem } = await import('../../domain/traffic/fault-rule-schema.js');
  const problem = faultRuleProblem(rule, tenantId, Date.now());
  if (problem !== undefined) throw new UsageError(`<rule>: fault rule ${problem}`);
  return rule;
}
