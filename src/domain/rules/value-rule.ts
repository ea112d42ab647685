import { ApiError, invalidInput } from '../errors.js';
import { describeValue, parseDeviceValue, type DeviceValue } from '../machines/device-value.js';
import type { MachineFilter } from '../machines/machine-query.js';

/** A value rule as written (tenant files, the admin API, the CLI): a listing `$filter` and the value it gives. */
export interface ValueRuleSpec {
  readonly name: string;
  readonly filter: string;
  readonly deviceValue: DeviceValue;
}

/** A stored rule: `appliedAt` is when the last run that finished this rule started (null: never applied). */
export interface ValueRule extends ValueRuleSpec {
  readonly appliedAt: string | null;
}

/**
 * The listing's `$filter` parser (src/api/odata), given to the domain by the composition root so
 * a rule's filter is read by exactly the grammar `GET /api/machines` reads, without the domain
 * importing the HTTP layer. It throws ApiError('ODataError') naming the problem.
 */
export type FilterParser = (text: string) => MachineFilter;

export const MAX_VALUE_RULES = 100;
const MAX_FILTER_LENGTH = 4096;
const RULE_KEYS = new Set(['name', 'filter', 'deviceValue']);

/**
 * The one validator of a rule list, behind every door (tenant files, PUT tenant, PUT value-rules,
 * the CLI): shape, unique names (without case), a device value, and a filter the listing accepts.
 * A refusal names the rule by position and name and carries the OData error as it would be given.
 */
export function validateValueRules(data: unknown, parse: FilterParser): ValueRuleSpec[] {
  if (!Array.isArray(data)) throw invalidInput(`value rules: expected a list of rules, got ${describeValue(data)}`);
  if (data.length > MAX_VALUE_RULES) throw invalidInput(`value rules: at most ${MAX_VALUE_RULES} rules, got ${data.length}`);
  const seen = new Map<string, number>();
  return data.map((item: unknown, index): ValueRuleSpec => {
    const at = `value rule ${index}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidInput(`${at}: expected an object with name, filter and deviceValue`);
    const record = item as Record<string, unknown>;
    const unknown = Object.keys(record).find((key) => !RULE_KEYS.has(key));
    if (unknown !== undefined) throw invalidInput(`${at}: unknown property '${unknown.slice(0, 64)}'`);
    const { name, filter } = record;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256) throw invalidInput(`${at}: name must be a text of 1 to 256 characters`);
    const named = `${at} '${name}'`;
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) throw invalidInput(`${named}: the name repeats value rule ${earlier}`);
    seen.set(name.toLowerCase(), index);
    if (typeof filter !== 'string' || filter.length > MAX_FILTER_LENGTH) throw invalidInput(`${named}: filter must be a $filter text of at most ${MAX_FILTER_LENGTH} characters`);
    let parsed: MachineFilter;
    try {
      parsed = parse(filter);
    } catch (error) {
      if (error instanceof ApiError) throw invalidInput(`${named}: filter is not valid: ${error.code}: ${error.message}`);
      throw error;
    }
    // A rule that looked at the value it sets would match again after applying (or match a later
    // rule instead): apply would not be "make it so", and preview would not say what apply does.
    if (readsDeviceValue(parsed)) throw invalidInput(`${named}: filter may not use deviceValue, the property the rule sets`);
    return { name, filter, deviceValue: parseDeviceValue(record.deviceValue, `${named} deviceValue`) };
  });
}

function readsDeviceValue(filter: MachineFilter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return readsDeviceValue(filter.left) || readsDeviceValue(filter.right);
    case 'not':
      return readsDeviceValue(filter.operand);
    case 'compare':
    case 'in':
    case 'startsWith':
      return filter.property === 'deviceValue';
    default:
      return false;
  }
}

/**
 * The devices rule `index` decides: the first rule (in order) whose filter matches a device
 * decides its value, so rule `index` takes the devices its filter matches and no earlier rule's
 * does. Those among them that do not have the rule's value yet are what it changes.
 */
export function changesFilter(filters: readonly MachineFilter[], values: readonly DeviceValue[], index: number): MachineFilter {
  const own = filters[index];
  const value = values[index];
  if (own === undefined || value === undefined) throw new RangeError(`no value rule ${index}`);
  const earlier = filters.slice(0, index).reduce<MachineFilter | null>((all, f) => (all === null ? f : { kind: 'or', left: all, right: f }), null);
  const decided: MachineFilter = earlier === null ? own : { kind: 'and', left: own, right: { kind: 'not', operand: earlier } };
  return { kind: 'and', left: decided, right: { kind: 'compare', property: 'deviceValue', op: 'ne', value } };
}

/** Two rule lists say the same thing (a run started for one may be continued for the other). */
export const sameRules = (a: readonly ValueRuleSpec[], b: readonly ValueRuleSpec[]): boolean =>
  a.length === b.length && a.every((r, i) => r.name === b[i]?.name && r.filter === b[i]?.filter && r.deviceValue === b[i]?.deviceValue);
