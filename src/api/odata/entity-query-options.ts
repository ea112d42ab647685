import { ApiError } from '../../domain/errors.js';
import { MAX_TOP } from '../../domain/machines/machine-query.js';
import type { EntityFilter, OrderKey } from '../../domain/query-filter.js';
import { entityProperty, parseEntityFilter, type EntityDescription } from './bind-entity-filter.js';
import { orderKeys, parseCount, systemOptions, wholeNumber, type QueryParameters } from './query-options.js';

const OPTIONS = ['$filter', '$top', '$skip', '$orderby', '$count'] as const;
const odata = (message: string) => new ApiError('ODataError', message);

/** The OData options of a listing other than machines' (machine actions, investigations, alerts...). */
export interface EntityQuery<P extends string> {
  readonly filter: EntityFilter<P> | null;
  /** Empty: the listing's default order. */
  readonly orderBy: readonly OrderKey<P>[];
  /** Null: page through the result with nextLinks. */
  readonly top: number | null;
  readonly skip: number;
  readonly count: boolean;
  /** `$select`ed keys in the entity's wire order; null: all of them. */
  readonly select: readonly string[] | null;
  /** `$expand`ed navigation properties, by their canonical names. */
  readonly expand: readonly string[];
}

export interface ListingDescription<P extends string> extends EntityDescription<P> {
  /** The properties `$orderby` may name. */
  readonly orderable: readonly P[];
  /** The keys `$select` may name, in wire order; absent: the listing has no `$select`. */
  readonly selectable?: readonly string[];
  /** What `$expand` may name; absent: the listing has no `$expand`. */
  readonly expandable?: readonly string[];
}

/**
 * `$filter`, `$top` (1..10000), `$skip`, `$orderby` and `$count` of an entity listing, read as
 * the machine listing's are (query-options.ts); `$select` and `$expand` where the listing has them.
 */
export function parseEntityQuery<P extends string>(parameters: QueryParameters, listing: ListingDescription<P>): EntityQuery<P> {
  const allowed = [...OPTIONS, ...(listing.selectable ? (['$select'] as const) : []), ...(listing.expandable ? (['$expand'] as const) : [])];
  const options = systemOptions(parameters, allowed);
  const filter = options.get('$filter');
  const top = options.get('$top');
  return {
    filter: filter === undefined ? null : parseEntityFilter(filter, listing),
    orderBy: orderKeys(options.get('$orderby'), (name) => {
      const property = entityProperty(name, listing);
      if (!listing.orderable.includes(property)) throw new ApiError('ODataError', `The property '${property}' cannot be used in $orderby.`);
      return property;
    }),
    top: top === undefined ? null : wholeNumber('$top', top, 1, MAX_TOP),
    skip: wholeNumber('$skip', options.get('$skip') ?? '0', 0, Number.MAX_SAFE_INTEGER),
    count: parseCount(options.get('$count')),
    select: listing.selectable ? parseNames(options.get('$select'), listing.selectable, listing.name, '$select', true) : null,
    expand: listing.expandable ? (parseNames(options.get('$expand'), listing.expandable, listing.name, '$expand', false) ?? []) : [],
  };
}

/** A comma-separated list of names matched without case, in the listing's order; `*` selects all. */
function parseNames(text: string | undefined, known: readonly string[], entity: string, option: string, star: boolean): string[] | null {
  if (text === undefined) return null;
  const names = text.split(',').map((n) => n.trim());
  if (star && names.includes('*')) return null;
  const chosen = new Set<string>();
  for (const name of names) {
    const found = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!found) throw odata(name === '' ? `The ${option} query option has an empty property name.` : `Could not find a property named '${name.slice(0, 80)}' on type '${entity}'.`);
    chosen.add(found);
  }
  return known.filter((k) => chosen.has(k));
}
