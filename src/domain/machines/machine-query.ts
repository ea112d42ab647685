import { DEVICE_VALUES } from './device-value.js';
import { EXPOSURE_LEVELS, HEALTH_STATUSES, ONBOARDING_STATUSES, RISK_SCORES, type Machine } from './machine.js';
import type { ResponseState } from '../actions/action-effects.js';
import { normalizeValue, type Comparison, type InList, type Junction, type Negation, type OrderKey as GenericOrderKey, type PropertyInfo, type StartsWith } from '../query-filter.js';

export type { Comparison, ComparisonOperator, InList, Junction, Literal, Negation, PropertyInfo, StartsWith, ValueType } from '../query-filter.js';

/**
 * The MachineQuery tree: what `GET /api/machines` asks for, in domain terms. The OData parser
 * (src/api/odata) produces it, the store compiles it to SQL (src/store/query-compiler.ts), and the
 * tests evaluate it in memory; nothing in it knows about URLs or SQL.
 */

/** Largest `$top` (spec section 5) and the most any collection answer holds. */
export const MAX_TOP = 10_000;
export const DEFAULT_PAGE_SIZE = 10_000;

/**
 * The filterable scalar properties: every scalar of the Machine entity (issue 12: real clients
 * filter `isExcluded eq false`, `osVersion ne null`...; the spec's shorter list of section 5 is
 * what the reference documents). `machineTags` is reached through `any()`; `ipAddresses` and
 * `vmMetadata` are not scalars.
 */
export const SCALAR_PROPERTIES = {
  id: { type: 'string', nullable: false, caseInsensitive: true },
  computerDnsName: { type: 'string', nullable: false, caseInsensitive: true },
  version: { type: 'string', nullable: false },
  deviceValue: { type: 'string', nullable: false, members: DEVICE_VALUES },
  aadDeviceId: { type: 'string', nullable: true, caseInsensitive: true },
  lastSeen: { type: 'timestamp', nullable: false },
  exposureLevel: { type: 'string', nullable: true, members: EXPOSURE_LEVELS },
  onboardingStatus: { type: 'string', nullable: false, members: ONBOARDING_STATUSES },
  lastIpAddress: { type: 'string', nullable: false },
  healthStatus: { type: 'string', nullable: false, members: HEALTH_STATUSES },
  osPlatform: { type: 'string', nullable: false },
  riskScore: { type: 'string', nullable: true, members: RISK_SCORES },
  rbacGroupId: { type: 'integer', nullable: false },
  mergedIntoMachineId: { type: 'string', nullable: true },
  isPotentialDuplication: { type: 'boolean', nullable: false },
  isExcluded: { type: 'boolean', nullable: false },
  exclusionReason: { type: 'string', nullable: true },
  firstSeen: { type: 'timestamp', nullable: false },
  osVersion: { type: 'string', nullable: true },
  osProcessor: { type: 'string', nullable: false },
  lastExternalIpAddress: { type: 'string', nullable: false },
  agentVersion: { type: 'string', nullable: false },
  osBuild: { type: 'integer', nullable: true },
  rbacGroupName: { type: 'string', nullable: true },
  isAadJoined: { type: 'boolean', nullable: false },
  defenderAvStatus: { type: 'string', nullable: false },
  osArchitecture: { type: 'string', nullable: false },
  managedBy: { type: 'string', nullable: false },
  managedByStatus: { type: 'string', nullable: false },
} as const satisfies Record<string, PropertyInfo>;

export type ScalarProperty = keyof typeof SCALAR_PROPERTIES;
export const TAGS_PROPERTY = 'machineTags';

/** `tag` stands for the lambda variable of `machineTags/any(t: ...)`. */
export type TagProperty = 'tag';

/** `machineTags/any(t: predicate)`; a null predicate is `any()`: at least one tag. */
export interface AnyTag {
  readonly kind: 'anyTag';
  readonly predicate: TagFilter | null;
}

/**
 * Rampart's own view of a device, not a Machine property: its isolation or restriction state as
 * the last succeeded action of the family left it (spec section 3, "Effects"). The console's
 * inventory filters on it; the OData binder never produces it, since the real entity has no such field.
 */
export interface ResponseStateIs {
  readonly kind: 'responseState';
  readonly family: ResponseState['family'];
  readonly state: string;
}

export type TagFilter = Comparison<TagProperty> | InList<TagProperty> | StartsWith<TagProperty> | Junction<TagFilter> | Negation<TagFilter>;
export type MachineFilter =
  | Comparison<ScalarProperty>
  | InList<ScalarProperty>
  | StartsWith<ScalarProperty>
  | AnyTag
  | ResponseStateIs
  | Junction<MachineFilter>
  | Negation<MachineFilter>;

export type OrderKey = GenericOrderKey<ScalarProperty>;

export type MachinePropertyName = keyof Machine;

export interface MachineQuery {
  readonly filter: MachineFilter | null;
  /** Without `id`, the store appends `id` ascending so the order is stable. */
  readonly orderBy: readonly OrderKey[];
  /** Null: every property. */
  readonly select: readonly MachinePropertyName[] | null;
  /** Null: page through the result with nextLinks. */
  readonly top: number | null;
  readonly skip: number;
  readonly count: boolean;
}

/** One page of a query, as the store runs it. */
export interface MachinePage {
  readonly filter: MachineFilter | null;
  readonly orderBy: readonly OrderKey[];
  readonly skip: number;
  readonly limit: number;
  /**
   * Keyset paging: the page starts after the machine whose `orderBy` values these are, one per
   * key, none null, every key in the same direction (the store compares them as one row value,
   * which an index answers without reading the machines before it).
   */
  readonly after?: readonly (string | number)[];
  /**
   * Only look among the next `window.size` visible machines of the order (after `after`) that
   * match `window.filter`, read from the order's index, and keep those matching `filter`: a page
   * in time bounded by the window however the planner would rank the filter's own index. Fewer
   * than `limit` rows can then mean "not in this window". Without `skip`.
   */
  readonly window?: { readonly size: number; readonly filter: MachineFilter | null };
}

/** A literal in the form stored values have (see normalizeValue); tags compare exactly. */
export function normalizeLiteral(property: ScalarProperty | TagProperty, value: string, forEquality: boolean): string {
  return property === 'tag' ? value : normalizeValue(SCALAR_PROPERTIES[property], value, forEquality);
}
