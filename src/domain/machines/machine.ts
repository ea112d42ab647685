import type { Timestamp } from '../../shared/timestamp.js';
import type { DeviceValue } from './device-value.js';

export const HEALTH_STATUSES = [
  'Active',
  'Inactive',
  'ImpairedCommunication',
  'NoSensorData',
  'NoSensorDataImpairedCommunication',
  'Unknown',
] as const;
export const RISK_SCORES = ['None', 'Informational', 'Low', 'Medium', 'High'] as const;
export const EXPOSURE_LEVELS = ['None', 'Low', 'Medium', 'High'] as const;
export const ONBOARDING_STATUSES = ['Onboarded', 'CanBeOnboarded', 'Unsupported', 'InsufficientInfo'] as const;

export interface IpAddress {
  ipAddress: string;
  macAddress: string | null;
  type: string;
  operationalStatus: string;
}

export interface VmMetadata {
  vmId: string | null;
  cloudProvider: string | null;
  resourceId: string | null;
  subscriptionId: string | null;
}

/**
 * A device as the Machine API describes it (spec section 2), property for property and in wire
 * order. Timestamps are held in the stored fixed-width form and trimmed on the wire.
 */
export interface Machine {
  id: string;
  mergedIntoMachineId: string | null;
  isPotentialDuplication: boolean;
  isExcluded: boolean;
  exclusionReason: string | null;
  computerDnsName: string;
  firstSeen: Timestamp;
  lastSeen: Timestamp;
  osPlatform: string;
  osVersion: string | null;
  osProcessor: string;
  version: string;
  lastIpAddress: string;
  lastExternalIpAddress: string;
  agentVersion: string;
  osBuild: number | null;
  healthStatus: string;
  deviceValue: DeviceValue;
  rbacGroupId: number;
  rbacGroupName: string | null;
  riskScore: string | null;
  exposureLevel: string | null;
  isAadJoined: boolean;
  aadDeviceId: string | null;
  machineTags: string[];
  defenderAvStatus: string;
  onboardingStatus: string;
  osArchitecture: string;
  managedBy: string;
  managedByStatus: string;
  ipAddresses: IpAddress[];
  vmMetadata: VmMetadata | null;
}

/** The property names in wire order; the wire schema and the importer are checked against it. */
export const MACHINE_PROPERTIES = [
  'id', 'mergedIntoMachineId', 'isPotentialDuplication', 'isExcluded', 'exclusionReason',
  'computerDnsName', 'firstSeen', 'lastSeen', 'osPlatform', 'osVersion', 'osProcessor', 'version',
  'lastIpAddress', 'lastExternalIpAddress', 'agentVersion', 'osBuild', 'healthStatus', 'deviceValue',
  'rbacGroupId', 'rbacGroupName', 'riskScore', 'exposureLevel', 'isAadJoined', 'aadDeviceId',
  'machineTags', 'defenderAvStatus', 'onboardingStatus', 'osArchitecture', 'managedBy',
  'managedByStatus', 'ipAddresses', 'vmMetadata',
] as const satisfies readonly (keyof Machine)[];
