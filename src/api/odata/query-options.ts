import { ApiError } from '../../domain/errors.js';
import { MACHINE_PROPERTIES } from '../../domain/machines/machine.js';
import { MAX_TOP, type MachinePropertyName, type MachineQuery, type OrderKey } from '../../domain/machines/machine-query.js';
import { parseFilter, scalarProperty } from './bind-filter.js';

const odata = (message: string) => new ApiError('ODataError', message);
const OPTIONS = ['$filter', '$top', '$skip', '$select', '$orderby', '$count'] as const;
const BY_LOWER = new Map(MACHINE_PROPERTIES.map((p) => [p.toLowerCase(), p]));

/** A parsed query string: Fastify's (percent-decoded, `+` as space, repeated names as arrays). */
export type QueryParameters = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The OData system query options of `GET /api/machines` -> a MachineQuery. Option names match
 * without case; an unknown `$` option, a repeated one or a bad value is 400 ODataError.
 * Parameters without `$` are not OData's and are left alone (clients add `api-version` and such).
 */
export function parseMachineQuery(parameters: QueryParameters): MachineQuery {
  const options = systemOptions(parameters, OPTIONS);
  const filter = options.get('$filter');
  const top = options.get('$top');
  return {
    filter: filter === undefined ? null : parseFilter(filter),
    orderBy: parseOrderBy(options.get('$orderby')),
    select: parseSelect(options.get('$select')),
    top: top === undefined ? null : wholeNumber('$top', top, 1, MAX_TOP),
    skip: wholeNumber('$skip', options.get('$skip') ?? '0', 0, Number.MAX_SAFE_INTEGER),
    count: parseCount(options.get('$count')),
  };
}

export function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d{1,16}$/.test(text) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
    throw odata(`The value '${text.slice(0, 40)}' is not valid for ${option}: it must be ${range}.`);
  }
  return n;
}

export function parseCount(text: string | undefined): boolean {
  if (text === undefined || /^false$/i.test(text)) return false;
  if (/^true$/i.test(text)) return true;
  throw odata(`The value '${text.slice(0, 40)}' is not valid for $count: it must be true or false.`);
}

/** `$select=id,deviceValue`: any Machine property; `*` is all of them. The wire order is kept. */
function parseSelect(text: string | undefined): MachinePropertyName[] | null {
  if (text === undefined) return null;
  const names = text.split(',').map((n) => n.trim());
  if (names.includes('*')) return null;
  const chosen = new Set<MachinePropertyName>();
  for (const name of names) {
    const property = BY_LOWER.get(name.toLowerCase());
    if (!property) throw odata(name === '' ? 'The $select query option has an empty property name.' : `Could not find a property named '${name.slice(0, 80)}' on type 'Machine'.`);
    chosen.add(property);
  }
  return MACHINE_PROPERTIES.filter((p) => chosen.has(p));
}

/** `$orderby=lastSeen desc, computerDnsName`: the filterable scalar properties, asc or desc. */
const parseOrderBy = (text: string | undefined): OrderKey[] => orderKeys(text, (name) => scalarProperty(name, '$orderby'));

/**
 * The `$` options of a query string, by canonical name: names match without case; an unknown
 * `$` option or a repeated one is 400 ODataError. Parameters without `$` are not OData's and are
 * left alone (clients add `api-version` and such).
 */
export function systemOptions<O extends string>(parameters: QueryParameters, allowed: readonly O[]): Map<O, string> {
  const options = new Map<O, string>();
  for (const [name, value] of Object.entries(parameters)) {
    if (!name.startsWith('$') || value === undefined) continue;
    const option = allowed.find((o) => o === name.toLowerCase());
    // COMPAT: option names match without case (OData 4.01); see docs/compat.md.
    if (!option) throw odata(`The query parameter '${name.slice(0, 40)}' is not supported.`);
    if (typeof value !== 'string' || options.has(option)) throw odata(`The query parameter '${option}' is specified more than once.`);
    options.set(option, value);
  }
  return options;
}

/** `$orderby` items, each a property (as `property` resolves it) and asc or desc; a repeated property counts once. */
export function orderKeys<P>(text: string | undefined, property: (name: string) => P): { property: P; descending: boolean }[] {
  if (text === undefined) return [];
  const keys: { property: P; descending: boolean }[] = [];
  for (const item of text.split(',')) {
    const [name = '', direction = 'asc', ...rest] = item.trim().split(/[ \t]+/);
    if (name === '' || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw odata(`The $orderby item '${item.trim().slice(0, 80)}' is not valid: use a property name, optionally followed by asc or desc.`);
    }
    const resolved = property(name);
    if (!keys.some((k) => k.property === resolved)) keys.push({ property: resolved, descending: direction.toLowerCase() === 'desc' });
  }
  return keys;
}
