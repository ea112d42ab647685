import type { Timestamp } from '../../shared/timestamp.js';
import type { Machine } from './machine.js';

/** The id and name of the machine in the reference's own examples (`GET /api/machines/{id}`). */
export const REFERENCE_MACHINE_ID = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
export const REFERENCE_MACHINE_NAME = 'mymachine1.contoso.com';

/**
 * The machine of the reference's examples, as one definition for the OpenAPI examples (at the
 * reference's own times) and the demo fleet (seen recently, so documented requests work there).
 */
export function referenceMachine(firstSeen: Timestamp, lastSeen: Timestamp): Machine {
  return {
    id: REFERENCE_MACHINE_ID,
    mergedIntoMachineId: null,
    isPotentialDuplication: false,
    isExcluded: false,
    exclusionReason: null,
    computerDnsName: REFERENCE_MACHINE_NAME,
    firstSeen,
    lastSeen,
    osPlatform: 'Windows10',
    osVersion: null,
    osProcessor: 'x64',
    version: '1709',
    lastIpAddress: '172.17.230.209',
    lastExternalIpAddress: '167.220.196.71',
    agentVersion: '10.5830.18209.1001',
    osBuild: 18209,
    healthStatus: 'Active',
    deviceValue: 'Normal',
    rbacGroupId: 140,
    rbacGroupName: 'The-A-Team',
    riskScore: 'Low',
    exposureLevel: 'Medium',
    isAadJoined: true,
    aadDeviceId: '80fe8ff8-2624-418e-9591-41f0491218f9',
    machineTags: ['test tag 1', 'test tag 2'],
    defenderAvStatus: 'Updated',
    onboardingStatus: 'Onboarded',
    osArchitecture: '64-bit',
    managedBy: 'Intune',
    managedByStatus: 'Unknown',
    ipAddresses: [
      { ipAddress: '172.17.230.209', macAddress: '00155D5A2C3E', type: 'Ethernet', operationalStatus: 'Up' },
      { ipAddress: '127.0.0.1', macAddress: null, type: 'SoftwareLoopback', operationalStatus: 'Up' },
    ],
    vmMetadata: null,
  };
}
