import { DEVICE_VALUES, type DeviceValue } from '../domain/machines/device-value.js';
import { EXPOSURE_LEVELS, HEALTH_STATUSES, RISK_SCORES } from '../domain/machines/machine.js';
import { invalidInput } from '../domain/errors.js';
import type { MachineFilter, ScalarProperty } from '../domain/machines/machine-query.js';

/**
 * The inventory page's state, all of it in the query string so a view can be bookmarked and
 * shared: `?q=web&value=High&health=Active&sort=lastSeen&dir=desc&after=<machine id>`. A page is
 * where it starts, not a number: after (or before) a machine, or the last page. A facet may repeat
 * (`value=High&value=Low`). Values the page does not know are dropped rather than refused, so an
 * old or hand-edited link still opens (isolation's excepted: see isolationFacet). The form fields
 * become a MachineQuery filter directly, never an OData string.
 */
export const SORT_KEYS = {
  name: 'computerDnsName',
  lastSeen: 'lastSeen',
  value: 'deviceValue',
  health: 'healthStatus',
  risk: 'riskScore',
  exposure: 'exposureLevel',
} as const satisfies Record<string, ScalarProperty>;
export type SortKey = keyof typeof SORT_KEYS;

/** Device values in the order people read them, lowest first (the domain lists Normal first, the default). */
export const VALUE_ORDER: readonly DeviceValue[] = ['Low', 'Normal', 'High'];

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

export interface InventoryView {
  /** Device name prefix, lower case (names compare without case). */
  readonly q: string;
  readonly values: readonly DeviceValue[];
  readonly health: readonly string[];
  readonly os: readonly string[];
  readonly risk: readonly string[];
  readonly exposure: readonly string[];
  readonly groups: readonly number[];
  /** Exact tag (tags are case-sensitive, as in findbytag). */
  readonly tag: string;
  /** Isolated or not, as the device's last succeeded isolation action left it; '' for any. */
  readonly isolation: IsolationFacet;
  readonly sort: SortKey;
  readonly dir: 'asc' | 'desc';
  /** Keyset paging: the page starts after this machine, or ends before it, or is the last one. */
  readonly after: string;
  readonly before: string;
  readonly last: boolean;
  readonly size: number;
}

/** The isolation facet's values: a device no isolation reached is Not isolated. */
export const ISOLATION_FACETS = ['Isolated', 'NotIsolated'] as const;
export type IsolationFacet = (typeof ISOLATION_FACETS)[number] | '';

/** Where a page starts: no field set is the first page. */
export const FIRST_PAGE = { after: '', before: '', last: false } as const;

type Query = Readonly<Record<string, unknown>>;

const all = (query: Query, name: string): string[] => {
  const raw = query[name];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '' && v.length <= 256);
};
const first = (query: Query, name: string): string => all(query, name)[0] ?? '';
const unique = <T>(items: T[]): T[] => [...new Set(items)];

/** Canonical members of a closed set, matched without case. */
const members = <T extends string>(allowed: readonly T[], given: string[]): T[] =>
  unique(given.map((g) => allowed.find((a) => a.toLowerCase() === g.toLowerCase())).filter((m): m is T => m !== undefined));

export function parseInventoryView(query: Query): InventoryView {
  const sort = first(query, 'sort');
  const size = Number(first(query, 'size'));
  const machineId = (name: string): string => (/^[0-9a-f]{40}$/i.test(first(query, name)) ? first(query, name).toLowerCase() : '');
  const after = machineId('after');
  const before = after === '' ? machineId('before') : '';
  return {
    q: first(query, 'q').toLowerCase(),
    values: members(DEVICE_VALUES, all(query, 'value')),
    health: members(HEALTH_STATUSES, all(query, 'health')),
    os: unique(all(query, 'os').filter((o) => /^[A-Za-z0-9 ._-]{1,64}$/.test(o))),
    risk: members(RISK_SCORES, all(query, 'risk')),
    exposure: members(EXPOSURE_LEVELS, all(query, 'exposure')),
    groups: unique(all(query, 'group').filter((g) => /^\d{1,9}$/.test(g)).map(Number)),
    tag: first(query, 'tag').slice(0, 200),
    isolation: isolationFacet(query),
    sort: sort in SORT_KEYS ? (sort as SortKey) : 'name',
    dir: first(query, 'dir') === 'desc' ? 'desc' : 'asc',
    after,
    before,
    last: after === '' && before === '' && first(query, 'last') === '1',
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
}

/**
 * Unlike the other facets, an unknown isolation value is refused, not dropped: showing every
 * device under a link that says "isolated" would read as if they all were. Both values is any.
 */
function isolationFacet(query: Query): IsolationFacet {
  const raw = query.isolation;
  const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => (typeof v === 'string' ? v.trim() : '?')).filter((v) => v !== '');
  const known = members(ISOLATION_FACETS, given);
  const unknown = given.filter((g) => !ISOLATION_FACETS.some((f) => f.toLowerCase() === g.toLowerCase()));
  if (unknown.length > 0) {
    throw invalidInput(`The isolation filter must be ${ISOLATION_FACETS.join(' or ')}, not "${(unknown[0] as string).slice(0, 100)}".`);
  }
  return known.length === 1 ? (known[0] as IsolationFacet) : '';
}

const ISOLATED: MachineFilter = { kind: 'responseState', family: 'isolation', state: 'Isolated' };

function inList(property: ScalarProperty, values: readonly (string | number)[]): MachineFilter | null {
  if (values.length === 0) return null;
  if (values.length === 1) return { kind: 'compare', property, op: 'eq', value: values[0] as string | number };
  return { kind: 'in', property, values };
}

/** AND of the given conditions, null when there are none. */
export function allOf(conditions: readonly (MachineFilter | null)[]): MachineFilter | null {
  return conditions.reduce<MachineFilter | null>((left, right) => (right === null ? left : left === null ? right : { kind: 'and', left, right }), null);
}

/** The view's filter; without the value facet, it is what the per-value counts are taken over. */
export function inventoryFilter(view: InventoryView, options: { withValue: boolean } = { withValue: true }): MachineFilter | null {
  return allOf([
    view.q === '' ? null : { kind: 'startsWith', property: 'computerDnsName', prefix: view.q },
    options.withValue ? inList('deviceValue', view.values) : null,
    inList('healthStatus', view.health),
    inList('osPlatform', view.os),
    inList('riskScore', view.risk),
    inList('exposureLevel', view.exposure),
    inList('rbacGroupId', view.groups),
    view.tag === '' ? null : { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: view.tag } },
    view.isolation === '' ? null : view.isolation === 'Isolated' ? ISOLATED : { kind: 'not', operand: ISOLATED },
  ]);
}

/** The query string of the view with some fields changed; defaults are left out so links stay short. */
export function viewQuery(view: InventoryView, changes: Partial<InventoryView> = {}): string {
  const v = { ...view, ...changes };
  const params = new URLSearchParams();
  if (v.q) params.append('q', v.q);
  for (const x of v.values) params.append('value', x);
  for (const x of v.health) params.append('health', x);
  for (const x of v.os) params.append('os', x);
  for (const x of v.risk) params.append('risk', x);
  for (const x of v.exposure) params.append('exposure', x);
  for (const x of v.groups) params.append('group', String(x));
  if (v.tag) params.append('tag', v.tag);
  if (v.isolation) params.append('isolation', v.isolation);
  if (v.sort !== 'name') params.append('sort', v.sort);
  if (v.dir !== 'asc') params.append('dir', v.dir);
  if (v.size !== DEFAULT_PAGE_SIZE) params.append('size', String(v.size));
  if (v.after) params.append('after', v.after);
  else if (v.before) params.append('before', v.before);
  else if (v.last) params.append('last', '1');
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Clicking the sorted column turns its direction; another column starts ascending. */
export const sortLink = (view: InventoryView, key: SortKey): string =>
  viewQuery(view, { sort: key, dir: view.sort === key && view.dir === 'asc' ? 'desc' : 'asc', ...FIRST_PAGE });
