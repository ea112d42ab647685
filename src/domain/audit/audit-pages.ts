import { AUDIT_MAX_LIMIT } from './audit-query.js';
import type { AuditService } from './audit-service.js';
import type { HistoryEntry } from './history-entry.js';

/**
 * Every entry the audit parameters select, newest first, one keyset page at a time, at most
 * `limit` (0: all of them): the CLI's export and the console's CSV download read the audit
 * this way, so a million entries never sit in memory. The first page is read when the first
 * value is asked for, so a caller can let a bad filter fail before writing anything.
 */
export async function* auditPages(audit: AuditService, tenantId: string, parameters: Readonly<Record<string, string>>, limit = 0): AsyncGenerator<HistoryEntry[]> {
  let left = limit === 0 ? Number.POSITIVE_INFINITY : limit;
  let token: string | undefined;
  while (left > 0) {
    const page = await audit.list(tenantId, { ...parameters, limit: String(Math.min(left, AUDIT_MAX_LIMIT)), ...(token ? { $skiptoken: token } : {}) });
    yield page.entries;
    left -= page.entries.length;
    if (page.next === undefined) return;
    token = page.next;
  }
}
