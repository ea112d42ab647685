import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The first problem of a document against a JSON Schema, as one line a person can act on: the
 * JSON pointer of the field, and for a misspelt key or an unknown name, the allowed ones. Tenant
 * files, the admin API and the CLI all report through here, so they say the same thing.
 */
export function schemaProblem(schema: TSchema, data: unknown): string | undefined {
  const errors = [...Value.Errors(schema, data)];
  if (errors.length === 0) return undefined;
  // The deepest path is the most specific; union failures report each branch at the same depth.
  const depth = Math.max(...errors.map((e) => e.instancePath.length));
  const deepest = errors.filter((e) => e.instancePath.length === depth);
  const first = deepest.find((e) => e.keyword === 'anyOf') ?? deepest[0];
  if (!first) return '/: is not valid';
  const path = first.instancePath || '/';
  // A property the schema does not know fails `additionalProperties: false` as "schema is false".
  if (first.keyword === 'boolean' && first.schemaPath.endsWith('/additionalProperties')) {
    const name = path.split('/').pop() ?? '';
    return `${path}: unknown property '${unescape(name)}'${allowed(keysAt(schema, first.schemaPath.slice(0, -'/additionalProperties'.length)))}`;
  }
  const extra = (first.params as { additionalProperties?: string[] }).additionalProperties?.[0];
  if (extra !== undefined) return `${path === '/' ? '' : path}/${extra}: unknown property '${extra}'${allowed(keysAt(schema, first.schemaPath))}`;
  if (first.keyword === 'anyOf') {
    const values = constantsAt(schema, first.schemaPath);
    if (values) return `${path}: ${JSON.stringify(valueAt(data, first.instancePath))} is not one of ${values.join(', ')}`;
  }
  return `${path}: ${first.message}`;
}

const allowed = (keys: readonly string[]): string => (keys.length === 0 ? '' : ` (allowed: ${keys.join(', ')})`);

/** The schema a `#/a/b` pointer names. */
function schemaAt(schema: TSchema, pointer: string): unknown {
  let node: unknown = schema;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[unescape(part)];
  }
  return node;
}

const keysAt = (schema: TSchema, pointer: string): string[] =>
  Object.keys(((schemaAt(schema, pointer) as { properties?: object } | undefined)?.properties ?? {}));

/** The allowed values when the schema is a union of constants (an enumeration), else undefined. */
function constantsAt(schema: TSchema, pointer: string): string[] | undefined {
  const branches = (schemaAt(schema, pointer) as { anyOf?: { const?: unknown }[] } | undefined)?.anyOf;
  if (!branches || !branches.every((b) => b.const !== undefined)) return undefined;
  return branches.map((b) => String(b.const));
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const part of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[unescape(part)];
  return node;
}

const unescape = (part: string): string => part.replace(/~1/g, '/').replace(/~0/g, '~');
