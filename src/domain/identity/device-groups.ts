import { UNGROUPED_ID, type DeviceGroup, type DeviceGroupRules } from './directory.js';

export interface GroupAssignment {
  readonly rbacGroupId: number;
  readonly rbacGroupName: string | null;
}

/** The facts of a machine that device-group rules look at. */
export interface GroupFacts {
  readonly computerDnsName: string;
  readonly osPlatform: string;
  readonly machineTags: readonly string[];
}

export const UNGROUPED: GroupAssignment = { rbacGroupId: UNGROUPED_ID, rbacGroupName: null };

/**
 * A device joins the highest-ranked group (rank 1 first) whose every condition matches, else
 * "Ungrouped devices (default)": rbacGroupId 0 and, as the real service answers, a null name.
 * A group without conditions matches nothing, so a new empty group never swallows the fleet.
 */
export function assignGroup(groups: readonly DeviceGroup[], machine: GroupFacts): GroupAssignment {
  const ranked = [...groups].filter((g) => g.id !== UNGROUPED_ID).sort((a, b) => a.rank - b.rank || a.id - b.id);
  const facts = factsOf(machine);
  for (const group of ranked) {
    if (matches(group.rules, facts)) return { rbacGroupId: group.id, rbacGroupName: group.name };
  }
  return UNGROUPED;
}

interface Facts {
  readonly name: string;
  readonly domain: string;
  readonly os: string;
  readonly tags: ReadonlySet<string>;
}

function factsOf(m: GroupFacts): Facts {
  const dns = m.computerDnsName.toLowerCase();
  const dot = dns.indexOf('.');
  return {
    name: dot < 0 ? dns : dns.slice(0, dot),
    domain: dot < 0 ? '' : dns.slice(dot + 1),
    os: m.osPlatform.toLowerCase(),
    tags: new Set(m.machineTags.map((t) => t.toLowerCase())),
  };
}

function matches(rules: DeviceGroupRules, f: Facts): boolean {
  const conditions: [readonly string[] | undefined, (value: string) => boolean][] = [
    [rules.names, (v) => f.name.startsWith(v)],
    [rules.domains, (v) => f.domain.startsWith(v)],
    [rules.tags, (v) => f.tags.has(v)],
    [rules.osPlatforms, (v) => f.os === v],
  ];
  const active = conditions.filter(([values]) => values !== undefined && values.length > 0);
  return active.length > 0 && active.every(([values, test]) => values?.some((v) => test(v.toLowerCase())) ?? false);
}

