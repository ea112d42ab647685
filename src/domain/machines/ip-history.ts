import { isIP } from 'node:net';
import { parseTimestamp, timestampFromMillis, timestampToMillis, type Timestamp } from '../../shared/timestamp.js';
import { invalidInput, missingParameter } from '../errors.js';
import type { Machine } from './machine.js';

/** A machine held an internal address from `from` to `to` (inclusive): what findbyip searches. */
export interface IpAssignment {
  readonly machineId: string;
  readonly ipAddress: string;
  readonly from: Timestamp;
  readonly to: Timestamp;
}

const MINUTE = 60_000;
/** findbyip looks 15 minutes either side of the timestamp (spec section 4). */
export const FIND_BY_IP_WINDOW_MS = 15 * MINUTE;
/** ...and refuses timestamps older than 30 days. */
export const FIND_BY_IP_MAX_AGE_MS = 30 * 24 * 60 * MINUTE;

const LOOPBACK = /^(127\.|::1$)/;

/** Addresses compare in one form: IPv6 in lower case. */
export const canonicalIp = (ip: string): string => ip.toLowerCase();

/**
 * What a snapshot of a machine (an imported `GET /api/machines` answer) tells about its
 * addresses: it held each non-loopback address, and its lastIpAddress, when it was last seen.
 * COMPAT: an import only knows that moment, so findbyip finds it within 15 minutes of lastSeen.
 */
export function observedAddresses(machine: Machine): IpAssignment[] {
  const addresses = new Set<string>();
  if (machine.lastIpAddress !== '' && isIP(machine.lastIpAddress)) addresses.add(canonicalIp(machine.lastIpAddress));
  for (const a of machine.ipAddresses) {
    if (typeof a?.ipAddress === 'string' && isIP(a.ipAddress) && !LOOPBACK.test(a.ipAddress)) addresses.add(canonicalIp(a.ipAddress));
  }
  return [...addresses].map((ipAddress) => ({ machineId: machine.id, ipAddress, from: machine.lastSeen, to: machine.lastSeen }));
}

export interface IpSearch {
  readonly ipAddress: string;
  readonly from: Timestamp;
  readonly to: Timestamp;
}

/**
 * `findbyip(ip='10.1.2.3',timestamp=2019-09-22T08:44:05Z)` arguments -> the window to search.
 * A missing argument is MissingRequiredParameter; a bad address, a bad timestamp or one older
 * than 30 days is InvalidInput.
 */
export function ipSearch(args: Readonly<Record<string, string>>, nowMs: number): IpSearch {
  const ip = args.ip;
  const timestamp = args.timestamp;
  if (ip === undefined) throw missingParameter('ip');
  if (timestamp === undefined) throw missingParameter('timestamp');
  if (!isIP(ip)) throw invalidInput(`The value '${ip.slice(0, 64)}' is not a valid IP address.`);
  const at = parseTimestamp(timestamp);
  if (!at) throw invalidInput(`The value '${timestamp.slice(0, 64)}' is not a valid timestamp: use the form 2019-09-22T08:44:05Z.`);
  const ms = timestampToMillis(at);
  if (ms < nowMs - FIND_BY_IP_MAX_AGE_MS) throw invalidInput('The timestamp must not be more than 30 days in the past.');
  return {
    ipAddress: canonicalIp(ip),
    from: timestampFromMillis(ms - FIND_BY_IP_WINDOW_MS),
    to: timestampFromMillis(ms + FIND_BY_IP_WINDOW_MS),
  };
}
