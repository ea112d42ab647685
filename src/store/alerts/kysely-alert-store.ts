import { sql, type CompiledQuery, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { AlertView } from '../../domain/alerts/alert.js';
import type { AlertChangeContext, AlertHistoryEntry, AlertRoute, AlertStore, AlertWrite } from '../../domain/alerts/alert-ports.js';
import type { AlertFilter, AlertPage, AlertScope } from '../../domain/alerts/alert-query.js';
import type { AlertChange } from '../../domain/alerts/alert-triage.js';
import type { StatementRunner } from '../actions/kysely-action-store.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { AlertRow, Database } from '../schema.js';
import { alertToRow, rowToAlert } from './alert-rows.js';
import { alertOrder, compileAlertFilter, creationRange } from './alert-sql.js';

/** Every alert column but the evidence, which only `$expand=evidence` and single reads need. */
const LISTED = [
  'tenant_id', 'id', 'machine_id', 'incident_id', 'investigation_id', 'assigned_to', 'assigned_to_lc', 'severity', 'status', 'classification',
  'determination', 'investigation_state', 'detection_source', 'detector_id', 'category', 'threat_family_name', 'title', 'description',
  'recommended_action', 'created_at', 'first_event_at', 'last_event_at', 'last_update_at', 'resolved_at', 'threat_name', 'mitre_techniques',
  'related_user', 'comments',
] as const satisfies readonly (keyof AlertRow)[];

type Joined = SelectQueryBuilder<Database, 'alerts' | 'machines', object>;
type ListedRow = Omit<AlertRow, 'evidence'> & { evidence?: string; computer_dns_name: string; rbac_group_name: string | null };

/** The columns of a walked page, in the order `walk` selects them (the evidence last, when asked for). */
const WALKED = [...LISTED, 'computer_dns_name', 'rbac_group_name'] as const;

function walkedRow(values: readonly unknown[], withEvidence: boolean): ListedRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < WALKED.length; i++) row[WALKED[i] as string] = values[i];
  if (withEvidence) row.evidence = values[WALKED.length];
  return row as ListedRow;
}

/**
 * Alerts on either backend, with the same Kysely queries. Every read joins the alert's device
 * and applies the caller's scope to it inside the query (retention of the device and of the
 * alert, and a delegated caller's device groups), so pages and counts are right.
 */
export class KyselyAlertStore implements AlertStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly run: StatementRunner,
  ) {}

  async getAlert(scope: AlertScope, id: string): Promise<AlertView | undefined> {
    return (await this.getAlerts(scope, [id]))[0];
  }

  async getAlerts(scope: AlertScope, ids: readonly string[]): Promise<AlertView[]> {
    if (ids.length === 0) return [];
    const query = this.select(this.visible(scope), true).where('alerts.id', 'in', [...ids]);
    return (await this.run.all(query.compile())).map((r) => toView(r, scope.tenantId));
  }

  async machineIdOf(scope: AlertScope, id: string): Promise<string | undefined> {
    const query = this.db
      .selectFrom('alerts')
      .select('machine_id')
      .where('tenant_id', '=', scope.tenantId)
      .where('id', '=', id)
      .where('created_at', '>=', scope.visibleSince);
    const [row] = await this.run.all(query.compile());
    return row?.machine_id;
  }

  async listAlerts(scope: AlertScope, page: AlertPage): Promise<AlertView[]> {
    let query = this.walk(scope, page.filter, page.withEvidence, page.machineId);
    for (const key of alertOrder(page.orderBy)) query = query.orderBy(key.expression, key.descending ? 'desc' : 'asc');
    query = query.limit(page.limit);
    if (page.skip > 0) query = query.offset(page.skip);
    const compiled = query.compile();
    // A page is up to 10,000 rows of 30 columns: as arrays they cost SQLite about half as much.
    const rows = this.run.arrays ? (await this.run.arrays(compiled)).map((values) => walkedRow(values, page.withEvidence)) : await this.run.all(compiled);
    return rows.map((r) => toView(r, scope.tenantId));
  }

  async countAlerts(scope: AlertScope, filter: AlertFilter | null, machineId?: string): Promise<number> {
    const query = this.matching(scope, filter, machineId).select((eb) => eb.fn.countAll<number>().as('n'));
    const [row] = await this.run.all(query.compile());
    return Number(row?.n ?? 0);
  }

  async newestCreation(tenantId: string): Promise<Timestamp | null> {
    // The last entry of the (tenant_id, created_at, id) index.
    const query = this.db.selectFrom('alerts').select('created_at').where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(1);
    const [row] = await this.run.all(query.compile());
    return (row?.created_at as Timestamp | undefined) ?? null;
  }

  async openAlertsTitled(tenantId: string, machineId: string, title: string) {
    const query = this.db
      .selectFrom('alerts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('machine_id', '=', machineId)
      .where('title', '=', title)
      .where('status', '<>', 'Resolved')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc');
    return (await this.run.all(query.compile())).map(rowToAlert);
  }

  async writeAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void> {
    const statements: CompiledQuery[] = [];
    for (const { alert, changes } of writes) {
      const row = alertToRow(alert);
      const { tenant_id: _t, id: _i, ...rest } = row;
      statements.push(this.db.insertInto('alerts').values(row).onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(rest)).compile());
      if (changes.length === 0) continue;
      statements.push(this.db.insertInto('alert_history').values(historyRow({ alert, changes }, context)).compile());
    }
    if (statements.length > 0) await this.run.exec(...statements);
  }

  async insertNewAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void> {
    const statements: CompiledQuery[] = [];
    // 30 columns a row: 500 rows stay well under SQLite's 32,766 parameters (and PostgreSQL's 65,535).
    for (let i = 0; i < writes.length; i += INSERT_ROWS) {
      const chunk = writes.slice(i, i + INSERT_ROWS);
      statements.push(this.db.insertInto('alerts').values(chunk.map((w) => alertToRow(w.alert))).compile());
      statements.push(this.db.insertInto('alert_history').values(chunk.map((w) => historyRow(w, context))).compile());
    }
    if (statements.length > 0) await this.run.exec(...statements);
  }

  async alertHistory(tenantId: string, alertId: string, limit: number): Promise<AlertHistoryEntry[]> {
    const query = this.db.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('alert_id', '=', alertId).orderBy('seq', 'desc').limit(limit);
    return (await this.run.all(query.compile())).map((r) => ({
      seq: Number(r.seq),
      tenantId: r.tenant_id,
      alertId: r.alert_id,
      changes: JSON.parse(r.changes) as AlertChange[],
      at: r.changed_at,
      appId: r.app_id,
      userId: r.user_id,
      route: r.route as AlertRoute,
      requestId: r.request_id,
    }));
  }

  // --- scope ----------------------------------------------------------------------------

  private matching(scope: AlertScope, filter: AlertFilter | null, machineId?: string): Joined {
    return this.visible(scope)
      .$if(machineId !== undefined, (q) => q.where('alerts.machine_id', '=', machineId as string))
      .$if(filter !== null, (q) => q.where((eb) => compileAlertFilter(eb, filter as AlertFilter)));
  }

  /**
   * A page's rows as a walk of the creation-time index (the fetch loop's `gt <t> asc $top=50`,
   * the newest-first default, the console's keyset pages) that stops after the page. The alert's
   * device is never joined: it is probed for visibility per alert walked, and its name and group
   * are read by key for the rows kept, each a scalar subquery on the machine's primary key. A
   * join carrying any condition besides the key (the device's visibility, or the tenant stated
   * on both tables) lets SQLite plan a Bloom filter over every machine of the tenant before the
   * first row once the walk's range looks wide (a fetch looking back months: half a second at a
   * million machines), and rewrites EXISTS into that join; scalar subqueries it runs per row, in
   * index order, as PostgreSQL does. The filter's implied creation-time range (and retention)
   * bound the walk. Visibility is exactly `visible`'s; a delegated caller whose groups hold a
   * fraction f of the devices walks about page/f alerts.
   */
  private walk(scope: AlertScope, filter: AlertFilter | null, withEvidence: boolean, machineId?: string) {
    const range = creationRange(filter);
    const from = range.from !== undefined && range.from > scope.visibleSince ? range.from : scope.visibleSince;
    const device = (column: 'computer_dns_name' | 'rbac_group_name') =>
      this.db.selectFrom('machines as device').select(`device.${column}`).where('device.tenant_id', '=', sql.ref<string>('alerts.tenant_id')).where('device.id', '=', sql.ref<string>('alerts.machine_id'));
    return this.db
      .selectFrom('alerts')
      .select(LISTED.map((c) => `alerts.${c}` as const))
      .select([device('computer_dns_name').as('computer_dns_name'), device('rbac_group_name').as('rbac_group_name')])
      .$if(withEvidence, (q) => q.select('alerts.evidence'))
      .where('alerts.tenant_id', '=', scope.tenantId)
      .where('alerts.created_at', '>=', from)
      .$if(range.to !== undefined, (q) => q.where('alerts.created_at', '<=', range.to as string))
      .where((eb) => eb(this.deviceProbe(scope), 'is not', null))
      .$if(machineId !== undefined, (q) => q.where('alerts.machine_id', '=', machineId as string))
      .$if(filter !== null, (q) => q.where((eb) => compileAlertFilter(eb, filter as AlertFilter, { rangeStated: true }))) as unknown as SelectQueryBuilder<Database, 'alerts', ListedRow>;
  }

  /** 1 when the alert's device is in the caller's view (retention, device groups), else null. */
  private deviceProbe(scope: AlertScope) {
    return this.db
      .selectFrom('machines as device')
      .select(sql<number>`1`.as('seen'))
      .where('device.tenant_id', '=', scope.tenantId)
      .where('device.id', '=', sql.ref<string>('alerts.machine_id'))
      .where('device.last_seen', '>=', scope.visibleSince)
      .$if(scope.rbacGroupIds !== null, (q) => q.where('device.rbac_group_id', 'in', groupsIn(scope.rbacGroupIds ?? [])));
  }

  /** The tenant's alerts within retention, on devices within retention and, for a delegated caller, in its device groups. */
  private visible(scope: AlertScope): Joined {
    const joined = this.db
      .selectFrom('alerts')
      .innerJoin('machines', (join) => join.onRef('machines.id', '=', 'alerts.machine_id'))
      .where('alerts.tenant_id', '=', scope.tenantId)
      .where('machines.tenant_id', '=', scope.tenantId)
      .where('alerts.created_at', '>=', scope.visibleSince)
      .where('machines.last_seen', '>=', scope.visibleSince);
    if (scope.rbacGroupIds === null) return joined;
    return joined.where('machines.rbac_group_id', 'in', groupsIn(scope.rbacGroupIds));
  }

  private select(query: Joined, withEvidence: boolean) {
    const columns = LISTED.map((c) => `alerts.${c}` as const);
    return query
      .select([...columns, 'machines.computer_dns_name', 'machines.rbac_group_name'])
      .$if(withEvidence, (q) => q.select('alerts.evidence')) as unknown as SelectQueryBuilder<Database, 'alerts' | 'machines', ListedRow>;
  }
}

const INSERT_ROWS = 500;

/** A caller with no device group sees no device: `in ()` is not SQL, -1 is no group's id. */
const groupsIn = (ids: readonly number[]): number[] => (ids.length > 0 ? [...ids] : [-1]);

/** An alert's entry in alert_history (also written by the SQLite bulk load, bulk-load.ts). */
export const historyRow = ({ alert, changes }: AlertWrite, context: AlertChangeContext) => ({
  tenant_id: alert.tenantId,
  alert_id: alert.id,
  changes: JSON.stringify(changes),
  changed_at: context.at,
  app_id: context.appId,
  user_id: context.userId,
  route: context.route,
  request_id: context.requestId,
});

const toView = (r: ListedRow, tenantId: string): AlertView => ({
  alert: rowToAlert(r),
  computerDnsName: r.computer_dns_name,
  rbacGroupName: r.rbac_group_name,
  aadTenantId: tenantId,
});
