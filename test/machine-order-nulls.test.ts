/**
 * How a page's order is spelled on PostgreSQL (src/store/machine-queries.ts): a nullable property
 * is ordered with NULLS FIRST/LAST spelled out, so pages come in SQLite's order, except where the
 * filter keeps the property non-null (the console's sorted segments). There the clause cannot
 * change the order, and leaving it out lets PostgreSQL walk the property's index instead of
 * sorting every match (on a million machines, 4 ms instead of 700 ms).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { MachineFilter, MachinePage } from '../src/domain/machines/machine-query.js';
import { pageRows } from '../src/store/machine-queries.js';
import type { Database } from '../src/store/schema.js';

// Compiles PostgreSQL's SQL without a server.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const scope = { tenantId: 't', visibleSince: '2026-01-01T00:00:00.0000000Z', rbacGroupIds: null } as never;
const riskSet: MachineFilter = { kind: 'compare', property: 'riskScore', op: 'ne', value: null };
const healthy: MachineFilter = { kind: 'compare', property: 'healthStatus', op: 'eq', value: 'Active' };
const page = (filter: MachineFilter | null, window?: MachinePage['window']): MachinePage => ({
  filter,
  orderBy: [{ property: 'riskScore', descending: true }, { property: 'id', descending: true }],
  skip: 0,
  limit: 51,
  ...(window ? { window } : {}),
});
const sqlOf = (p: MachinePage) => pageRows(db, scope, p).selectAll().compile().sql;

describe('page order of nullable properties on PostgreSQL', () => {
  it('spells nulls last out when the filter lets risk be null', () => {
    assert.match(sqlOf(page(healthy)), /"risk_score" desc nulls last/);
    assert.match(sqlOf(page(null)), /"risk_score" desc nulls last/);
  });

  it('orders by the index order when the filter keeps risk set, alone or in an and', () => {
    for (const filter of [riskSet, { kind: 'and', left: healthy, right: riskSet } as MachineFilter]) {
      const sql = sqlOf(page(filter));
      assert.match(sql, /"risk_score" desc, "machines"."id" desc/);
      assert.doesNotMatch(sql, /nulls/);
    }
  });

  it('does the same when the non-null filter is the window\'s own (the console\'s segments)', () => {
    const sql = sqlOf(page(healthy, { size: 1000, filter: riskSet }));
    assert.doesNotMatch(sql, /nulls/);
  });

  it('keeps the clause in the window\'s own scan when only the view\'s filter keeps risk set (that scan does not apply it)', () => {
    const sql = sqlOf(page({ kind: 'and', left: healthy, right: riskSet } as MachineFilter, { size: 1000, filter: healthy }));
    assert.equal(sql.match(/nulls last/g)?.length, 1, 'only the window scan spells it out');
    assert.match(sql, /limit \$\d+\) as "w"/);
  });

  it('keeps the clause when risk is only kept set under an or', () => {
    assert.match(sqlOf(page({ kind: 'or', left: healthy, right: riskSet } as MachineFilter)), /nulls last/);
  });
});
