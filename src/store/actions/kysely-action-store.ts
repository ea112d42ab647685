import { sql, type CompiledQuery, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DeviceEffect, DeviceResponse, ResponseState } from '../../domain/actions/action-effects.js';
import type { ActionScope, ActionStore } from '../../domain/actions/action-ports.js';
import type { ActionFilter, ActionPage } from '../../domain/actions/action-query.js';
import type { ActionType } from '../../domain/actions/action-types.js';
import type { InvestigationRecord } from '../../domain/actions/investigation.js';
import type { Cancellation, MachineActionRecord } from '../../domain/actions/machine-action.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { Database } from '../schema.js';
import { actionToRow, investigationToRow, rowToAction, rowToInvestigation } from './action-rows.js';
import { actionOrder, compileActionFilter } from './action-sql.js';

/** How a backend runs a read, and commits statements in one durable transaction (see KyselyStore). */
export interface StatementRunner {
  all<R>(query: CompiledQuery<R>): R[] | Promise<R[]>;
  /**
   * The rows as arrays, in the order the query selects its columns, where that is cheaper than
   * objects (SQLite builds a row object at about twice the cost of an array: the alert pages).
   */
  arrays?(query: CompiledQuery): unknown[][] | Promise<unknown[][]>;
  exec(...statements: CompiledQuery[]): Promise<void>;
}

/**
 * Machine actions and investigations on either backend, with the same Kysely queries (the
 * statuses are computed in SQL for the listing's filters and order, from the same rule the
 * domain applies). Every query is the tenant's, and a delegated caller's device groups are
 * applied inside it.
 */
export class KyselyActionStore implements ActionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly run: StatementRunner,
  ) {}

  async insertAction(action: MachineActionRecord): Promise<void> {
    await this.run.exec(this.db.insertInto('machine_actions').values(actionToRow(action)).compile());
  }

  async getAction(scope: ActionScope, id: string): Promise<MachineActionRecord | undefined> {
    const query = this.visible(this.db.selectFrom('machine_actions').selectAll(), 'machine_actions', scope).where('machine_actions.id', '=', id.toLowerCase());
    const [row] = await this.run.all(query.compile());
    return row && rowToAction(row);
  }

  async activeActions(tenantId: string, machineId: string, types: readonly ActionType[], now: Timestamp): Promise<MachineActionRecord[]> {
    const query = this.db
      .selectFrom('machine_actions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('machine_id', '=', machineId)
      .where('type', 'in', [...types])
      .where('ends_at', '>', now)
      .where('cancelled_at', 'is', null);
    return (await this.run.all(query.compile())).map(rowToAction);
  }

  async countActive(tenantId: string, type: ActionType, now: Timestamp): Promise<number> {
    const query = this.db
      .selectFrom('machine_actions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('type', '=', type)
      .where('ends_at', '>', now)
      .where('cancelled_at', 'is', null);
    const [row] = await this.run.all(query.compile());
    return Number(row?.n ?? 0);
  }

  async listActions(scope: ActionScope, page: ActionPage): Promise<MachineActionRecord[]> {
    let query = this.matching(scope, page.filter, page.now, page.machineId).selectAll('machine_actions');
    for (const key of actionOrder(page.orderBy, page.now)) query = query.orderBy(key.expression, key.descending ? 'desc' : 'asc');
    query = query.limit(page.limit);
    if (page.skip > 0) query = query.offset(page.skip);
    return (await this.run.all(query.compile())).map(rowToAction);
  }

  async countActions(scope: ActionScope, filter: ActionFilter | null, now: Timestamp, machineId?: string): Promise<number> {
    const [row] = await this.run.all(this.matching(scope, filter, now, machineId).select((eb) => eb.fn.countAll<number>().as('n')).compile());
    return Number(row?.n ?? 0);
  }

  async cancelAction(tenantId: string, id: string, cancellation: Cancellation): Promise<boolean> {
    const update = this.db
      .updateTable('machine_actions')
      .set({
        cancellation_requestor: cancellation.requestor,
        cancellation_comment: cancellation.comment,
        cancelled_at: cancellation.at,
        effect_pending: 0,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .where('ends_at', '>', cancellation.at);
    await this.run.exec(update.compile());
    // One batch of statements reports no row counts on SQLite: read back whose cancellation stands.
    const [row] = await this.run.all(this.db.selectFrom('machine_actions').select('cancelled_at').where('tenant_id', '=', tenantId).where('id', '=', id).compile());
    return row?.cancelled_at === cancellation.at;
  }

  async actionsDue(now: Timestamp, limit: number, where?: { readonly tenantId: string; readonly machineId?: string }): Promise<MachineActionRecord[]> {
    const query = this.db
      .selectFrom('machine_actions')
      .selectAll()
      .where('effect_pending', '=', 1)
      .where('ends_at', '<=', now)
      .$if(where !== undefined, (q) => q.where('tenant_id', '=', where?.tenantId ?? ''))
      .$if(where?.machineId !== undefined, (q) => q.where('machine_id', '=', where?.machineId ?? ''))
      .orderBy('ends_at')
      .limit(limit);
    return (await this.run.all(query.compile())).map(rowToAction);
  }

  async settleAction(action: MachineActionRecord, effect: DeviceEffect | null): Promise<void> {
    const statements: CompiledQuery[] = [];
    if (effect?.kind === 'isolation' || effect?.kind === 'restriction') {
      const state = {
        tenant_id: action.tenantId,
        machine_id: action.machineId,
        family: effect.kind,
        state: effect.state,
        detail: effect.detail,
        since: action.endsAt,
        action_id: action.id,
      };
      const { tenant_id: _t, machine_id: _m, family: _f, ...changes } = state;
      // A later action of the family may have settled first: never put an older state back.
      const upsert = this.db
        .insertInto('machine_response_states')
        .values(state)
        .onConflict((oc) => oc.columns(['tenant_id', 'machine_id', 'family']).doUpdateSet(changes).where('machine_response_states.since', '<', action.endsAt));
      statements.push(upsert.compile());
    }
    if (effect?.kind === 'offboard') {
      // Only while the effect is still pending: a device onboarded again (re-imported) stays Active.
      const offboard = this.db
        .updateTable('machines')
        .set({ health_status: 'Inactive' })
        .where('tenant_id', '=', action.tenantId)
        .where('id', '=', action.machineId)
        .where((eb) =>
          eb.exists(
            eb.selectFrom('machine_actions').select('machine_actions.id').where('machine_actions.tenant_id', '=', action.tenantId).where('machine_actions.id', '=', action.id).where('machine_actions.effect_pending', '=', 1),
          ),
        );
      statements.push(offboard.compile());
    }
    statements.push(this.db.updateTable('machine_actions').set({ effect_pending: 0 }).where('tenant_id', '=', action.tenantId).where('id', '=', action.id).compile());
    await this.run.exec(...statements);
  }

  async deviceResponse(tenantId: string, machineId: string): Promise<DeviceResponse> {
    const query = this.db.selectFrom('machine_response_states').selectAll().where('tenant_id', '=', tenantId).where('machine_id', '=', machineId);
    const states: ResponseState[] = (await this.run.all(query.compile())).map((r) => ({
      family: r.family as ResponseState['family'],
      state: r.state,
      detail: r.detail,
      since: r.since as Timestamp,
      actionId: r.action_id,
    }));
    return { isolation: states.find((s) => s.family === 'isolation') ?? null, restriction: states.find((s) => s.family === 'restriction') ?? null };
  }

  // --- investigations -------------------------------------------------------------------

  async insertInvestigation(investigation: InvestigationRecord): Promise<void> {
    await this.run.exec(this.db.insertInto('investigations').values(investigationToRow(investigation)).compile());
  }

  async getInvestigation(scope: ActionScope, id: string): Promise<InvestigationRecord | undefined> {
    const query = this.visible(this.db.selectFrom('investigations').selectAll(), 'investigations', scope).where('investigations.id', '=', id);
    const [row] = await this.run.all(query.compile());
    return row && rowToInvestigation(row);
  }

  async listInvestigations(scope: ActionScope, skip: number, limit: number): Promise<InvestigationRecord[]> {
    let query = this.visible(this.db.selectFrom('investigations').selectAll(), 'investigations', scope)
      .orderBy('investigations.created_at', 'desc')
      .orderBy('investigations.id', 'desc')
      .limit(limit);
    if (skip > 0) query = query.offset(skip);
    return (await this.run.all(query.compile())).map(rowToInvestigation);
  }

  // --- scope ----------------------------------------------------------------------------

  private matching(scope: ActionScope, filter: ActionFilter | null, now: Timestamp, machineId?: string) {
    return this.visible(this.db.selectFrom('machine_actions'), 'machine_actions', scope)
      .$if(machineId !== undefined, (q) => q.where('machine_actions.machine_id', '=', machineId as string))
      .$if(filter !== null, (q) => q.where((eb) => compileActionFilter(eb, filter as ActionFilter, now)));
  }

  /** The tenant's rows; for a delegated caller, only those of devices in its device groups. */
  private visible<T extends 'machine_actions' | 'investigations', O>(query: SelectQueryBuilder<Database, T, O>, table: T, scope: ActionScope): SelectQueryBuilder<Database, T, O> {
    const own = query.where(sql<SqlBool>`${sql.ref(`${table}.tenant_id`)} = ${scope.tenantId}`);
    if (scope.rbacGroupIds === null) return own;
    const device = this.db
      .selectFrom('machines')
      .select('machines.id')
      .where('machines.tenant_id', '=', sql.ref<string>(`${table}.tenant_id`))
      .where('machines.id', '=', sql.ref<string>(`${table}.machine_id`))
      .where('machines.rbac_group_id', 'in', groupsOrNone(scope.rbacGroupIds));
    return own.where((eb) => eb.exists(device));
  }
}

const groupsOrNone = (ids: readonly number[] | null): number[] => (ids && ids.length > 0 ? [...ids] : [-1]);
