import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { APP_PERMISSIONS, DELEGATED_PERMISSIONS, ROLE_PERMISSIONS } from './permissions.js';
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
  },
  strict,
);

/**
 * Validates a tenant document: its schema, then the keys that must be unique. The error names
 * the first offending field as a JSON pointer.
 */
export function validateTenantDocument(data: unknown): { ok: true; document: TenantDocument } | { ok: false; error: string } {
  if (!Value.Check(TenantDocumentSchema, data)) return { ok: false, error: schemaError(data) };
  const document = data as TenantDocument;
  const duplicate = firstDuplicate(document);
  return duplicate ? { ok: false, error: duplicate } : { ok: true, document };
}

function schemaError(data: unknown): string {
  const errors = [...Value.Errors(TenantDocumentSchema, data)];
  // Prefer the most specific error (deepest path); union failures report each branch otherwise.
  const first = errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!first) return '/: is not a valid tenant document';
  const path = first.instancePath || '/';
  // A property the schema does not know fails `additionalProperties: false` as "schema is false".
  if (first.keyword === 'boolean' && first.schemaPath.endsWith('additionalProperties')) {
    return `${path}: unknown property '${path.split('/').pop() ?? ''}'`;
  }
  const extra = (first.params as { additionalProperties?: string[] }).additionalProperties;
  return extra ? `${path}/${extra[0]}: unknown property '${extra[0]}'` : `${path}: ${first.message}`;
}

/** Client ids, user names, role names, group ids and ranks must each be unique (without case). */
export function firstDuplicate(doc: TenantDocument): string | undefined {
  const keys: [string, string, readonly (string | number)[]][] = [
    ['applications', 'clientId', (doc.applications ?? []).map((a) => a.clientId)],
    ['users', 'userPrincipalName', (doc.users ?? []).map((u) => u.userPrincipalName)],
    ['roles', 'name', (doc.roles ?? []).map((r) => r.name)],
    ['deviceGroups', 'id', (doc.deviceGroups ?? []).map((g) => g.id)],
    ['deviceGroups', 'rank', (doc.deviceGroups ?? []).map((g) => g.rank)],
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
