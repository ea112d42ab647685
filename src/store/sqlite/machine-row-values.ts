import type { MachineRow } from '../schema.js';

/** Every column of a machine row, in a fixed order: upserts bind and hot reads select them so. */
export const MACHINE_COLUMNS = [
  'tenant_id', 'id', 'merged_into_machine_id', 'is_potential_duplication', 'is_excluded', 'exclusion_reason',
  'computer_dns_name', 'computer_dns_name_lc', 'first_seen', 'last_seen', 'os_platform', 'os_version', 'os_processor',
  'version', 'last_ip_address', 'last_external_ip_address', 'agent_version', 'os_build', 'health_status', 'device_value',
  'rbac_group_id', 'rbac_group_name', 'risk_score', 'exposure_level', 'is_aad_joined', 'aad_device_id', 'machine_tags',
  'defender_av_status', 'onboarding_status', 'os_architecture', 'managed_by', 'managed_by_status', 'ip_addresses', 'vm_metadata',
] as const satisfies readonly (keyof MachineRow)[];

/**
 * A row read in better-sqlite3's raw mode (values in MACHINE_COLUMNS order) as a MachineRow. The
 * driver builds a keyed object property by property, about 3 us for a machine; an object literal
 * of a fixed shape costs a tenth of that (measured in docs/adr/0007's session).
 */
export function rowFromValues(v: readonly unknown[]): MachineRow {
  return {
    tenant_id: v[0] as MachineRow['tenant_id'],
    id: v[1] as MachineRow['id'],
    merged_into_machine_id: v[2] as MachineRow['merged_into_machine_id'],
    is_potential_duplication: v[3] as MachineRow['is_potential_duplication'],
    is_excluded: v[4] as MachineRow['is_excluded'],
    exclusion_reason: v[5] as MachineRow['exclusion_reason'],
    computer_dns_name: v[6] as MachineRow['computer_dns_name'],
    computer_dns_name_lc: v[7] as MachineRow['computer_dns_name_lc'],
    first_seen: v[8] as MachineRow['first_seen'],
    last_seen: v[9] as MachineRow['last_seen'],
    os_platform: v[10] as MachineRow['os_platform'],
    os_version: v[11] as MachineRow['os_version'],
    os_processor: v[12] as MachineRow['os_processor'],
    version: v[13] as MachineRow['version'],
    last_ip_address: v[14] as MachineRow['last_ip_address'],
    last_external_ip_address: v[15] as MachineRow['last_external_ip_address'],
    agent_version: v[16] as MachineRow['agent_version'],
    os_build: v[17] as MachineRow['os_build'],
    health_status: v[18] as MachineRow['health_status'],
    device_value: v[19] as MachineRow['device_value'],
    rbac_group_id: v[20] as MachineRow['rbac_group_id'],
    rbac_group_name: v[21] as MachineRow['rbac_group_name'],
    risk_score: v[22] as MachineRow['risk_score'],
    exposure_level: v[23] as MachineRow['exposure_level'],
    is_aad_joined: v[24] as MachineRow['is_aad_joined'],
    aad_device_id: v[25] as MachineRow['aad_device_id'],
    machine_tags: v[26] as MachineRow['machine_tags'],
    defender_av_status: v[27] as MachineRow['defender_av_status'],
    onboarding_status: v[28] as MachineRow['onboarding_status'],
    os_architecture: v[29] as MachineRow['os_architecture'],
    managed_by: v[30] as MachineRow['managed_by'],
    managed_by_status: v[31] as MachineRow['managed_by_status'],
    ip_addresses: v[32] as MachineRow['ip_addresses'],
    vm_metadata: v[33] as MachineRow['vm_metadata'],
  };
}
