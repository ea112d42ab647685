import type { PermissionRequirement } from '../identity/permissions.js';

/** Reading alerts (spec section 4): either alert permission, View data, the caller's device groups. */
export const ALERT_READ: PermissionRequirement = {
  application: ['Alert.Read.All', 'Alert.ReadWrite.All'],
  delegated: ['Alert.Read', 'Alert.ReadWrite'],
  role: 'View data',
};

/** Triage and creating alerts: the write permission and the Alerts investigation role. */
export const ALERT_WRITE: PermissionRequirement = {
  application: ['Alert.ReadWrite.All'],
  delegated: ['Alert.ReadWrite'],
  role: 'Alerts investigation',
};
