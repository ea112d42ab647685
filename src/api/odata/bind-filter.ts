import { ApiError } from '../../domain/errors.js';
import { MACHINE_PROPERTIES } from '../../domain/machines/machine.js';
import {
  normalizeLiteral, SCALAR_PROPERTIES, TAGS_PROPERTY,
  type ComparisonOperator, type Literal, type MachineFilter, type ScalarProperty, type TagFilter, type TagProperty,
} from '../../domain/machines/machine-query.js';
import { parseTimestamp } from '../../shared/timestamp.js';
import type { Token } from './lexer.js';
import { describe, parseExpression, type Expr } from './syntax.js';

const odata = (message: string) => new ApiError('ODataError', message);
const SCALARS = new Map(Object.keys(SCALAR_PROPERTIES).map((p) => [p.toLowerCase(), p as ScalarProperty]));
const ALL = new Map(MACHINE_PROPERTIES.map((p) => [p.toLowerCase(), p]));
const FLIPPED: Record<ComparisonOperator, ComparisonOperator> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** `$filter` text (percent-decoded) -> the domain's MachineFilter, or 400 ODataError naming the problem. */
export function parseFilter(text: string): MachineFilter {
  if (text.trim() === '') throw odata('The $filter query option is empty.');
  return bind(parseExpression(text, '$filter'), null) as MachineFilter;
}

/** Looks up a property name case-insensitively; refuses what exists but is not filterable. */
export function scalarProperty(name: string, option: string): ScalarProperty {
  const property = SCALARS.get(name.toLowerCase());
  if (property) return property;
  const known = ALL.get(name.toLowerCase());
  if (known === TAGS_PROPERTY && option === '$filter') {
    throw odata(`The property 'machineTags' is a collection: filter it with machineTags/any(t: t eq 'value').`);
  }
  if (known) throw odata(`The property '${known}' cannot be used in ${option}.`);
  throw odata(`Could not find a property named '${name.slice(0, 80)}' on type 'Machine'.`);
}

type Bound = MachineFilter | TagFilter;
type Target = ScalarProperty | TagProperty;

/** `variable` is the lambda variable inside `machineTags/any(t: ...)`, where only it may be named. */
function bind(expr: Expr, variable: string | null): Bound {
  switch (expr.type) {
    case 'and':
    case 'or':
      return { kind: expr.type, left: bind(expr.left, variable), right: bind(expr.right, variable) } as Bound;
    case 'not':
      return { kind: 'not', operand: bind(expr.operand, variable) } as Bound;
    case 'compare':
      return bindComparison(expr, variable);
    case 'in': {
      const property = target(expr.left, variable);
      const values = expr.values.map((v) => literal(property, v, 'eq'));
      if (values.some((v) => v === null)) throw odata(`null cannot be used in an 'in' list; use 'eq null'.`);
      return { kind: 'in', property, values: values as (string | number | boolean)[] } as Bound;
    }
    case 'call':
      return bindStartsWith(expr, variable);
    case 'lambda':
      return bindAny(expr, variable);
    case 'member': {
      // A Boolean property is itself a Boolean expression in OData: `$filter=isExcluded`, `not isAadJoined`.
      const property = variable === null ? SCALARS.get(expr.name.toLowerCase()) : undefined;
      if (property && SCALAR_PROPERTIES[property].type === 'boolean') return { kind: 'compare', property, op: 'eq', value: true };
      throw odata(`'${expr.name}' is not a boolean expression: compare it with eq, ne, gt, ge, lt, le or in.`);
    }
    case 'literal':
      throw odata(`The literal ${describe(expr.token)} is not a boolean expression.`);
  }
}

function bindComparison(expr: Expr & { type: 'compare' }, variable: string | null): Bound {
  let { left, right, op } = expr;
  // `startswith(p,'x') eq true` is the long form of `startswith(p,'x')`.
  if (left.type === 'call' && right.type === 'literal' && (op === 'eq' || op === 'ne')) {
    const word = right.token.type === 'identifier' ? right.token.text.toLowerCase() : '';
    if (word !== 'true' && word !== 'false') throw odata(`A function result can only be compared with true or false.`);
    const call = bindStartsWith(left, variable);
    return (word === 'true') === (op === 'eq') ? call : ({ kind: 'not', operand: call } as Bound);
  }
  if (left.type === 'literal' && right.type !== 'literal') {
    [left, right] = [right, left];
    op = FLIPPED[op];
  }
  const property = target(left, variable);
  return { kind: 'compare', property, op, value: literal(property, right, op) } as Bound;
}

function bindStartsWith(expr: Expr & { type: 'call' }, variable: string | null): Bound {
  if (expr.name.toLowerCase() !== 'startswith') throw odata(`The function '${expr.name.slice(0, 40)}' is not supported; use startswith(property,'prefix').`);
  const [subject, prefix] = expr.args;
  if (expr.args.length !== 2 || !subject || !prefix) throw odata('startswith takes two arguments: startswith(property,\'prefix\').');
  const property = target(subject, variable);
  if (property !== 'tag' && SCALAR_PROPERTIES[property].type !== 'string') throw odata(`startswith needs a string property; '${property}' is not one.`);
  if (prefix.type !== 'literal' || prefix.token.type !== 'string') throw odata('The second argument of startswith must be a quoted string.');
  return { kind: 'startsWith', property, prefix: normalizeLiteral(property, prefix.token.value, false) } as Bound;
}

function bindAny(expr: Expr & { type: 'lambda' }, outer: string | null): Bound {
  if (outer !== null) throw odata('any() cannot be nested inside another any().');
  if (expr.collection.toLowerCase() !== TAGS_PROPERTY.toLowerCase()) {
    const known = ALL.get(expr.collection.toLowerCase());
    throw odata(known ? `The property '${known}' is not a collection that any() can filter.` : `Could not find a property named '${expr.collection.slice(0, 80)}' on type 'Machine'.`);
  }
  if (expr.fn.toLowerCase() !== 'any') throw odata(`The lambda operator '${expr.fn.slice(0, 40)}' is not supported; use machineTags/any(t: ...).`);
  if (expr.variable === null || expr.body === null) return { kind: 'anyTag', predicate: null };
  return { kind: 'anyTag', predicate: bind(expr.body, expr.variable) as TagFilter };
}

function target(expr: Expr, variable: string | null): Target {
  if (expr.type !== 'member') throw odata('One side of a comparison must be a property and the other a literal value.');
  if (variable === null) return scalarProperty(expr.name, '$filter');
  if (expr.name === variable) return 'tag';
  throw odata(`Inside machineTags/any(${variable}: ...) only '${variable}' can be compared.`);
}

function literal(property: Target, expr: Expr, op: ComparisonOperator): Literal {
  const name = property === 'tag' ? 'a machine tag' : `'${property}'`;
  if (expr.type !== 'literal') throw odata(`${name} must be compared with a literal value.`);
  const token: Token = expr.token;
  if (token.type === 'identifier' && token.text.toLowerCase() === 'null') {
    if (op !== 'eq' && op !== 'ne') throw odata(`null can only be compared with eq or ne.`);
    if (property === 'tag') throw odata('A machine tag is never null.');
    return null;
  }
  const type = property === 'tag' ? 'string' : SCALAR_PROPERTIES[property].type;
  if (type === 'string' && token.type === 'string') return normalizeLiteral(property, token.value, op === 'eq' || op === 'ne');
  if (type === 'integer' && token.type === 'number') {
    const n = Number(token.text);
    if (!/^-?\d+$/.test(token.text) || !Number.isSafeInteger(n)) throw odata(`${describe(token)} is not a valid whole number for ${name}.`);
    return n;
  }
  if (type === 'timestamp' && token.type === 'datetime') {
    // OData allows hh:mm without seconds; the stored form has them.
    const ts = parseTimestamp(token.text.replace(/(T\d{2}:\d{2})(?=Z|[+-]|$)/, '$1:00'));
    if (!ts) throw odata(`${describe(token)} is not a valid DateTimeOffset.`);
    return ts;
  }
  if (type === 'boolean' && token.type === 'identifier' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
  const wanted = { string: 'a quoted string', integer: 'a whole number', boolean: 'true or false', timestamp: 'an unquoted DateTimeOffset such as 2024-01-01T00:00:00Z' }[type];
  throw odata(`${name} cannot be compared with ${describe(token)}: it takes ${wanted}.`);
}
