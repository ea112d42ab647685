import fc from 'fast-check';
import { DEVICE_VALUES } from '../../src/domain/machines/device-value.js';
import { EXPOSURE_LEVELS, HEALTH_STATUSES, ONBOARDING_STATUSES, RISK_SCORES, type Machine } from '../../src/domain/machines/machine.js';
import {
  SCALAR_PROPERTIES, type ComparisonOperator, type PropertyInfo, type Literal, type MachineFilter, type OrderKey, type ScalarProperty, type TagFilter,
} from '../../src/domain/machines/machine-query.js';
import { generateFleet, Random } from '../../src/fleet/generator.js';
import { timestampFromMillis } from '../../src/shared/timestamp.js';

/**
 * A small fleet whose values come from small pools (so random filters hit and miss) with the
 * awkward cases in them: quotes, spaces, mixed case, non-ASCII, empty names, nulls, shared
 * prefixes, stale machines. And fast-check arbitraries of filters over the same pools.
 */
const DAY = 86_400_000;
const NAMES = ['alpha.contoso.com', 'Alpha-2.corp.contoso.com', 'beta', '', 'ALPHA.contoso.com', "gamma's.box", 'été.fabrikam.local', 'alphabet', 'b'];
const TAGS = ['PCI', 'PCI-DSS', 'pc', 'Lab', 'test tag 1', "o'brien", 'Ünïcode', 'lab'];
const VERSIONS = ['1709', '21H2', '22H2', '10'];
const PLATFORMS = ['Windows10', 'Windows11', 'Linux', 'macOS', 'WindowsServer2022'];
const IPS = ['10.0.0.1', '10.0.0.10', '172.17.230.209', '192.168.1.2'];
const GROUPS: readonly [number, string | null][] = [[0, null], [101, 'Servers'], [140, 'The-A-Team']];
const AAD = ['80fe8ff8-2624-418e-9591-41f0491218f9', '0a0b0c0d-0000-4000-8000-00000000000a'];
const OS_VERSIONS = ['10.0.19045', '10.0.22631', '14.2', ''];
const REASONS = ['Duplicate', 'InactiveDevice', 'Other'];
const AGENTS = ['10.8470.19041.2788', '10.8760.22621.3007', '101.23112.0009'];
const BUILDS = [19044, 19045, 22631];
const MANAGERS = ['Intune', 'MDE', 'Unknown', 'SCCM'];
const STATUSES = ['Managed', 'Unknown', 'PendingFirstCheckIn'];
const AV = ['Updated', 'NotUpdated', 'Unknown'];
const ARCHITECTURES = ['64-bit', '32-bit'];
const PROCESSORS = ['x64', 'x86', 'arm64'];
const EXTERNAL_IPS = ['20.1.2.3', '20.1.2.30', '52.0.0.1'];
const MERGED = ['3c3a1b2f0e4d5c6b7a8990a1b2c3d4e5f6a7b8c9', '3c3a00000000000000000000000000000000000a'];

export function testFleet(seed: number, count: number, nowMs: number): Machine[] {
  const r = new Random(seed);
  return [...generateFleet({ count, seed, nowMs, includeReferenceMachine: false })].map((m) => {
    const [rbacGroupId, rbacGroupName] = r.pick(GROUPS);
    const tags = TAGS.filter(() => r.chance(0.2));
    return {
      ...m,
      computerDnsName: r.pick(NAMES),
      version: r.pick(VERSIONS),
      osPlatform: r.pick(PLATFORMS),
      lastIpAddress: r.pick(IPS),
      deviceValue: r.pick(DEVICE_VALUES),
      healthStatus: r.pick(HEALTH_STATUSES),
      onboardingStatus: r.pick(ONBOARDING_STATUSES),
      riskScore: r.chance(0.2) ? null : r.pick(RISK_SCORES),
      exposureLevel: r.chance(0.2) ? null : r.pick(EXPOSURE_LEVELS),
      aadDeviceId: r.chance(0.4) ? null : r.pick(AAD),
      rbacGroupId,
      rbacGroupName,
      machineTags: tags,
      // A day-sized grid, so timestamp literals land on, before and after machines.
      lastSeen: timestampFromMillis(nowMs - r.int(0, 250) * DAY),
      firstSeen: timestampFromMillis(nowMs - r.int(200, 450) * DAY),
      mergedIntoMachineId: r.chance(0.7) ? null : r.pick(MERGED),
      isPotentialDuplication: r.chance(0.3),
      isExcluded: r.chance(0.3),
      exclusionReason: r.chance(0.5) ? null : r.pick(REASONS),
      osVersion: r.chance(0.3) ? null : r.pick(OS_VERSIONS),
      osProcessor: r.pick(PROCESSORS),
      lastExternalIpAddress: r.pick(EXTERNAL_IPS),
      agentVersion: r.pick(AGENTS),
      osBuild: r.chance(0.3) ? null : r.pick(BUILDS),
      isAadJoined: r.chance(0.5),
      defenderAvStatus: r.pick(AV),
      osArchitecture: r.pick(ARCHITECTURES),
      managedBy: r.pick(MANAGERS),
      managedByStatus: r.pick(STATUSES),
    };
  });
}

const strings = (pool: readonly string[]) => fc.oneof(fc.constantFrom(...pool), fc.constantFrom(...pool).map((s) => s.slice(0, 3)), fc.string({ maxLength: 4 }));

/** The plain string properties and the pools their values (and literals) come from. */
const POOLS: Partial<Record<ScalarProperty, readonly string[]>> = {
  version: VERSIONS, osPlatform: PLATFORMS, lastIpAddress: IPS, mergedIntoMachineId: MERGED, exclusionReason: REASONS,
  osVersion: OS_VERSIONS, osProcessor: PROCESSORS, lastExternalIpAddress: EXTERNAL_IPS, agentVersion: AGENTS,
  rbacGroupName: GROUPS.map(([, name]) => name ?? 'none'), defenderAvStatus: AV, osArchitecture: ARCHITECTURES,
  managedBy: MANAGERS, managedByStatus: STATUSES,
};

/** Literals for each property, already in the normalised form the parser produces. */
export function literalOf(property: ScalarProperty, fleet: readonly Machine[], nowMs: number): fc.Arbitrary<string | number | boolean> {
  const pool = POOLS[property];
  if (pool) return strings(pool);
  const info: PropertyInfo = SCALAR_PROPERTIES[property];
  if (info.members) return fc.oneof(fc.constantFrom(...info.members), fc.constant('Critical'));
  if (info.type === 'boolean') return fc.boolean();
  switch (property) {
    case 'id':
      return fc.oneof(fc.constantFrom(...fleet.map((m) => m.id)), fc.stringMatching(/^[0-9a-f]{1,6}$/));
    case 'computerDnsName':
      return strings(NAMES).map((s) => s.toLowerCase());
    case 'aadDeviceId':
      return strings(AAD).map((s) => s.toLowerCase());
    case 'lastSeen':
      return fc.integer({ min: -1, max: 260 }).map((d) => timestampFromMillis(nowMs - d * DAY) as string);
    case 'firstSeen':
      return fc.integer({ min: 190, max: 460 }).map((d) => timestampFromMillis(nowMs - d * DAY) as string);
    case 'rbacGroupId':
      return fc.constantFrom(0, 101, 140, -1, 999);
    case 'osBuild':
      return fc.constantFrom(...BUILDS, 0, 30000);
    default:
      throw new Error(`no literals for ${property}`);
  }
}

const OPS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const PROPS = Object.keys(SCALAR_PROPERTIES) as ScalarProperty[];

function leaf(fleet: readonly Machine[], nowMs: number): fc.Arbitrary<MachineFilter> {
  return fc.constantFrom(...PROPS).chain((property) => {
    const literal = literalOf(property, fleet, nowMs);
    const info = SCALAR_PROPERTIES[property];
    const compare = fc.record({ kind: fc.constant('compare' as const), property: fc.constant(property), op: fc.constantFrom(...OPS), value: literal as fc.Arbitrary<Literal> });
    const nullCompare = fc.record({ kind: fc.constant('compare' as const), property: fc.constant(property), op: fc.constantFrom<ComparisonOperator>('eq', 'ne'), value: fc.constant(null) });
    const inList = fc.record({ kind: fc.constant('in' as const), property: fc.constant(property), values: fc.array(literal, { minLength: 1, maxLength: 3 }) });
    const options: fc.Arbitrary<MachineFilter>[] = [compare, nullCompare, inList];
    if (info.type === 'string') options.push(fc.record({ kind: fc.constant('startsWith' as const), property: fc.constant(property), prefix: literal as fc.Arbitrary<string> }));
    return fc.oneof(...options);
  });
}

const tagLiteral = strings(TAGS);
const tagLeaf: fc.Arbitrary<TagFilter> = fc.oneof(
  fc.record({ kind: fc.constant('compare' as const), property: fc.constant('tag' as const), op: fc.constantFrom(...OPS), value: tagLiteral as fc.Arbitrary<Literal> }),
  fc.record({ kind: fc.constant('in' as const), property: fc.constant('tag' as const), values: fc.array(tagLiteral, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('startsWith' as const), property: fc.constant('tag' as const), prefix: tagLiteral }),
);
/**
 * Leaves joined by `and`/`or` and negated by `not`, up to `maxDepth` levels: the boolean shape
 * every entity's filter (machines, tags, actions, alerts) shares.
 */
export function booleanTree<F>(leaf: fc.Arbitrary<F>, depthIdentifier: string, maxDepth: number): fc.Arbitrary<F> {
  return fc.letrec<{ node: F }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthIdentifier },
      leaf,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }) as fc.Arbitrary<F>,
      fc.record({ kind: fc.constant('not' as const), operand: tie('node') }) as fc.Arbitrary<F>,
    ),
  })).node;
}

const tagTree: fc.Arbitrary<TagFilter> = booleanTree(tagLeaf, 'tag', 2);

export function filterArbitrary(fleet: readonly Machine[], nowMs: number): fc.Arbitrary<MachineFilter> {
  const anyTag = fc.record({ kind: fc.constant('anyTag' as const), predicate: fc.option(tagTree, { nil: null, freq: 5 }) });
  const base = fc.oneof({ arbitrary: leaf(fleet, nowMs), weight: 4 }, { arbitrary: anyTag, weight: 1 });
  return booleanTree(base, 'filter', 3);
}

export const orderArbitrary: fc.Arbitrary<OrderKey[]> = fc.uniqueArray(
  fc.record({ property: fc.constantFrom(...PROPS), descending: fc.boolean() }),
  { maxLength: 2, selector: (k) => k.property },
);
