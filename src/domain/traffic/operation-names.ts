/**
 * The names of the Machine API operations, as fault rules name them (`"operations": [...]`). The
 * domain owns the list because it validates rules against it; the operation table
 * (src/api/operations.ts) types each row's id as an OperationName and fails to compile when a
 * name has no row or a row's id is not a name, so the two cannot drift.
 */
export const OPERATION_NAMES = [
  'GetMachine', 'SetDeviceValue', 'UpdateMachine', 'ListMachines', 'AddOrRemoveTag', 'AddOrRemoveTagForMultipleMachines',
  'FindMachinesByTag', 'FindMachinesByIp', 'Isolate', 'Unisolate', 'RunAntiVirusScan', 'RestrictCodeExecution',
  'UnrestrictCodeExecution', 'CollectInvestigationPackage', 'Offboard', 'StopAndQuarantineFile', 'RunLiveResponse',
  'StartInvestigation', 'ListMachineActions', 'GetMachineAction', 'CancelMachineAction', 'GetPackageUri',
  'GetLiveResponseResultDownloadLink', 'ListInvestigations', 'GetInvestigation', 'ListMachineLogonUsers', 'ListMachineAlerts',
  'ListMachineSoftware', 'ListMachineVulnerabilities', 'ListMachineRecommendations', 'ListAlerts', 'GetAlert', 'UpdateAlert',
  'BatchUpdateAlerts', 'CreateAlertByReference', 'GetAlertMachine', 'GetAlertUser', 'ListAlertDomains', 'ListAlertFiles',
  'ListAlertIps', 'ListSoftware', 'ListVulnerabilities', 'ListRecommendations',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

/** The methods of those operations. */
export const OPERATION_METHODS = ['GET', 'POST', 'PATCH'] as const;

export type OperationMethod = (typeof OPERATION_METHODS)[number];
