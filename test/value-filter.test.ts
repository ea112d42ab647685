/**
 * What a filter says about device values (src/domain/machines/value-filter.ts): the console's
 * totals and PostgreSQL's counts take a filter's count from the per-value counts exactly when it
 * tests device values and nothing else, so anything else must be refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MachineFilter } from '../src/domain/machines/machine-query.js';
import { conjuncts, countOfValues, valuesAllowed } from '../src/domain/machines/value-filter.js';

const value = (v: string): MachineFilter => ({ kind: 'compare', property: 'deviceValue', op: 'eq', value: v });
const values = (...vs: string[]): MachineFilter => ({ kind: 'in', property: 'deviceValue', values: vs });
const and = (left: MachineFilter, right: MachineFilter): MachineFilter => ({ kind: 'and', left, right });
const health: MachineFilter = { kind: 'compare', property: 'healthStatus', op: 'eq', value: 'Active' };

describe('value filters', () => {
  it('lists the tests of top-level ands, and nothing inside an or or a not', () => {
    assert.deepEqual(conjuncts(and(value('High'), and(health, values('Low')))), [value('High'), health, values('Low')]);
    const either: MachineFilter = { kind: 'or', left: value('High'), right: health };
    assert.deepEqual(conjuncts(either), [either]);
  });

  it('allows every value without a filter, and the values common to every value test', () => {
    assert.deepEqual(valuesAllowed(null), ['Normal', 'Low', 'High']);
    assert.deepEqual(valuesAllowed(value('High')), ['High']);
    assert.deepEqual(valuesAllowed(values('High', 'Low')), ['Low', 'High']);
    assert.deepEqual(valuesAllowed(and(values('High', 'Low'), values('Low', 'Normal'))), ['Low']);
    assert.deepEqual(valuesAllowed(and(value('High'), value('Low'))), []);
    assert.deepEqual(valuesAllowed(value('high')), [], 'values compare as stored, case and all');
  });

  it('refuses a filter that tests anything else', () => {
    for (const filter of [
      health,
      and(value('High'), health),
      { kind: 'or', left: value('High'), right: value('Low') },
      { kind: 'not', operand: value('High') },
      { kind: 'compare', property: 'deviceValue', op: 'ne', value: 'High' },
      { kind: 'compare', property: 'deviceValue', op: 'eq', value: null },
    ] as MachineFilter[]) {
      assert.equal(valuesAllowed(filter), undefined, JSON.stringify(filter));
    }
  });

  it('sums the counts of the values allowed', () => {
    const counts = { Normal: 70, Low: 20, High: 10 };
    assert.equal(countOfValues(valuesAllowed(values('High', 'Low')) ?? [], counts), 30);
    assert.equal(countOfValues(valuesAllowed(null) ?? [], counts), 100);
  });
});
