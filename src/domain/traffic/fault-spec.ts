import { createHash } from 'node:crypto';
import { newGuid } from '../../shared/ids.js';
import { ERROR_STATUS, invalidInput, type ErrorCode } from '../errors.js';
import type { FaultAction, FaultRule, FaultTrigger } from './faults.js';
import { E_FAIL, type Steer } from '../actions/action-lifecycle.js';

/**
 * A fault rule as people write it, in a tenant file or to `POST /admin/tenants/{id}/faults`:
 * flat and readable. Exactly one action (error, latencyMs, drop, truncate, outcome) and at most one
 * trigger (calls, rate + seed, from/until or durationSeconds; none means every matching call).
 */
export interface FaultSpec {
  readonly id?: string;
  readonly operations?: readonly string[];
  readonly applications?: readonly string[];
  readonly methods?: readonly string[];
  readonly machines?: readonly string[];
  readonly error?: string;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  readonly drop?: boolean;
  readonly truncate?: boolean;
  /** The machine action a matching call creates ends so (issue 11): Failed (with errorHResult), TimeOut, or stays Pending. */
  readonly outcome?: 'Failed' | 'TimeOut' | 'Pending';
  /** The negative HRESULT of a Failed outcome; E_FAIL when absent. */
  readonly errorHResult?: number;
  /** "1-2" (calls one and two of those the rule matches) or "3". */
  readonly calls?: string;
  readonly rate?: number;
  readonly seed?: number;
  readonly from?: string;
  readonly until?: string;
  readonly durationSeconds?: number;
  /** A rule switched off stays defined but never fires; absent means on. */
  readonly enabled?: boolean;
}

export function faultRuleFromSpec(spec: FaultSpec, tenantId: string, nowMs: number): FaultRule {
  const rule: Omit<FaultRule, 'key'> = {
    id: spec.id ?? newGuid(),
    tenantId,
    ...(spec.operations ? { operations: spec.operations } : {}),
    ...(spec.applications ? { applications: spec.applications } : {}),
    ...(spec.methods ? { methods: spec.methods } : {}),
    ...(spec.machines ? { machines: spec.machines } : {}),
    action: actionOf(spec),
    trigger: triggerOf(spec, nowMs),
    enabled: spec.enabled !== false,
  };
  // The written form (id included) is canonical, so equal rules get equal keys on every instance.
  const key = createHash('sha256').update(JSON.stringify(faultRuleToSpec({ ...rule, key: '' }))).digest('base64url').slice(0, 22);
  return { ...rule, key };
}

export function faultRuleToSpec(rule: FaultRule): FaultSpec {
  const { action, trigger } = rule;
  return {
    id: rule.id,
    ...(rule.operations ? { operations: rule.operations } : {}),
    ...(rule.applications ? { applications: rule.applications } : {}),
    ...(rule.methods ? { methods: rule.methods } : {}),
    ...(rule.machines ? { machines: rule.machines } : {}),
    ...(action.kind === 'error' ? { error: action.code, ...(action.retryAfterSeconds ? { retryAfterSeconds: action.retryAfterSeconds } : {}) } : {}),
    ...(action.kind === 'latency' ? { latencyMs: action.ms } : {}),
    ...(action.kind === 'drop' ? { drop: true } : {}),
    ...(action.kind === 'truncate' ? { truncate: true } : {}),
    ...(action.kind === 'outcome' ? { outcome: action.steer.outcome, ...(action.steer.outcome === 'Failed' ? { errorHResult: action.steer.errorHResult } : {}) } : {}),
    ...(trigger.kind === 'calls' ? { calls: trigger.from === trigger.to ? `${trigger.from}` : `${trigger.from}-${trigger.to}` } : {}),
    ...(trigger.kind === 'rate' ? { rate: trigger.rate, seed: trigger.seed } : {}),
    ...(trigger.kind === 'span' ? { from: new Date(trigger.from).toISOString(), until: new Date(trigger.until).toISOString() } : {}),
    ...(rule.enabled ? {} : { enabled: false }),
  };
}

function actionOf(spec: FaultSpec): FaultAction {
  const actions: FaultAction[] = [];
  if (spec.error !== undefined) {
    if (!(spec.error in ERROR_STATUS)) throw invalidInput(`fault error '${spec.error}' is not an error code (see docs/errors.md)`);
    const code = spec.error as ErrorCode;
    // A throttling fault without Retry-After would be unlike the real one.
    const retryAfter = spec.retryAfterSeconds ?? (code === 'TooManyRequests' ? 1 : undefined);
    actions.push({ kind: 'error', code, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) });
  }
  if (spec.latencyMs !== undefined) actions.push({ kind: 'latency', ms: spec.latencyMs });
  if (spec.drop) actions.push({ kind: 'drop' });
  if (spec.truncate) actions.push({ kind: 'truncate' });
  if (spec.outcome !== undefined) actions.push({ kind: 'outcome', steer: steerOf(spec) });
  const [action, extra] = actions;
  if (!action || extra) throw invalidInput('a fault rule needs exactly one of error, latencyMs, drop, truncate, outcome');
  if (spec.errorHResult !== undefined && spec.outcome !== 'Failed') throw invalidInput('errorHResult goes with outcome Failed only');
  return action;
}

function steerOf(spec: FaultSpec): Steer {
  switch (spec.outcome) {
    case 'Failed': {
      const errorHResult = spec.errorHResult ?? E_FAIL;
      if (!Number.isInteger(errorHResult) || errorHResult >= 0 || errorHResult < -2_147_483_648) throw invalidInput('errorHResult must be a negative 32-bit HRESULT, e.g. -2147467259');
      return { outcome: 'Failed', errorHResult };
    }
    case 'TimeOut':
    case 'Pending':
      return { outcome: spec.outcome };
    default:
      throw invalidInput(`fault outcome '${String(spec.outcome)}' must be Failed, TimeOut or Pending`);
  }
}

function triggerOf(spec: FaultSpec, nowMs: number): FaultTrigger {
  const given = [spec.calls !== undefined, spec.rate !== undefined, spec.from !== undefined || spec.until !== undefined || spec.durationSeconds !== undefined];
  if (given.filter(Boolean).length > 1) throw invalidInput('a fault rule takes at most one trigger: calls, rate, or a time span');
  if (spec.calls !== undefined) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec.calls);
    const from = Number(m?.[1]);
    const to = Number(m?.[2] ?? m?.[1]);
    if (!m || from < 1 || to < from) throw invalidInput(`fault calls '${spec.calls}' must be "N" or "N-M" with 1 <= N <= M`);
    return { kind: 'calls', from, to };
  }
  if (spec.rate !== undefined) {
    if (!(spec.rate >= 0 && spec.rate <= 1)) throw invalidInput('fault rate must be between 0 and 1');
    return { kind: 'rate', rate: spec.rate, seed: spec.seed ?? 1 };
  }
  if (spec.durationSeconds !== undefined) return { kind: 'span', from: nowMs, until: nowMs + spec.durationSeconds * 1000 };
  if (spec.from !== undefined || spec.until !== undefined) {
    const from = spec.from === undefined ? nowMs : Date.parse(spec.from);
    const until = spec.until === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(spec.until);
    if (Number.isNaN(from) || Number.isNaN(until) || until <= from) throw invalidInput('fault from/until must be ISO timestamps with from < until');
    return { kind: 'span', from, until };
  }
  return { kind: 'always' };
}
