import { ApiError, invalidInput } from '../errors.js';
import { ActorNames } from '../identity/actor-names.js';
import type { MachineAccess } from '../machines/machine-access.js';
import type { AuditPosition } from './audit-cursor.js';
import { encodeAuditCursor } from './audit-cursor.js';
import { parseAuditRequest, type AuditFilter, type AuditRequest } from './audit-query.js';
import { describeChange, type AuditEntry, type HistoryEntry } from './history-entry.js';
import { describeValue } from '../machines/device-value.js';

/** What the audit needs from storage (implemented by every backend's Store). */
export interface AuditStore {
  /**
   * Value-history entries of a tenant matching the filter, newest first (time, then sequence
   * number), strictly after `after` in that order, at most `limit`.
   */
  auditHistory(tenantId: string, filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEntry[]>;
}

export interface AuditPage {
  readonly entries: HistoryEntry[];
  /** The `$skiptoken` of the next page; absent on the last. */
  readonly next?: string;
}

const MACHINE_ID = /^[0-9a-f]{40}$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who changed device values, fleet-wide (issue 13): the admin API and the CLI ask here, with the
 * same parameters, and get the same entries as a machine's own history, names included.
 */
export class AuditService {
  constructor(
    private readonly store: AuditStore,
    private readonly access: MachineAccess,
  ) {}

  /** One page of the tenant's value changes for the query parameters (see parseAuditRequest). */
  async list(tenantId: string, parameters: Readonly<Record<string, unknown>>): Promise<AuditPage> {
    const request = parseAuditRequest(parameters);
    await this.requireTenant(tenantId);
    const names = await ActorNames.of(this.access.policy, tenantId);
    const filter = await this.resolve(tenantId, request, names);
    const rows = await this.store.auditHistory(tenantId, filter, request.after, request.limit + 1);
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return {
      entries: page.map((e) => describeChange(e, names)),
      ...(rows.length > request.limit && last ? { next: encodeAuditCursor({ at: last.at, seq: last.seq }) } : {}),
    };
  }

  /**
   * A machine's history, newest first in the order the store wrote it (its sequence number, as
   * the console's device page), not by time: the entries then chain even when two instances
   * accepted calls for the machine within a few milliseconds and the later-stamped one committed
   * first. Same shape as the audit's entries; retention does not hide a stale device.
   */
  async machineHistory(tenantId: string, key: string, limit: number): Promise<HistoryEntry[]> {
    await this.requireTenant(tenantId);
    const scope = await this.access.visibility(tenantId, Number.NEGATIVE_INFINITY);
    const machine = await this.access.resolve(scope, key);
    const [changes, names] = await Promise.all([this.access.store.history(tenantId, machine.id, limit), ActorNames.of(this.access.policy, tenantId)]);
    return changes.map((c) => describeChange({ ...c, computerDnsName: machine.computerDnsName }, names));
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.access.policy.tenant(tenantId))) throw new ApiError('ResourceNotFound', `Tenant ${tenantId} was not found`);
  }

  private async resolve(tenantId: string, request: AuditRequest, names: ActorNames): Promise<AuditFilter> {
    const { from, to, oldValue, newValue, route } = request;
    return {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(oldValue ? { oldValue } : {}),
      ...(newValue ? { newValue } : {}),
      ...(route ? { route } : {}),
      ...(request.user === undefined ? {} : { userId: userId(request.user, names) }),
      ...(request.application === undefined ? {} : { appIds: appIds(request.application, names) }),
      ...(request.device === undefined ? {} : { machineId: await this.machineId(tenantId, request.device) }),
    };
  }

  /** A machine id is taken as it is (its history outlives nothing, but it may have none); a name must find one machine. */
  private async machineId(tenantId: string, device: string): Promise<string> {
    if (MACHINE_ID.test(device)) return device.toLowerCase();
    const scope = await this.access.visibility(tenantId, Number.NEGATIVE_INFINITY);
    try {
      return (await this.access.resolve(scope, device)).id;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        throw invalidInput(`The value ${describeValue(device)} is not valid for device: no single machine of the tenant has this id, aadDeviceId or computer name.`);
      }
      throw error;
    }
  }
}

/** By object id or principal name (without case); an object id the directory no longer knows still filters. */
function userId(text: string, names: ActorNames): string {
  const lower = text.toLowerCase();
  for (const [id, upn] of names.users) if (id.toLowerCase() === lower || upn.toLowerCase() === lower) return id;
  if (GUID.test(text)) return lower;
  throw invalidInput(`The value ${describeValue(text)} is not valid for user: no user of the tenant has this object id or user principal name.`);
}

/** By client id or display name (without case): every application of that name. */
function appIds(text: string, names: ActorNames): string[] {
  const lower = text.toLowerCase();
  const found = [...names.apps].filter(([id, name]) => id.toLowerCase() === lower || name.toLowerCase() === lower).map(([id]) => id);
  if (found.length > 0) return found;
  if (GUID.test(text)) return [lower];
  throw invalidInput(`The value ${describeValue(text)} is not valid for application: no application of the tenant has this client id or display name.`);
}
