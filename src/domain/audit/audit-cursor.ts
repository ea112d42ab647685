import { invalidInput } from '../errors.js';
import type { Timestamp } from '../../shared/timestamp.js';

/** Where a page of the fleet audit ended: the last entry's time and sequence number. */
export interface AuditPosition {
  readonly at: Timestamp;
  readonly seq: number;
}

const STORED_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const VERSION = 'a1';

/**
 * The `$skiptoken` of the next page: opaque to clients (they follow `@odata.nextLink`), a
 * position in the audit's order rather than a count, so writes between two pages can neither
 * repeat nor skip an entry (docs/audit.md).
 */
export function encodeAuditCursor(position: AuditPosition): string {
  return Buffer.from(`${VERSION}|${position.at}|${position.seq}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(token: string): AuditPosition {
  const parts = token.length <= 100 && /^[\w-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8').split('|') : [];
  const [version, at, seq] = parts;
  if (parts.length !== 3 || version !== VERSION || !at || !STORED_TIMESTAMP.test(at) || !seq || !/^\d{1,15}$/.test(seq)) {
    throw invalidInput('The value of $skiptoken is not a token this server issued: follow @odata.nextLink as it is.');
  }
  return { at: at as Timestamp, seq: Number(seq) };
}
