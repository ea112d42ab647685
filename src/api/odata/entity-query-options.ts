import { ApiError } from '../../domain/errors.js';
import { MAX_TOP } from '../../domain/machines/machine-query.js';
import type { EntityFilter, OrderKey } from '../../domain/query-filter.js';
import { entityProperty, parseEntityFilter, type EntityDescription } from './bind-entity-filter.js';
import { parseCount, wholeNumber, type QueryParameters } from './query-options.js';

const odata = (message: string) => new ApiError('ODataError', message);
const OPTIONS = ['$filter', '$top', '$skip', '$orderby', '$count'] as const;
type OptionName = (typeof OPTIONS)[number];

/** The OData options of a listing other than machines' (machine actions, investigations...). */
export interface EntityQuery<P extends string> {
  readonly filter: EntityFilter<P> | null;
  /** Empty: the listing's default order. */
  readonly orderBy: readonly OrderKey<P>[];
  /** Null: page through the result with nextLinks. */
  readonly top: number | null;
  readonly skip: number;
  readonly count: boolean;
}

export interface ListingDescription<P extends string> extends EntityDescription<P> {
  /** The properties `$orderby` may name. */
  readonly orderable: readonly P[];
}

/**
 * `$filter`, `$top` (1..10000), `$skip`, `$orderby` and `$count` of an entity listing, option
 * names without case, as for machines (query-options.ts): an unknown or repeated `$` option is
 * 400 ODataError; parameters without `$` are left alone.
 */
export function parseEntityQuery<P extends string>(parameters: QueryParameters, listing: ListingDescription<P>): EntityQuery<P> {
  const options = new Map<OptionName, string>();
  for (const [name, value] of Object.entries(parameters)) {
    if (!name.startsWith('$') || value === undefined) continue;
    const option = OPTIONS.find((o) => o === name.toLowerCase());
    if (!option) throw odata(`The query parameter '${name.slice(0, 40)}' is not supported.`);
    if (typeof value !== 'string' || options.has(option)) throw odata(`The query parameter '${option}' is specified more than once.`);
    options.set(option, value);
  }
  const filter = options.get('$filter');
  const top = options.get('$top');
  return {
    filter: filter === undefined ? null : parseEntityFilter(filter, listing),
    orderBy: parseOrderBy(options.get('$orderby'), listing),
    top: top === undefined ? null : wholeNumber('$top', top, 1, MAX_TOP),
    skip: wholeNumber('$skip', options.get('$skip') ?? '0', 0, Number.MAX_SAFE_INTEGER),
    count: parseCount(options.get('$count')),
  };
}

function parseOrderBy<P extends string>(text: string | undefined, listing: ListingDescription<P>): OrderKey<P>[] {
  if (text === undefined) return [];
  const keys: OrderKey<P>[] = [];
  for (const item of text.split(',')) {
    const [name = '', direction = 'asc', ...rest] = item.trim().split(/[ \t]+/);
    if (name === '' || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw odata(`The $orderby item '${item.trim().slice(0, 80)}' is not valid: use a property name, optionally followed by asc or desc.`);
    }
    const property = entityProperty(name, listing);
    if (!listing.orderable.includes(property)) throw odata(`The property '${property}' cannot be used in $orderby.`);
    if (!keys.some((k) => k.property === property)) keys.push({ property, descending: direction.toLowerCase() === 'desc' });
  }
  return keys;
}
