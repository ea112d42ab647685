import { SCALAR_PROPERTIES, type Literal, type MachineFilter, type ScalarProperty, type TagFilter } from '../../src/domain/machines/machine-query.js';

/**
 * MachineFilter -> `$filter` text, the inverse of the parser: every junction parenthesised,
 * strings quoted with `''` for a quote, timestamps unquoted. `name` spells property names (tests
 * pass case variants to check they match without case); `variable` names the any() variable.
 */
export interface PrintStyle {
  readonly name: (property: string) => string;
  readonly variable: string;
}

export const PLAIN: PrintStyle = { name: (p) => p, variable: 't' };

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

export function printLiteral(value: Literal, timestamp: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (timestamp && TIMESTAMP.test(value)) return value;
  return `'${value.replaceAll("'", "''")}'`;
}

const isTimestamp = (property: ScalarProperty): boolean => SCALAR_PROPERTIES[property].type === 'timestamp';

export function printFilter(f: MachineFilter, style: PrintStyle = PLAIN): string {
  switch (f.kind) {
    case 'and':
    case 'or':
      return `(${printFilter(f.left, style)} ${f.kind} ${printFilter(f.right, style)})`;
    case 'not':
      return `not (${printFilter(f.operand, style)})`;
    case 'compare':
      return `${style.name(f.property)} ${f.op} ${printLiteral(f.value, isTimestamp(f.property))}`;
    case 'in':
      return `${style.name(f.property)} in (${f.values.map((v) => printLiteral(v, isTimestamp(f.property))).join(', ')})`;
    case 'startsWith':
      return `startswith(${style.name(f.property)},${printLiteral(f.prefix, false)})`;
    case 'anyTag':
      if (f.predicate === null) return `${style.name('machineTags')}/any()`;
      return `${style.name('machineTags')}/any(${style.variable}: ${printTag(f.predicate, style.variable)})`;
    case 'responseState':
      throw new Error('a response state has no OData form');
  }
}

function printTag(f: TagFilter, variable: string): string {
  switch (f.kind) {
    case 'and':
    case 'or':
      return `(${printTag(f.left, variable)} ${f.kind} ${printTag(f.right, variable)})`;
    case 'not':
      return `not (${printTag(f.operand, variable)})`;
    case 'compare':
      return `${variable} ${f.op} ${printLiteral(f.value, false)}`;
    case 'in':
      return `${variable} in (${f.values.map((v) => printLiteral(v, false)).join(', ')})`;
    case 'startsWith':
      return `startswith(${variable},${printLiteral(f.prefix, false)})`;
  }
}
