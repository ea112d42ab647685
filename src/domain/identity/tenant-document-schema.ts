import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { APP_PERMISSIONS, DELEGATED_PERMISSIONS, ROLE_PERMISSIONS } from './permissions.js';
import { FaultRuleSchema, faultRuleProblem } from '../traffic/fault-rule-schema.js';
import { schemaProblem } from '../schema-errors.js';
import { ACTION_TYPES } from '../actions/action-types.js';
import { TIMING_PRESETS, type ActionTimingsSpec } from '../actions/action-timings.js';
import type { TenantDocument } from './tenant-document.js';

/**
 * The JSON Schema of a tenant document (tenant files in JSON or YAML, `PUT /admin/tenants/{id}`).
 * Unknown properties are refused, so a misspelt key is an error rather than silently ignored.
 */
const Guid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Name = Type.String({ minLength: 1, maxLength: 256 });
const Names = Type.Array(Name, { maxItems: 1000 });
const RuleValues = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10 });
const strict = { additionalProperties: false } as const;
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Count = Type.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), Type.Null()]);
const Limits = Type.Object({ enabled: Type.Optional(Type.Boolean()), perMinute: Type.Optional(Count), perHour: Type.Optional(Count) }, strict);
const Seconds = Type.Integer({ minimum: 0, maximum: 30 * 86_400 });
const Phases = Type.Object({ pendingSeconds: Type.Optional(Seconds), inProgressSeconds: Type.Optional(Seconds) }, strict);
const Timings = Type.Object(
  {
    preset: Type.Optional(oneOf(TIMING_PRESETS)),
    pendingSeconds: Type.Optional(Seconds),
    inProgressSeconds: Type.Optional(Seconds),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400 })),
    types: Type.Optional(Type.Object(Object.fromEntries([...ACTION_TYPES, 'Investigation'].map((t) => [t, Type.Optional(Phases)])), strict)),
  },
  strict,
);
const Actions = Type.Object(
  {
    timings: Type.Optional(Timings),
    library: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ pattern: '^[^/\\\\:*?"<>|\\u0000-\\u001f]{1,255}$' }), description: Type.Optional(Type.String({ maxLength: 1024 })), content: Type.Optional(Type.String({ maxLength: 1_048_576 })) },
          strict,
        ),
        { maxItems: 1000 },
      ),
    ),
  },
  strict,
);

export const TenantDocumentSchema = Type.Object(
  {
    id: Guid,
    name: Name,
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    applications: Type.Optional(
      Type.Array(
        Type.Object(
          {
            clientId: Guid,
            name: Name,
            secret: Type.Optional(Type.String({ minLength: 8, maxLength: 512 })),
            secretHash: Type.Optional(Type.String({ pattern: '^scrypt:' })),
            applicationPermissions: Type.Optional(Type.Array(oneOf(APP_PERMISSIONS))),
            delegatedPermissions: Type.Optional(Type.Array(oneOf(DELEGATED_PERMISSIONS))),
            limits: Type.Optional(Limits),
          },
          strict,
        ),
      ),
    ),
    users: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.Optional(Guid),
            userPrincipalName: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 256 }),
            displayName: Type.Optional(Name),
            password: Type.Optional(Type.String({ minLength: 8, maxLength: 512 })),
            passwordHash: Type.Optional(Type.String({ pattern: '^scrypt:' })),
            userGroups: Type.Optional(Names),
          },
          strict,
        ),
      ),
    ),
    roles: Type.Optional(
      Type.Array(Type.Object({ name: Name, permissions: Type.Array(oneOf(ROLE_PERMISSIONS)), userGroups: Type.Optional(Names) }, strict)),
    ),
    deviceGroups: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
            name: Name,
            rank: Type.Integer({ minimum: 1, maximum: 10_000 }),
            description: Type.Optional(Type.String({ maxLength: 1024 })),
            rules: Type.Optional(
              Type.Object(
                { names: Type.Optional(RuleValues), domains: Type.Optional(RuleValues), tags: Type.Optional(RuleValues), osPlatforms: Type.Optional(RuleValues) },
                strict,
              ),
            ),
            userGroups: Type.Optional(Names),
          },
          strict,
        ),
      ),
    ),
    limits: Type.Optional(Limits),
    faults: Type.Optional(Type.Array(FaultRuleSchema, { maxItems: 100 })),
    actions: Type.Optional(Actions),
    // The shape only: names, values and filters are checked by validateValueRules (TenantAdmin.apply).
    valueRules: Type.Optional(
      Type.Array(Type.Object({ name: Name, filter: Type.String({ maxLength: 4096 }), deviceValue: Type.String({ maxLength: 64 }) }, strict), { maxItems: 100 }),
    ),
  },
  strict,
);

/** Action timings on their own (the admin API's and the CLI's way to change only them). */
export function validateActionTimings(data: unknown): { ok: true; timings: ActionTimingsSpec } | { ok: false; error: string } {
  return Value.Check(Timings, data) ? { ok: true, timings: data as ActionTimingsSpec } : { ok: false, error: schemaError(data, Timings) };
}

/**
 * Validates a tenant document: its schema, then the keys that must be unique. The error names
 * the first offending field as a JSON pointer.
 */
export function validateTenantDocument(data: unknown): { ok: true; document: TenantDocument } | { ok: false; error: string } {
  if (!Value.Check(TenantDocumentSchema, data)) return { ok: false, error: schemaError(data) };
  const document = data as TenantDocument;
  const problem = firstDuplicate(document) ?? firstBadFault(document);
  return problem ? { ok: false, error: problem } : { ok: true, document };
}

/** Fault rules must also make sense as rules (one action, one trigger, known names): one check for every door. */
function firstBadFault(doc: TenantDocument): string | undefined {
  for (const [index, spec] of (doc.faults ?? []).entries()) {
    const problem = faultRuleProblem(spec, doc.id, 0);
    if (problem !== undefined) return `/faults/${index}${problem.startsWith('/:') ? problem.slice(1) : problem}`;
  }
  return undefined;
}

function schemaError(data: unknown, schema: TSchema = TenantDocumentSchema): string {
  return schemaProblem(schema, data) ?? '/: is not a valid tenant document';
}

/** Client ids, user names, role names, group ids and ranks must each be unique (without case). */
export function firstDuplicate(doc: TenantDocument): string | undefined {
  const keys: [string, string, readonly (string | number)[]][] = [
    ['applications', 'clientId', (doc.applications ?? []).map((a) => a.clientId)],
    ['users', 'userPrincipalName', (doc.users ?? []).map((u) => u.userPrincipalName)],
    ['roles', 'name', (doc.roles ?? []).map((r) => r.name)],
    ['deviceGroups', 'id', (doc.deviceGroups ?? []).map((g) => g.id)],
    ['deviceGroups', 'rank', (doc.deviceGroups ?? []).map((g) => g.rank)],
    ['actions/library', 'name', (doc.actions?.library ?? []).map((f) => f.name)],
  ];
  for (const [list, key, values] of keys) {
    const seen = new Map<string, number>();
    for (const [index, value] of values.entries()) {
      const earlier = seen.get(String(value).toLowerCase());
      if (earlier !== undefined) return `/${list}/${index}/${key}: '${value}' repeats /${list}/${earlier}/${key}`;
      seen.set(String(value).toLowerCase(), index);
    }
  }
  return undefined;
}
