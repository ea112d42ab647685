/**
 * The shape of an OData `$filter` in domain terms, shared by every entity the API lists
 * (machines, machine actions, alerts): comparisons, `in` lists and prefixes on an entity's
 * properties, joined by `and`/`or` and negated by `not`. The OData binder produces it from an
 * entity's property table; the store compiles it to SQL; tests evaluate it in memory.
 */
export type ValueType = 'string' | 'integer' | 'timestamp' | 'boolean';

export interface PropertyInfo {
  readonly type: ValueType;
  readonly nullable: boolean;
  /** Names and identifiers the service treats without case: values compare lower-cased. */
  readonly caseInsensitive?: true;
  /** A closed set of values: a literal in another case is read as the canonical member. */
  readonly members?: readonly string[];
}

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
/** Strings (timestamps in the stored fixed-width form), whole numbers, booleans, or null. */
export type Literal = string | number | boolean | null;

export interface Comparison<P> {
  readonly kind: 'compare';
  readonly property: P;
  readonly op: ComparisonOperator;
  readonly value: Literal;
}
export interface InList<P> {
  readonly kind: 'in';
  readonly property: P;
  /** Never empty, never null. */
  readonly values: readonly (string | number | boolean)[];
}
export interface StartsWith<P> {
  readonly kind: 'startsWith';
  readonly property: P;
  readonly prefix: string;
}
export interface Junction<F> {
  readonly kind: 'and' | 'or';
  readonly left: F;
  readonly right: F;
}
export interface Negation<F> {
  readonly kind: 'not';
  readonly operand: F;
}

/** A filter over the scalar properties `P` of one entity. */
export type EntityFilter<P> = Comparison<P> | InList<P> | StartsWith<P> | Junction<EntityFilter<P>> | Negation<EntityFilter<P>>;

/** One key of `$orderby`. */
export interface OrderKey<P> {
  readonly property: P;
  readonly descending: boolean;
}

/**
 * A literal in the form stored values have: lower case for case-insensitive properties, the
 * canonical member of a closed set (`'active'` -> `'Active'`) for comparisons of equality.
 */
export function normalizeValue(info: PropertyInfo, value: string, forEquality: boolean): string {
  // COMPAT: values of names and ids compare without case, enum values in any case (docs/compat.md).
  if (info.caseInsensitive) return value.toLowerCase();
  if (forEquality && info.members) {
    const lower = value.toLowerCase();
    return info.members.find((m) => m.toLowerCase() === lower) ?? value;
  }
  return value;
}
