import { sql, type RawBuilder } from 'kysely';
import { MACHINE_PROPERTIES, type Machine } from '../../domain/machine.js';
import type { Database } from '../schema.js';

type Column = keyof Database['machines'];

/**
 * How SQLite writes each property of a machine's wire JSON (domain/machine-json.ts says what that
 * is): strings and numbers as stored, 0/1 as false/true, stored JSON text spliced in as JSON, and
 * timestamps trimmed of trailing fractional zeros as wireTimestamp does. A test compares the result
 * with machineToJson for whole fleets, so the two definitions cannot drift apart.
 */
const WIRE: Record<keyof Machine, RawBuilder<unknown>> = {
  id: column('id'),
  mergedIntoMachineId: column('merged_into_machine_id'),
  isPotentialDuplication: boolean('is_potential_duplication'),
  isExcluded: boolean('is_excluded'),
  exclusionReason: column('exclusion_reason'),
  computerDnsName: column('computer_dns_name'),
  firstSeen: timestamp('first_seen'),
  lastSeen: timestamp('last_seen'),
  osPlatform: column('os_platform'),
  osVersion: column('os_version'),
  osProcessor: column('os_processor'),
  version: column('version'),
  lastIpAddress: column('last_ip_address'),
  lastExternalIpAddress: column('last_external_ip_address'),
  agentVersion: column('agent_version'),
  osBuild: column('os_build'),
  healthStatus: column('health_status'),
  deviceValue: column('device_value'),
  rbacGroupId: column('rbac_group_id'),
  rbacGroupName: column('rbac_group_name'),
  riskScore: column('risk_score'),
  exposureLevel: column('exposure_level'),
  isAadJoined: boolean('is_aad_joined'),
  aadDeviceId: column('aad_device_id'),
  machineTags: json('machine_tags'),
  defenderAvStatus: column('defender_av_status'),
  onboardingStatus: column('onboarding_status'),
  osArchitecture: column('os_architecture'),
  managedBy: column('managed_by'),
  managedByStatus: column('managed_by_status'),
  ipAddresses: json('ip_addresses'),
  vmMetadata: json('vm_metadata'),
};

function column(name: Column): RawBuilder<unknown> {
  return sql`${sql.ref(`machines.${name}`)}`;
}
function boolean(name: Column): RawBuilder<unknown> {
  return sql`json(case when ${sql.ref(`machines.${name}`)} then 'true' else 'false' end)`;
}
function json(name: Column): RawBuilder<unknown> {
  return sql`json(${sql.ref(`machines.${name}`)})`;
}
/** `2021-01-26T20:33:59.2000000Z` -> `2021-01-26T20:33:59.2Z`, `...:59.0000000Z` -> `...:59Z`. */
function timestamp(name: Column): RawBuilder<unknown> {
  return sql`rtrim(rtrim(substr(${sql.ref(`machines.${name}`)}, 1, 27), '0'), '.') || 'Z'`;
}

/** One machine as its wire JSON text, with the given properties (all when null) in wire order. */
export function machineJson(select: readonly (keyof Machine)[] | null): RawBuilder<string> {
  const properties = select ?? MACHINE_PROPERTIES;
  const pairs = properties.map((p) => sql`${sql.lit(p)}, ${WIRE[p]}`);
  return sql<string>`json_object(${sql.join(pairs)})`;
}
