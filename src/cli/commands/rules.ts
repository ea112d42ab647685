import { Command, Option } from 'commander';
import { DEMO_TENANT_ID } from '../../config/demo.js';
import { ConfigError } from '../../config/load-config.js';
import { MAX_PREVIEW_PAGE, ruleJson, runJson, summaryJson } from '../../domain/rules/value-rule-json.js';
import type { Core } from '../../core.js';
import type { PreviewDevice, RuleActor } from '../../domain/rules/value-rule-service.js';
import { csvRow } from '../../shared/csv.js';
import { withSettings } from '../options.js';
import { printJson, progressBar } from '../output.js';
import { tenantArg } from './shared.js';

/** The CLI acts for the whole tenant, as the admin key does; its history entries name `rampart-cli`. */
const cli = async (tenantId: string): Promise<RuleActor> => (await import('../../domain/rules/value-rule-service.js')).tenantOperator(tenantId, 'rampart-cli', 'cli');

/** The store and services load when a command runs, not when the CLI starts (`--help`, a usage error). */
const withCore = async (options: Record<string, unknown>, run: (core: Core) => Promise<void>): Promise<void> =>
  (await import('../open-core.js')).withCore(options, {}, run);

/** A rules file: a list of rules, or any object with `valueRules` (so a whole tenant file works too). */
async function readRulesFile(path: string): Promise<unknown> {
  const { readDocumentFile } = await import('../../config/tenant-files.js');
  const data = readDocumentFile(path, 'rules file');
  if (Array.isArray(data)) return data;
  if (typeof data === 'object' && data !== null && 'valueRules' in data) return (data as { valueRules: unknown }).valueRules;
  throw new ConfigError(`rules file ${path}: expected a list of rules or an object with valueRules`);
}

const out = (text: string) => void process.stdout.write(text);
const pad = (text: string, n: number) => text.padEnd(n);

const list = withSettings(
  new Command('list').description("show a tenant's value rules, in order (the first matching rule decides)").option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID).option('--json', 'JSON out'),
).action(async (options) =>
  withCore(options, async (core) => {
    const rules = (await core.rules.list(options.tenant)).map(ruleJson);
    if (options.json) return printJson({ value: rules });
    if (rules.length === 0) return out('no value rules\n');
    rules.forEach((r, i) => out(`${String(i + 1).padStart(3)}. ${pad(r.name, 32)} ${pad(r.deviceValue, 6)}  applied ${r.lastAppliedAt ?? 'never'}\n     ${r.filter}\n`));
  }),
);

const set = withSettings(
  new Command('set')
    .description("replace a tenant's value rules with those of a file (YAML or JSON: a list, or a tenant file's valueRules)")
    .argument('<file>', 'rules file')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--json', 'JSON out'),
).action(async (file: string, options) => {
  const data = await readRulesFile(file); // before anything opens
  await withCore(options, async (core) => {
    const rules = (await core.rules.replace(options.tenant, data)).map(ruleJson);
    if (options.json) return printJson({ value: rules });
    out(`${rules.length} value rule${rules.length === 1 ? '' : 's'} stored for tenant ${options.tenant}\n`);
  });
});

const DEVICE_COLUMNS = ['rule', 'id', 'computerDnsName', 'deviceValue', 'newValue', 'handSetSinceLastApply'] as const;

const preview = withSettings(
  new Command('preview')
    .description('what an apply would change, without writing: per rule, or the devices of one rule')
    .argument('[rule]', 'a rule name: list the devices it would change (all pages)')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .addOption(new Option('--format <format>', 'table, csv or json').choices(['table', 'csv', 'json']).default('table'))
    .option('--json', 'the same as --format json'),
).action(async (rule: string | undefined, options) =>
  withCore(options, async (core) => {
    const format: string = options.json ? 'json' : options.format;
    const actor = await cli(options.tenant);
    if (rule === undefined) {
      const rules = (await core.rules.preview(actor, options.tenant)).map(summaryJson);
      if (format === 'json') return printJson({ value: rules });
      if (format === 'csv') return out(['name,deviceValue,changes,lastAppliedAt,filter\r\n', ...rules.map((r) => csvRow([r.name, r.deviceValue, r.changes, r.lastAppliedAt, r.filter]))].join(''));
      return rules.forEach((r) => out(`${pad(r.name, 32)} -> ${pad(r.deviceValue, 6)} ${String(r.changes).padStart(8)} device(s) would change\n`));
    }
    // Every page, written as it comes: a rule matching a large fleet never sits in memory.
    let after: string | undefined;
    let first = true;
    if (format === 'json') out('{"value":[');
    if (format === 'csv') out(`${DEVICE_COLUMNS.join(',')}\r\n`);
    do {
      const page = await core.rules.previewPage(actor, options.tenant, rule, MAX_PREVIEW_PAGE, after);
      if (first && format === 'table') out(`${page.rule.name}: ${page.rule.changes} device(s) would change to ${page.rule.deviceValue}\n`);
      for (const d of page.devices) {
        if (format === 'json') out(`${first ? '\n' : ',\n'}${JSON.stringify({ rule: page.rule.name, ...d })}`);
        else if (format === 'csv') out(csvRow([page.rule.name, d.id, d.computerDnsName, d.deviceValue, d.newValue, d.handSetSinceLastApply]));
        else out(deviceLine(d));
        first = false;
      }
      after = page.next;
    } while (after !== undefined);
    if (format === 'json') out('\n]}\n');
  }),
);

const deviceLine = (d: PreviewDevice): string =>
  `  ${pad(d.computerDnsName, 32)} ${d.id}  ${pad(d.deviceValue, 6)} -> ${pad(d.newValue, 6)}${d.handSetSinceLastApply ? '  hand-set since last apply: will be overwritten' : ''}\n`;

const apply = withSettings(
  new Command('apply')
    .description('apply the rules: every device gets the value of the first rule matching it (continues a stopped run)')
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--json', 'JSON out (no progress bar)'),
).action(async (options) =>
  withCore(options, async (core) => {
    let bar: ReturnType<typeof progressBar> | undefined;
    const run = await core.rules.apply(await cli(options.tenant), options.tenant, ({ done, total }) => {
      bar ??= progressBar(total, 'applying value rules', Boolean(options.json));
      bar.update(done);
    });
    bar?.stop();
    const result = runJson(run);
    if (options.json) return printJson(result);
    out(`run ${result.id}: ${result.status}, ${result.changed} device(s) changed\n`);
    result.rules.forEach((r) => out(`  ${pad(r.name, 32)} -> ${pad(r.deviceValue, 6)} ${String(r.changed).padStart(8)}\n`));
  }),
);

export const rulesCommand = new Command('rules')
  .description('value rules: ordered $filter rules that set device values (docs/value-rules.md)')
  .addCommand(list)
  .addCommand(set)
  .addCommand(preview)
  .addCommand(apply);
