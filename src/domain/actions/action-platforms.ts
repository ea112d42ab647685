import { ApiError } from '../errors.js';
import type { ActionType } from './action-types.js';

const MODERN_WINDOWS = new Set(['windows10', 'windows11']);
const isWindows = (platform: string): boolean => platform.toLowerCase().startsWith('windows');
const isMobile = (platform: string): boolean => ['ios', 'android'].includes(platform.toLowerCase());

/** Windows 10/11 and Windows Server 2019 or later. */
function isModernWindows(platform: string): boolean {
  const lower = platform.toLowerCase();
  const server = /^windowsserver(\d{4})$/.exec(lower);
  return MODERN_WINDOWS.has(lower) || (server !== null && Number(server[1]) >= 2019);
}

/**
 * Which platforms can run which action (spec section 3): restriction and quarantine need a
 * modern Windows; offboarding through the API is Windows only. Isolation and scans run
 * everywhere. COMPAT: collection and live response are refused on iOS and Android, which the
 * real service does not reach with them either (docs/compat.md).
 */
export function supportsAction(platform: string, type: ActionType): boolean {
  switch (type) {
    case 'RestrictCodeExecution':
    case 'UnrestrictCodeExecution':
    case 'StopAndQuarantineFile':
      return isModernWindows(platform);
    case 'Offboard':
      return isWindows(platform);
    case 'CollectInvestigationPackage':
    case 'LiveResponse':
      return !isMobile(platform);
    default:
      return true;
  }
}

export function requireSupported(platform: string, type: ActionType): void {
  if (!supportsAction(platform, type)) {
    throw new ApiError('OsPlatformNotSupported', `${type} is not supported on the device's OS platform (${platform}).`);
  }
}
