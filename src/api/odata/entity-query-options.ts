import { ApiError } from '../../domain/errors.js';
import { MAX_TOP } from '../../domain/machines/machine-query.js';
import type { EntityFilter, OrderKey } from '../../domain/query-filter.js';
import { entityProperty, parseEntityFilter, type EntityDescription } from './bind-entity-filter.js';
import { orderKeys, parseCount, systemOptions, wholeNumber, type QueryParameters } from './query-options.js';

const OPTIONS = ['$filter', '$top', '$skip', '$orderby', '$count'] as const;

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
 * `$filter`, `$top` (1..10000), `$skip`, `$orderby` and `$count` of an entity listing, read as
 * the machine listing's are (query-options.ts).
 */
export function parseEntityQuery<P extends string>(parameters: QueryParameters, listing: ListingDescription<P>): EntityQuery<P> {
  const options = systemOptions(parameters, OPTIONS);
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
  };
}
