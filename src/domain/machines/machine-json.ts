import { isGuid } from '../../shared/ids.js';
import { parseTimestamp, wireTimestamp, type Timestamp } from '../../shared/timestamp.js';
import { DEVICE_VALUES, parseDeviceValue } from './device-value.js';
import { invalidInput } from '../errors.js';
import type { IpAddress, Machine, VmMetadata } from './machine.js';

/** A machine in its wire JSON form (timestamps trimmed), as `GET /api/machines` returns it. */
export function machineToJson(m: Machine): Record<string, unknown> {
  return { ...m, firstSeen: wireTimestamp(m.firstSeen), lastSeen: wireTimestamp(m.lastSeen) };
}

/**
 * Reads one machine of a real tenant's `GET /api/machines` answer, so users can mirror their
 * inventory. Only the id is required; anything else the service may omit gets the service's
 * own default. Throws InvalidInput naming the field.
 */
export function machineFromJson(input: unknown, nowMs: number): Machine {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidInput('a machine must be a JSON object');
  const o = input as Record<string, unknown>;
  const id = str(o, 'id');
  if (!/^[0-9a-f]{40}$/i.test(id)) throw invalidInput(`id '${id}' is not 40 hex characters`);
  const now = new Date(nowMs).toISOString();
  const aadDeviceId = nullableStr(o, 'aadDeviceId');
  if (aadDeviceId !== null && !isGuid(aadDeviceId)) throw invalidInput(`aadDeviceId '${aadDeviceId}' is not a GUID`);
  return {
    id: id.toLowerCase(),
    mergedIntoMachineId: nullableStr(o, 'mergedIntoMachineId'),
    isPotentialDuplication: bool(o, 'isPotentialDuplication'),
    isExcluded: bool(o, 'isExcluded'),
    exclusionReason: nullableStr(o, 'exclusionReason'),
    computerDnsName: str(o, 'computerDnsName', ''),
    firstSeen: time(o, 'firstSeen', now),
    lastSeen: time(o, 'lastSeen', now),
    osPlatform: str(o, 'osPlatform', 'Unknown'),
    osVersion: nullableStr(o, 'osVersion'),
    osProcessor: str(o, 'osProcessor', 'x64'),
    version: str(o, 'version', ''),
    lastIpAddress: str(o, 'lastIpAddress', ''),
    lastExternalIpAddress: str(o, 'lastExternalIpAddress', ''),
    agentVersion: str(o, 'agentVersion', ''),
    osBuild: nullableInt(o, 'osBuild'),
    healthStatus: str(o, 'healthStatus', 'Unknown'),
    deviceValue: o.deviceValue === undefined || o.deviceValue === null ? DEVICE_VALUES[0] : parseDeviceValue(o.deviceValue, 'deviceValue'),
    rbacGroupId: nullableInt(o, 'rbacGroupId') ?? 0,
    rbacGroupName: nullableStr(o, 'rbacGroupName'),
    riskScore: nullableStr(o, 'riskScore'),
    exposureLevel: nullableStr(o, 'exposureLevel'),
    isAadJoined: bool(o, 'isAadJoined'),
    // GUIDs compare without case; the real service answers them in lower case (docs/compat.md).
    aadDeviceId: aadDeviceId?.toLowerCase() ?? null,
    machineTags: strings(o, 'machineTags'),
    defenderAvStatus: str(o, 'defenderAvStatus', 'Unknown'),
    onboardingStatus: str(o, 'onboardingStatus', 'Onboarded'),
    osArchitecture: str(o, 'osArchitecture', '64-bit'),
    managedBy: str(o, 'managedBy', 'Unknown'),
    managedByStatus: str(o, 'managedByStatus', 'Unknown'),
    ipAddresses: array(o, 'ipAddresses') as IpAddress[],
    vmMetadata: o.vmMetadata === undefined || o.vmMetadata === null ? null : (object(o, 'vmMetadata') as unknown as VmMetadata),
  };
}

function str(o: Record<string, unknown>, key: string, fallback?: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  throw invalidInput(`${key} must be a string`);
}
function nullableStr(o: Record<string, unknown>, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  throw invalidInput(`${key} must be a string or null`);
}
function nullableInt(o: Record<string, unknown>, key: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  throw invalidInput(`${key} must be a whole number`);
}
function bool(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw invalidInput(`${key} must be true or false`);
}
function time(o: Record<string, unknown>, key: string, fallback: string): Timestamp {
  const v = o[key] ?? fallback;
  const ts = typeof v === 'string' ? parseTimestamp(v) : undefined;
  if (!ts) throw invalidInput(`${key} must be an ISO-8601 timestamp`);
  return ts;
}
function array(o: Record<string, unknown>, key: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  throw invalidInput(`${key} must be an array`);
}
function strings(o: Record<string, unknown>, key: string): string[] {
  const list = array(o, key);
  if (!list.every((t) => typeof t === 'string')) throw invalidInput(`${key} must be an array of strings`);
  return [...new Set(list as string[])];
}
function object(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = o[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  throw invalidInput(`${key} must be an object or null`);
}
