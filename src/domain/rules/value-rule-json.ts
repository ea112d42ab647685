import { invalidInput } from '../errors.js';
import { describeValue } from '../machines/device-value.js';
import { wireTimestamp, type Timestamp } from '../../shared/timestamp.js';
import type { ValueRule } from './value-rule.js';
import type { RuleRun } from './value-rule-ports.js';
import type { RuleSummary } from './value-rule-service.js';

/**
 * Rules, previews and runs as every surface shows them (admin API, CLI JSON/CSV, console): one
 * shape, so what the console shows is what the API answers.
 */
export const ruleJson = (rule: ValueRule) => ({
  name: rule.name,
  filter: rule.filter,
  deviceValue: rule.deviceValue,
  lastAppliedAt: rule.appliedAt === null ? null : wireTimestamp(rule.appliedAt as Timestamp),
});

export const summaryJson = (rule: RuleSummary) => ({ ...ruleJson(rule), changes: rule.changes });

/** Running (or stopped before finishing: the next apply continues it), Completed, or Superseded by a run of other rules. */
export type RunStatus = 'Running' | 'Completed' | 'Superseded';

export function runStatus(run: RuleRun): RunStatus {
  if (run.finishedAt === null) return 'Running';
  return run.position >= run.rules.length ? 'Completed' : 'Superseded';
}

export const runJson = (run: RuleRun) => ({
  id: run.id,
  status: runStatus(run),
  startedAt: wireTimestamp(run.startedAt as Timestamp),
  finishedAt: run.finishedAt === null ? null : wireTimestamp(run.finishedAt as Timestamp),
  actor: run.actor,
  changed: run.changed.reduce((a, b) => a + b, 0),
  rules: run.rules.map((r, i) => ({ name: r.name, deviceValue: r.deviceValue, changed: run.changed[i] ?? 0 })),
});

const MACHINE_ID = /^[0-9a-f]{40}$/;
export const MAX_PREVIEW_PAGE = 10_000;

/** `$top` (1..10000, default 100) and `$skiptoken` (the machine id the page starts after) of a preview page. */
export function previewPaging(query: Record<string, unknown>): { limit: number; after?: string } {
  const top = query.$top;
  let limit = 100;
  if (top !== undefined) {
    if (typeof top !== 'string' || !/^\d{1,6}$/.test(top) || Number(top) < 1 || Number(top) > MAX_PREVIEW_PAGE) {
      throw invalidInput(`The value ${describeValue(top)} is not valid for $top. Allowed values: 1 to ${MAX_PREVIEW_PAGE}.`);
    }
    limit = Number(top);
  }
  const token = query.$skiptoken;
  if (token === undefined) return { limit };
  if (typeof token !== 'string' || !MACHINE_ID.test(token)) throw invalidInput(`The value ${describeValue(token)} is not valid for $skiptoken.`);
  return { limit, after: token };
}
