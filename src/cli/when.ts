import { InvalidArgumentError } from 'commander';
import { parseTimestamp, timestampToMillis } from '../shared/timestamp.js';

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--since`/`--until`: a span back from now (`30m`, `12h`, `7d`, `2w`) or a moment (an ISO 8601
 * time or a date), as the ISO time the audit's `from`/`to` take.
 */
export function parseWhen(text: string, nowMs: number = Date.now()): string {
  const span = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (span) return new Date(nowMs - Number(span[1]) * (UNIT_MS[span[2] as string] ?? 0)).toISOString();
  const moment = parseTimestamp(text.trim());
  if (!moment) throw new InvalidArgumentError('expected a span back from now (30m, 12h, 7d, 2w) or an ISO 8601 time or date');
  return new Date(timestampToMillis(moment)).toISOString();
}
