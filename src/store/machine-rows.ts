import type { DeviceValue } from '../domain/machines/device-value.js';
import type { IpAddress, Machine, VmMetadata } from '../domain/machines/machine.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { MachineRow } from './schema.js';

/** Domain machine -> row. Pure mapping: no rule is decided here. */
export function machineToRow(tenantId: string, m: Machine): MachineRow {
  return {
    tenant_id: tenantId,
    id: m.id,
    merged_into_machine_id: m.mergedIntoMachineId,
    is_potential_duplication: m.isPotentialDuplication ? 1 : 0,
    is_excluded: m.isExcluded ? 1 : 0,
    exclusion_reason: m.exclusionReason,
    computer_dns_name: m.computerDnsName,
    computer_dns_name_lc: m.computerDnsName.toLowerCase(),
    first_seen: m.firstSeen,
    last_seen: m.lastSeen,
    os_platform: m.osPlatform,
    os_version: m.osVersion,
    os_processor: m.osProcessor,
    version: m.version,
    last_ip_address: m.lastIpAddress,
    last_external_ip_address: m.lastExternalIpAddress,
    agent_version: m.agentVersion,
    os_build: m.osBuild,
    health_status: m.healthStatus,
    device_value: m.deviceValue,
    rbac_group_id: m.rbacGroupId,
    rbac_group_name: m.rbacGroupName,
    risk_score: m.riskScore,
    exposure_level: m.exposureLevel,
    is_aad_joined: m.isAadJoined ? 1 : 0,
    aad_device_id: m.aadDeviceId,
    machine_tags: JSON.stringify(m.machineTags),
    defender_av_status: m.defenderAvStatus,
    onboarding_status: m.onboardingStatus,
    os_architecture: m.osArchitecture,
    managed_by: m.managedBy,
    managed_by_status: m.managedByStatus,
    ip_addresses: JSON.stringify(m.ipAddresses),
    vm_metadata: m.vmMetadata === null ? null : JSON.stringify(m.vmMetadata),
  };
}

/** Row -> domain machine, in wire property order. */
export function rowToMachine(r: MachineRow): Machine {
  return {
    id: r.id,
    mergedIntoMachineId: r.merged_into_machine_id,
    isPotentialDuplication: r.is_potential_duplication === 1,
    isExcluded: r.is_excluded === 1,
    exclusionReason: r.exclusion_reason,
    computerDnsName: r.computer_dns_name,
    firstSeen: r.first_seen as Timestamp,
    lastSeen: r.last_seen as Timestamp,
    osPlatform: r.os_platform,
    osVersion: r.os_version,
    osProcessor: r.os_processor,
    version: r.version,
    lastIpAddress: r.last_ip_address,
    lastExternalIpAddress: r.last_external_ip_address,
    agentVersion: r.agent_version,
    osBuild: r.os_build === null ? null : Number(r.os_build),
    healthStatus: r.health_status,
    deviceValue: r.device_value as DeviceValue,
    rbacGroupId: Number(r.rbac_group_id),
    rbacGroupName: r.rbac_group_name,
    riskScore: r.risk_score,
    exposureLevel: r.exposure_level,
    isAadJoined: r.is_aad_joined === 1,
    aadDeviceId: r.aad_device_id,
    machineTags: JSON.parse(r.machine_tags) as string[],
    defenderAvStatus: r.defender_av_status,
    onboardingStatus: r.onboarding_status,
    osArchitecture: r.os_architecture,
    managedBy: r.managed_by,
    managedByStatus: r.managed_by_status,
    ipAddresses: JSON.parse(r.ip_addresses) as IpAddress[],
    vmMetadata: r.vm_metadata === null ? null : (JSON.parse(r.vm_metadata) as VmMetadata),
  };
}
