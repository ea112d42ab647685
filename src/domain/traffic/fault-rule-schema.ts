import { Type } from 'typebox';
import { invalidInput } from '../errors.js';
import { schemaProblem } from '../schema-errors.js';
import type { FaultRule } from './faults.js';
import { faultRuleFromSpec, type FaultSpec } from './fault-spec.js';
import { OPERATION_METHODS, OPERATION_NAMES } from './operation-names.js';

/**
 * The one validation of a fault rule, for every door it comes in by: a tenant file, `PUT` of a
 * tenant document, `POST /admin/tenants/{id}/faults`, `rampart faults add`. A misspelt key
 * (`"operatons"`) or an unknown operation name would otherwise widen the rule to every call, so
 * both are refused with the allowed values listed.
 */
const Strings = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100 });
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const FaultRuleSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    operations: Type.Optional(Strings),
    applications: Type.Optional(Strings),
    methods: Type.Optional(Strings),
    machines: Type.Optional(Strings),
    error: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    drop: Type.Optional(Type.Boolean()),
    truncate: Type.Optional(Type.Boolean()),
    outcome: Type.Optional(oneOf(['Failed', 'TimeOut', 'Pending'])),
    errorHResult: Type.Optional(Type.Integer({ minimum: -2_147_483_648, maximum: -1 })),
    calls: Type.Optional(Type.String({ pattern: '^\\s*\\d+\\s*(-\\s*\\d+\\s*)?$' })),
    rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    seed: Type.Optional(Type.Integer()),
    from: Type.Optional(Type.String({ maxLength: 64 })),
    until: Type.Optional(Type.String({ maxLength: 64 })),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * The first problem of a fault rule as a JSON pointer and a reason (`/operations/0: ...`), or
 * undefined when it is a rule. Names compare without case, as rules match them.
 */
export function faultRuleProblem(data: unknown, tenantId: string, nowMs: number): string | undefined {
  const checked = checkFaultRule(data, tenantId, nowMs);
  return typeof checked === 'string' ? checked : undefined;
}

/** A fault rule from untrusted input, or an InvalidInput error (400 on the wire) naming the field. */
export function parseFaultRule(data: unknown, tenantId: string, nowMs: number): FaultRule {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidInput('a fault rule must be a JSON object');
  const checked = checkFaultRule(data, tenantId, nowMs);
  if (typeof checked === 'string') throw invalidInput(`fault rule ${checked}`);
  return checked;
}

/** The rule, built once, or its first problem. */
function checkFaultRule(data: unknown, tenantId: string, nowMs: number): FaultRule | string {
  const shape = schemaProblem(FaultRuleSchema, data);
  if (shape !== undefined) return shape;
  const spec = data as FaultSpec;
  const unknownIn = (list: readonly string[] | undefined, names: readonly string[]) =>
    (list ?? []).findIndex((v) => !names.some((n) => n.toLowerCase() === v.toLowerCase()));
  const operation = unknownIn(spec.operations, OPERATION_NAMES);
  if (operation >= 0) return `/operations/${operation}: unknown operation '${spec.operations?.[operation]}' (allowed: ${OPERATION_NAMES.join(', ')})`;
  const method = unknownIn(spec.methods, OPERATION_METHODS);
  if (method >= 0) return `/methods/${method}: unknown method '${spec.methods?.[method]}' (allowed: ${OPERATION_METHODS.join(', ')})`;
  try {
    return faultRuleFromSpec(spec, tenantId, nowMs);
  } catch (error) {
    return `/: ${error instanceof Error ? error.message : String(error)}`;
  }
}
