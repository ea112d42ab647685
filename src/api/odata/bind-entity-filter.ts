import { ApiError } from '../../domain/errors.js';
import { normalizeValue, type ComparisonOperator, type EntityFilter, type Literal, type PropertyInfo } from '../../domain/query-filter.js';
import { parseTimestamp } from '../../shared/timestamp.js';
import type { Token } from './lexer.js';
import { describe, parseExpression, type Expr } from './syntax.js';

const odata = (message: string) => new ApiError('ODataError', message);
const FLIPPED: Record<ComparisonOperator, ComparisonOperator> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** What the binder needs to know of an entity: its filterable properties and their types. */
export interface EntityDescription<P extends string> {
  /** The entity type's name, for messages (`MachineAction`). */
  readonly name: string;
  readonly properties: Readonly<Record<P, PropertyInfo>>;
}

/**
 * `$filter` text (percent-decoded) -> an EntityFilter over the entity's properties, or 400
 * ODataError naming the problem. Property names match without case; comparisons, `in`,
 * `startswith`, `and`/`or`/`not` and parentheses as for machines (src/api/odata/README.md).
 */
export function parseEntityFilter<P extends string>(text: string, entity: EntityDescription<P>): EntityFilter<P> {
  if (text.trim() === '') throw odata('The $filter query option is empty.');
  return new Binder(entity).bind(parseExpression(text, '$filter'));
}

/** Looks a property up without case; 400 naming it when the entity has none such. */
export function entityProperty<P extends string>(name: string, entity: EntityDescription<P>): P {
  const found = (Object.keys(entity.properties) as P[]).find((p) => p.toLowerCase() === name.toLowerCase());
  if (found === undefined) throw odata(`Could not find a property named '${name.slice(0, 80)}' on type '${entity.name}'.`);
  return found;
}

class Binder<P extends string> {
  constructor(private readonly entity: EntityDescription<P>) {}

  bind(expr: Expr): EntityFilter<P> {
    switch (expr.type) {
      case 'and':
      case 'or':
        return { kind: expr.type, left: this.bind(expr.left), right: this.bind(expr.right) };
      case 'not':
        return { kind: 'not', operand: this.bind(expr.operand) };
      case 'compare':
        return this.comparison(expr);
      case 'in': {
        const property = this.target(expr.left);
        const values = expr.values.map((v) => this.literal(property, v, 'eq'));
        if (values.some((v) => v === null)) throw odata(`null cannot be used in an 'in' list; use 'eq null'.`);
        return { kind: 'in', property, values: values as (string | number)[] };
      }
      case 'call':
        return this.startsWith(expr);
      case 'lambda':
        throw odata(`The type '${this.entity.name}' has no collection that any() can filter.`);
      case 'member':
        throw odata(`'${expr.name.slice(0, 80)}' is not a boolean expression: compare it with eq, ne, gt, ge, lt, le or in.`);
      case 'literal':
        throw odata(`The literal ${describe(expr.token)} is not a boolean expression.`);
    }
  }

  private comparison(expr: Expr & { type: 'compare' }): EntityFilter<P> {
    let { left, right, op } = expr;
    // `startswith(p,'x') eq true` is the long form of `startswith(p,'x')`.
    if (left.type === 'call' && right.type === 'literal' && (op === 'eq' || op === 'ne')) {
      const word = right.token.type === 'identifier' ? right.token.text.toLowerCase() : '';
      if (word !== 'true' && word !== 'false') throw odata('A function result can only be compared with true or false.');
      const call = this.startsWith(left);
      return (word === 'true') === (op === 'eq') ? call : { kind: 'not', operand: call };
    }
    if (left.type === 'literal' && right.type !== 'literal') {
      [left, right] = [right, left];
      op = FLIPPED[op];
    }
    const property = this.target(left);
    return { kind: 'compare', property, op, value: this.literal(property, right, op) };
  }

  private startsWith(expr: Expr & { type: 'call' }): EntityFilter<P> {
    if (expr.name.toLowerCase() !== 'startswith') throw odata(`The function '${expr.name.slice(0, 40)}' is not supported; use startswith(property,'prefix').`);
    const [subject, prefix] = expr.args;
    if (expr.args.length !== 2 || !subject || !prefix) throw odata("startswith takes two arguments: startswith(property,'prefix').");
    const property = this.target(subject);
    const info = this.entity.properties[property];
    if (info.type !== 'string') throw odata(`startswith needs a string property; '${property}' is not one.`);
    if (prefix.type !== 'literal' || prefix.token.type !== 'string') throw odata('The second argument of startswith must be a quoted string.');
    return { kind: 'startsWith', property, prefix: normalizeValue(info, prefix.token.value, false) };
  }

  private target(expr: Expr): P {
    if (expr.type !== 'member') throw odata('One side of a comparison must be a property and the other a literal value.');
    return entityProperty(expr.name, this.entity);
  }

  private literal(property: P, expr: Expr, op: ComparisonOperator): Literal {
    if (expr.type !== 'literal') throw odata(`'${property}' must be compared with a literal value.`);
    const token: Token = expr.token;
    const info = this.entity.properties[property];
    if (token.type === 'identifier' && token.text.toLowerCase() === 'null') {
      if (op !== 'eq' && op !== 'ne') throw odata('null can only be compared with eq or ne.');
      return null;
    }
    if (info.type === 'string' && (token.type === 'string' || token.type === 'guid')) {
      return normalizeValue(info, token.type === 'string' ? token.value : token.text, op === 'eq' || op === 'ne');
    }
    if (info.type === 'integer' && token.type === 'number') {
      const n = Number(token.text);
      if (!/^-?\d+$/.test(token.text) || !Number.isSafeInteger(n)) throw odata(`${describe(token)} is not a valid whole number for '${property}'.`);
      return n;
    }
    if (info.type === 'boolean' && token.type === 'identifier' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
    if (info.type === 'timestamp' && token.type === 'datetime') {
      // OData allows hh:mm without seconds; the stored form has them.
      const ts = parseTimestamp(token.text.replace(/(T\d{2}:\d{2})(?=Z|[+-]|$)/, '$1:00'));
      if (!ts) throw odata(`${describe(token)} is not a valid DateTimeOffset.`);
      return ts;
    }
    const wanted = { string: 'a quoted string', integer: 'a whole number', boolean: 'true or false', timestamp: 'an unquoted DateTimeOffset such as 2024-01-01T00:00:00Z' }[info.type];
    throw odata(`'${property}' cannot be compared with ${describe(token)}: it takes ${wanted}.`);
  }
}
