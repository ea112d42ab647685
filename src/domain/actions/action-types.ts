/**
 * The machine actions of the Machine API (shared/spec/machine-actions.md): their types, the
 * statuses a MachineAction moves through, and the values each body may carry.
 */
export const ACTION_TYPES = [
  'Isolate',
  'Unisolate',
  'RunAntiVirusScan',
  'RestrictCodeExecution',
  'UnrestrictCodeExecution',
  'CollectInvestigationPackage',
  'Offboard',
  'StopAndQuarantineFile',
  'LiveResponse',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
/** How an action that is not cancelled ends. */
export type ActionOutcome = 'Succeeded' | 'Failed' | 'TimeOut';

export const ISOLATION_TYPES = ['Full', 'Selective', 'UnManagedDevice'] as const;
export const SCAN_TYPES = ['Quick', 'Full'] as const;
export const LIVE_RESPONSE_COMMAND_TYPES = ['PutFile', 'RunScript', 'GetFile'] as const;
export type LiveResponseCommandType = (typeof LIVE_RESPONSE_COMMAND_TYPES)[number];

/** Where an action was requested: the API, or Rampart's console (the portal's stand-in). */
export type RequestSource = 'PublicApi' | 'Portal';

/**
 * Actions that exclude each other on one device while one is Pending or InProgress (spec 3):
 * isolate and unisolate are one family, restrict and unrestrict another; the rest stand alone.
 */
const FAMILIES: Readonly<Record<ActionType, string>> = {
  Isolate: 'isolation',
  Unisolate: 'isolation',
  RunAntiVirusScan: 'scan',
  RestrictCodeExecution: 'restriction',
  UnrestrictCodeExecution: 'restriction',
  CollectInvestigationPackage: 'collection',
  Offboard: 'offboard',
  StopAndQuarantineFile: 'quarantine',
  LiveResponse: 'liveResponse',
};

export const familyOf = (type: ActionType): string => FAMILIES[type];

/** The types of one family, so the store can look for an active one of any of them. */
export const typesOfFamily = (type: ActionType): ActionType[] => ACTION_TYPES.filter((t) => FAMILIES[t] === FAMILIES[type]);

/**
 * Families whose second action is refused while one is active (spec 3, "Duplicates"). The real
 * service names isolation, restriction, scans, collection and live response; a second offboard or
 * quarantine of the same file is harmless there and here.
 */
const EXCLUSIVE_FAMILIES: ReadonlySet<string> = new Set(['isolation', 'restriction', 'scan', 'collection', 'liveResponse']);
export const isExclusive = (type: ActionType): boolean => EXCLUSIVE_FAMILIES.has(FAMILIES[type]);
