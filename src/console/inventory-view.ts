import type { DeviceValue } from '../domain/machines/device-value.js';
import { EXPOSURE_LEVELS, HEALTH_STATUSES, RISK_SCORES } from '../domain/machines/machine.js';
import { invalidInput } from '../domain/errors.js';
import type { MachineFilter, ScalarProperty } from '../domain/machines/machine-query.js';

/**
 * The inventory page's state, all of it in the query string so a view can be bookmarked and
 * shared: `?q=web&value=High&health=Active&sort=lastSeen&dir=desc&after=<machine id>`. A page is
 * where it starts, not a number: after (or before) a machine, or the last page. A facet may repeat
 * (`value=High&value=Low`). A value the page does not know is refused (400, naming the parameter
 * and what it accepts), never dropped: a dropped filter shows more than the link says. The form
 * fields become a MachineQuery filter directly, never an OData string.
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

/** How long a single field may be; a longer one is refused, not cut. */
const LONGEST = 256;

/** The non-empty values of a field ("Any" in a form is the empty value). */
const all = (query: Query, name: string): string[] => {
  const raw = query[name];
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => (typeof v === 'string' ? v.trim() : '?'));
  const long = list.find((v) => v.length > LONGEST);
  if (long !== undefined) throw invalidInput(`The ${name} parameter is longer than ${LONGEST} characters.`);
  return list.filter((v) => v !== '');
};
const unique = <T>(items: T[]): T[] => [...new Set(items)];
const quoted = (text: string): string => `"${text.slice(0, 100)}"`;

/**
 * Canonical members of a closed set, matched without case. A value outside the set is refused
 * with a message naming the parameter and what it accepts: a view that silently dropped
 * `value=Huge` would show every device under a link that says otherwise.
 */
function members<T extends string | number>(name: string, allowed: readonly T[], given: string[]): T[] {
  return unique(
    given.map((g) => {
      const found = allowed.find((a) => String(a).toLowerCase() === g.toLowerCase());
      if (found === undefined) throw invalidInput(`The ${name} parameter must be ${oneOf(allowed)}, not ${quoted(g)}.`);
      return found;
    }),
  );
}

const oneOf = (allowed: readonly (string | number)[]): string =>
  allowed.length === 1 ? String(allowed[0]) : `${allowed.slice(0, -1).join(', ')} or ${String(allowed.at(-1))}`;

/** Every value of a field must have a shape; the first that has not is refused, naming the shape. */
function shaped(query: Query, name: string, shape: RegExp, described: string): string[] {
  const given = all(query, name);
  const bad = given.find((g) => !shape.test(g));
  if (bad !== undefined) throw invalidInput(`The ${name} parameter must be ${described}, not ${quoted(bad)}.`);
  return unique(given);
}

/** One value at most: a repeated single-valued field is ambiguous. */
function single(query: Query, name: string): string {
  const given = all(query, name);
  if (given.length > 1) throw invalidInput(`The ${name} parameter may be given once.`);
  return given[0] ?? '';
}

const MACHINE_ID = /^[0-9a-f]{40}$/i;

export function parseInventoryView(query: Query): InventoryView {
  const sort = single(query, 'sort');
  const size = single(query, 'size');
  const cursor = (name: string): string => {
    const value = single(query, name);
    if (value !== '' && !MACHINE_ID.test(value)) throw invalidInput(`The ${name} parameter must be a machine id (40 hexadecimal characters), not ${quoted(value)}.`);
    return value.toLowerCase();
  };
  const after = cursor('after');
  const before = cursor('before');
  const last = single(query, 'last');
  if (last !== '' && last !== '1') throw invalidInput(`The last parameter must be 1, not ${quoted(last)}.`);
  if ([after, before, last].filter((v) => v !== '').length > 1) throw invalidInput('Only one of the after, before and last parameters may be given.');
  const dir = single(query, 'dir');
  return {
    q: single(query, 'q').toLowerCase(),
    values: members('value', VALUE_ORDER, all(query, 'value')),
    health: members('health', HEALTH_STATUSES, all(query, 'health')),
    // Platforms are open-ended (a new one still filters), but only names, never markup.
    os: shaped(query, 'os', /^[A-Za-z0-9 ._-]{1,64}$/, 'an OS platform name (letters, digits, space, dot, underscore or hyphen; up to 64)'),
    risk: members('risk', RISK_SCORES, all(query, 'risk')),
    exposure: members('exposure', EXPOSURE_LEVELS, all(query, 'exposure')),
    groups: shaped(query, 'group', /^\d{1,9}$/, 'a device group id (a number)').map(Number).filter((g, i, list) => list.indexOf(g) === i),
    tag: single(query, 'tag').slice(0, 200),
    isolation: isolationFacet(query),
    sort: sort === '' ? 'name' : members('sort', Object.keys(SORT_KEYS) as SortKey[], [sort])[0] ?? 'name',
    dir: dir === '' ? 'asc' : (members('dir', ['asc', 'desc'] as const, [dir])[0] ?? 'asc'),
    after,
    before,
    last: last === '1',
    size: size === '' ? DEFAULT_PAGE_SIZE : (members('size', PAGE_SIZES, [size])[0] ?? DEFAULT_PAGE_SIZE),
  };
}

/** Both isolation values is any, as if none was chosen. */
function isolationFacet(query: Query): IsolationFacet {
  const known = members('isolation', ISOLATION_FACETS, all(query, 'isolation'));
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
