/**
 * The names of the Machine API operations, as fault rules name them (`"operations": [...]`). The
 * operation table (src/api/operations.ts) is the source; domain/ may not import api/, so the names
 * are repeated here and test/fault-validation.test.ts fails when the two lists differ.
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

/** The methods of those operations. */
export const OPERATION_METHODS = ['GET', 'POST', 'PATCH'] as const;
