import { randomInt } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { stableGuid } from '../../shared/ids.js';
import { timestampFromMillis, timestampToMillis, type Timestamp } from '../../shared/timestamp.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { MachineAccess, Visibility } from '../machines/machine-access.js';
import type { Machine } from '../machines/machine.js';
import type { MachineLocks } from '../machines/tag-service.js';
import { requestorOf } from '../actions/requestor.js';
import type { AlertRecord, AlertView } from './alert.js';
import { parseCreateAlert } from './alert-create.js';
import { createAlert, type NewAlert } from './alert-factory.js';
import type { AlertChangeContext, AlertHistoryEntry, AlertRoute, AlertStore, AlertWrite } from './alert-ports.js';
import type { AlertQuery, AlertScope } from './alert-query.js';
import { QUEUE_ORDER, queueFilter, type QueueFilter } from './alert-queue-filter.js';
import { applyTriage, parseBatchUpdate, parseTriage, type AlertChange } from './alert-triage.js';

/** The call a change comes from, for the alert's history. */
export interface AlertCall {
  readonly requestId: string | null;
  readonly route: AlertRoute;
}

export interface AlertList {
  readonly alerts: AlertView[];
  readonly count: number | undefined;
  readonly nextSkip: number | undefined;
}

export interface AlertServiceDeps {
  readonly access: MachineAccess;
  readonly store: AlertStore;
  readonly locks: MachineLocks;
  readonly clock: Clock;
  /** A signed 32-bit number for new alert ids; random unless a test fixes it. */
  readonly idSuffix?: () => number;
}

/**
 * The alert queue (shared/spec/alerts.md): reading and listing alerts, triage (PATCH and
 * batchUpdate) and raising alerts on devices. Every rule is decided here or in the pure modules
 * beside it; the store keeps facts. A caller sees an alert only while it sees the alert's device.
 */
export class AlertService {
  private readonly idSuffix: () => number;

  constructor(private readonly deps: AlertServiceDeps) {
    this.idSuffix = deps.idSuffix ?? (() => randomInt(-2_147_483_648, 2_147_483_647));
  }

  async get(principal: Principal, id: string): Promise<AlertView> {
    const found = await this.deps.store.getAlert(await this.scopeOf(principal), id.toLowerCase());
    if (!found) throw alertNotFound(id);
    return found;
  }

  /** A page of the caller's alerts, or of one device's (`machineKey`: id, aadDeviceId or name; 404 when not visible). */
  async list(principal: Principal, query: AlertQuery, pageSize: number, machineKey?: string): Promise<AlertList> {
    return this.listVisible(await this.deps.access.visibilityFor(principal), query, pageSize, machineKey);
  }

  /**
   * The queue of a whole tenant as the data folder's owner reads it (`rampart alerts list`): no
   * caller's device groups, retention as for every caller; newest first, the queue's filters.
   */
  async queue(tenantId: string, filter: QueueFilter, limit: number, machineKey?: string): Promise<AlertView[]> {
    const query: AlertQuery = { filter: queueFilter(filter), orderBy: QUEUE_ORDER, top: limit, skip: 0, count: false, select: null, expandEvidence: false };
    return (await this.listVisible(await this.deps.access.visibility(tenantId), query, limit, machineKey)).alerts;
  }

  private async listVisible(visibility: Visibility, query: AlertQuery, pageSize: number, machineKey?: string): Promise<AlertList> {
    const scope = toScope(visibility);
    const machineId = machineKey === undefined ? undefined : (await this.deps.access.resolve(visibility, machineKey)).id;
    const limit = query.top ?? pageSize;
    const paging = query.top === null;
    const page = { filter: query.filter, orderBy: query.orderBy, skip: query.skip, limit: paging ? limit + 1 : limit, withEvidence: query.expandEvidence };
    const rows = await this.deps.store.listAlerts(scope, machineId === undefined ? page : { ...page, machineId });
    const more = paging && rows.length > limit;
    const count = query.count ? await this.deps.store.countAlerts(scope, query.filter, machineId) : undefined;
    return { alerts: more ? rows.slice(0, limit) : rows, count, nextSkip: more ? query.skip + limit : undefined };
  }

  /**
   * The device an alert was raised on (`GET /alerts/{id}/machine`): the alert's device id (the
   * alert within retention), then the device itself under the caller's scope, each read once. An
   * alert whose device the caller cannot see is not found, as everywhere.
   */
  async machineOf(principal: Principal, id: string): Promise<Machine> {
    const visibility = await this.deps.access.visibilityFor(principal);
    const machineId = await this.deps.store.machineIdOf(toScope(visibility), id.toLowerCase());
    const machine = machineId === undefined ? undefined : await this.deps.access.store.getById(visibility, machineId);
    if (!machine) throw alertNotFound(id);
    return machine;
  }

  async update(principal: Principal, id: string, body: unknown, call: AlertCall): Promise<AlertView> {
    const triage = parseTriage(body);
    const scope = await this.scopeOf(principal);
    const by = await requestorOf(principal, this.deps.access.policy);
    return this.deps.locks.run([alertLockKey(scope.tenantId)], async () => {
      const found = await this.deps.store.getAlert(scope, id.toLowerCase());
      if (!found) throw alertNotFound(id);
      const now = this.now();
      const { alert, changes } = applyTriage(found.alert, triage, by, now);
      if (changes.length > 0) await this.deps.store.writeAlerts([{ alert, changes }], this.context(principal, call, now));
      return { ...found, alert };
    });
  }

  /**
   * The same triage on several alerts, all or nothing: an id the caller cannot see is 404 and
   * nothing is written (docs/compat.md).
   */
  async batchUpdate(principal: Principal, body: unknown, call: AlertCall): Promise<void> {
    const { alertIds, triage } = parseBatchUpdate(body);
    const scope = await this.scopeOf(principal);
    const by = await requestorOf(principal, this.deps.access.policy);
    await this.deps.locks.run([alertLockKey(scope.tenantId)], async () => {
      const found = new Map((await this.deps.store.getAlerts(scope, alertIds)).map((v) => [v.alert.id, v]));
      const missing = alertIds.find((id) => !found.has(id));
      if (missing !== undefined) throw alertNotFound(missing);
      const now = this.now();
      const writes = alertIds.map((id) => applyTriage((found.get(id) as AlertView).alert, triage, by, now)).filter((w) => w.changes.length > 0);
      if (writes.length > 0) await this.deps.store.writeAlerts(writes, this.context(principal, call, now));
    });
  }

  /**
   * CreateAlertByReference: an alert on a visible device from an event. An open alert with the
   * same title on the device takes the event instead (the documented merge).
   */
  async createByReference(principal: Principal, body: unknown, call: AlertCall): Promise<AlertView> {
    const request = parseCreateAlert(body);
    const visibility = await this.deps.access.visibilityFor(principal);
    const machine = await this.deps.access.resolve(visibility, request.machineId);
    return this.deps.locks.run([alertLockKey(visibility.tenantId)], async () => {
      const now = timestampFromMillis(this.deps.clock.now());
      const context = this.context(principal, call, now);
      const [open] = await this.deps.store.openAlertsTitled(visibility.tenantId, machine.id, request.title);
      if (open) {
        const merged = mergeEvent(open, request.eventTime, now);
        await this.deps.store.writeAlerts([{ alert: merged, changes: [{ field: 'mergedEvent', from: null, to: request.reportId }] }], context);
        return viewOf(merged, machine);
      }
      const [createdMs = 0] = await this.liveMoments(visibility.tenantId, 1);
      const alert = createAlert({
        tenantId: visibility.tenantId,
        machineId: machine.id,
        nowMs: createdMs,
        idSuffix: this.idSuffix(),
        detectorId: stableGuid(`CreateAlertByReference/${request.title}`),
        severity: request.severity,
        category: request.category,
        title: request.title,
        description: request.description,
        // COMPAT: alerts raised through the API are custom threat intelligence here (docs/compat.md).
        detectionSource: 'CustomerTI',
        recommendedAction: request.recommendedAction,
        firstEventTime: request.eventTime,
        lastEventTime: request.eventTime,
      });
      await this.deps.store.writeAlerts([{ alert, changes: createdChanges(alert, request.reportId) }], context);
      return viewOf(alert, machine);
    });
  }

  /**
   * Raises alerts on devices of a tenant, as a device's sensor would (tests, the demo, a scripted
   * "an alert fires now"), each from the pure factory. Live alerts (no `atMs`) are stamped now, as
   * CreateAlertByReference's are; `atMs` backdates them all to one moment (a generated history).
   */
  async raise(tenantId: string, inputs: readonly Omit<NewAlert, 'tenantId' | 'nowMs' | 'idSuffix'>[], call: AlertCall, atMs?: number): Promise<AlertRecord[]> {
    return this.deps.locks.run([alertLockKey(tenantId)], async () => {
      const moments = atMs === undefined ? await this.liveMoments(tenantId, inputs.length) : inputs.map(() => atMs);
      const alerts = inputs.map((input, i) => createAlert({ ...input, tenantId, nowMs: moments[i] ?? 0, idSuffix: this.idSuffix() }));
      const writes: AlertWrite[] = alerts.map((alert) => ({ alert, changes: createdChanges(alert, null) }));
      const context = { at: timestampFromMillis(atMs ?? this.deps.clock.now()), appId: null, userId: null, route: call.route, requestId: call.requestId };
      await this.deps.store.writeAlerts(writes, context);
      return alerts;
    });
  }

  /**
   * Creation moments for `count` new alerts of a tenant: now, but never within a millisecond of
   * the tenant's newest alert or of each other. SOAR fetch loops ask `alertCreationTime gt
   * <newest seen + 1 ms>` (XSOAR does), so an alert created in the millisecond after the newest
   * one fetched would never be fetched; with the real service's 100 ns times that is rare, with a
   * clock of whole milliseconds and a burst of alerts it would be the rule. COMPAT: a burst is
   * spread over a few milliseconds (docs/compat.md). Called under the tenant's alert lock.
   */
  private async liveMoments(tenantId: string, count: number): Promise<number[]> {
    const newest = await this.deps.store.newestCreation(tenantId);
    const first = Math.max(this.deps.clock.now(), newest === null ? Number.NEGATIVE_INFINITY : timestampToMillis(newest) + MIN_SPACING_MS);
    return Array.from({ length: count }, (_, i) => first + i * MIN_SPACING_MS);
  }

  /** An alert's history of changes, newest first (audit; the console and the CLI). */
  history(tenantId: string, alertId: string, limit = 1000): Promise<AlertHistoryEntry[]> {
    return this.deps.store.alertHistory(tenantId, alertId.toLowerCase(), limit);
  }

  async scopeOf(principal: Principal): Promise<AlertScope> {
    return toScope(await this.deps.access.visibilityFor(principal));
  }

  private now(): Timestamp {
    return timestampFromMillis(this.deps.clock.now());
  }

  private context(principal: Principal, call: AlertCall, at: Timestamp): AlertChangeContext {
    return { at, appId: principal.appId, userId: principal.kind === 'delegated' ? principal.userId : null, route: call.route, requestId: call.requestId };
  }
}

const toScope = (v: AlertScope): AlertScope => ({ tenantId: v.tenantId, visibleSince: v.visibleSince, rbacGroupIds: v.rbacGroupIds });

/** Live alerts of a tenant are at least this far apart (see liveMoments). */
const MIN_SPACING_MS = 2;

/** Alert writes of a tenant take turns, whichever instance serves them (a comment is never lost). */
const alertLockKey = (tenantId: string): string => `${tenantId}/alerts`;

export const alertNotFound = (id: string) => new ApiError('ResourceNotFound', `Alert ${id.slice(0, 200)} was not found`);

/** A new alert's history entry: the event it came from, else its title (seeded alerts too). */
export const createdChanges = (alert: AlertRecord, reportId: string | null): AlertChange[] => [{ field: 'created', from: null, to: reportId ?? alert.title }];

/** Another event of an open alert: its event window widens and it counts as updated now. */
function mergeEvent(alert: AlertRecord, eventTime: Timestamp, now: Timestamp): AlertRecord {
  const first = alert.firstEventTime === null || eventTime < alert.firstEventTime ? eventTime : alert.firstEventTime;
  const last = alert.lastEventTime === null || eventTime > alert.lastEventTime ? eventTime : alert.lastEventTime;
  return { ...alert, firstEventTime: first, lastEventTime: last, lastUpdateTime: now };
}

const viewOf = (alert: AlertRecord, machine: Machine): AlertView => ({ alert, computerDnsName: machine.computerDnsName, rbacGroupName: machine.rbacGroupName, aadTenantId: alert.tenantId });
