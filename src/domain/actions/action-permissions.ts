import type { PermissionRequirement } from '../identity/permissions.js';
import type { ActionType } from './action-types.js';

const need = (permission: string, role: PermissionRequirement['role']): PermissionRequirement => ({ application: [permission], delegated: [permission], role });

/**
 * What each action demands of its caller (spec section 1): its own permission, as application
 * and as delegated permission, and the portal role. The operation table's rows use these, and a
 * cancel checks the permission of the action it cancels.
 */
export const ACTION_REQUIREMENTS: Readonly<Record<ActionType, PermissionRequirement>> = {
  Isolate: need('Machine.Isolate', 'Active remediation actions'),
  Unisolate: need('Machine.Isolate', 'Active remediation actions'),
  RunAntiVirusScan: need('Machine.Scan', 'Active remediation actions'),
  RestrictCodeExecution: need('Machine.RestrictExecution', 'Active remediation actions'),
  UnrestrictCodeExecution: need('Machine.RestrictExecution', 'Active remediation actions'),
  CollectInvestigationPackage: need('Machine.CollectForensics', 'Alerts investigation'),
  Offboard: need('Machine.Offboard', 'Manage security setting'),
  StopAndQuarantineFile: need('Machine.StopAndQuarantine', 'Active remediation actions'),
  LiveResponse: need('Machine.LiveResponse', 'Live response advanced'),
};

const ALL_ACTION_PERMISSIONS = [...new Set(Object.values(ACTION_REQUIREMENTS).flatMap((r) => r.application))];

/**
 * Cancelling: the token must hold some action's permission before the action is looked up; the
 * service then checks the permission and role of the action's own type. (`View data` is only the
 * floor every role has; the type's role is what decides.)
 */
export const CANCEL_REQUIREMENT: PermissionRequirement = { application: ALL_ACTION_PERMISSIONS, delegated: ALL_ACTION_PERMISSIONS, role: 'View data' };

/** Reading actions and investigations needs the machine read permissions (spec section 1). */
export const ACTION_READ: PermissionRequirement = {
  application: ['Machine.Read.All', 'Machine.ReadWrite.All'],
  delegated: ['Machine.Read', 'Machine.ReadWrite'],
  role: 'View data',
};

/** The two download links: read permissions for applications, the action's own for users. */
export const PACKAGE_LINK: PermissionRequirement = { ...ACTION_READ, delegated: ['Machine.CollectForensics'], role: 'Alerts investigation' };
export const LIVE_RESPONSE_LINK: PermissionRequirement = { ...ACTION_READ, delegated: ['Machine.LiveResponse'], role: 'Live response advanced' };

/** startInvestigation (spec: one more route responders call): the alert permissions. */
export const INVESTIGATE: PermissionRequirement = { application: ['Alert.ReadWrite.All'], delegated: ['Alert.ReadWrite'], role: 'Alerts investigation' };
export const INVESTIGATION_READ: PermissionRequirement = {
  application: ['Alert.Read.All', 'Alert.ReadWrite.All'],
  delegated: ['Alert.Read', 'Alert.ReadWrite'],
  role: 'View data',
};
