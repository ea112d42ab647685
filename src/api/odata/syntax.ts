import { ApiError } from '../../domain/errors.js';
import type { ComparisonOperator } from '../../domain/machines/machine-query.js';
import { syntaxError, tokenize, type Token } from './lexer.js';

/** The syntax of a `$filter` expression, before any name is looked up. */
export type Expr =
  | { readonly type: 'and' | 'or'; readonly left: Expr; readonly right: Expr; readonly pos: number }
  | { readonly type: 'not'; readonly operand: Expr; readonly pos: number }
  | { readonly type: 'compare'; readonly op: ComparisonOperator; readonly left: Expr; readonly right: Expr; readonly pos: number }
  | { readonly type: 'in'; readonly left: Expr; readonly values: readonly Expr[]; readonly pos: number }
  | { readonly type: 'member'; readonly name: string; readonly pos: number }
  | { readonly type: 'literal'; readonly token: Token; readonly pos: number }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly pos: number }
  | { readonly type: 'lambda'; readonly collection: string; readonly fn: string; readonly variable: string | null; readonly body: Expr | null; readonly pos: number };

const COMPARISONS: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
/** Bounds that keep the generated SQL well inside the database's own limits. */
export const MAX_DEPTH = 40;
export const MAX_TERMS = 200;

/**
 * A recursive-descent parser for the boolean expressions Machine API clients send. Precedence,
 * loosest first: `or`, `and`, `not`, comparison (`eq` ... `le`, `in`), primary. Keywords match
 * without case. `not` applies to the comparison that follows it.
 */
export function parseExpression(text: string, option = '$filter'): Expr {
  const parser = new Parser(tokenize(text, option), option);
  const expr = parser.expression(0);
  parser.expectEnd();
  return expr;
}

class Parser {
  private index = 0;
  private terms = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly option: string,
  ) {}

  expression(depth: number): Expr {
    this.checkDepth(depth);
    let left = this.conjunction(depth);
    while (this.keyword('or')) left = { type: 'or', left, right: this.conjunction(depth), pos: left.pos };
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'end') throw this.error(token, `unexpected ${describe(token)}`);
  }

  private conjunction(depth: number): Expr {
    let left = this.unary(depth);
    while (this.keyword('and')) left = { type: 'and', left, right: this.unary(depth), pos: left.pos };
    return left;
  }

  private unary(depth: number): Expr {
    this.checkDepth(depth);
    const pos = this.peek().pos;
    // COMPAT: `not a eq b` is `not (a eq b)`; strict OData precedence would refuse it (docs/compat.md).
    if (this.keyword('not')) return { type: 'not', operand: this.unary(depth + 1), pos };
    return this.comparison(depth);
  }

  private comparison(depth: number): Expr {
    const left = this.primary(depth);
    const next = this.peek();
    if (next.type !== 'identifier') return left;
    const word = next.text.toLowerCase();
    if (COMPARISONS.includes(word)) {
      this.index++;
      this.count(next);
      return { type: 'compare', op: word as ComparisonOperator, left, right: this.primary(depth), pos: next.pos };
    }
    if (word === 'in') {
      this.index++;
      this.count(next);
      this.punctuation('(');
      const values = [this.primary(depth)];
      while (this.accept(',')) values.push(this.primary(depth));
      this.punctuation(')');
      return { type: 'in', left, values, pos: next.pos };
    }
    return left;
  }

  private primary(depth: number): Expr {
    const token = this.next();
    switch (token.type) {
      case 'string':
      case 'number':
      case 'datetime':
      case 'guid':
        return { type: 'literal', token, pos: token.pos };
      case 'punctuation': {
        if (token.text !== '(') throw this.error(token, `unexpected ${describe(token)}`);
        const inner = this.expression(depth + 1);
        this.punctuation(')');
        return inner;
      }
      case 'end':
        throw this.error(token, 'the expression ends too early');
      case 'identifier':
        return this.identifier(token, depth);
    }
  }

  private identifier(token: Token & { type: 'identifier' }, depth: number): Expr {
    const word = token.text.toLowerCase();
    if (['null', 'true', 'false'].includes(word)) return { type: 'literal', token, pos: token.pos };
    if (this.accept('(')) {
      this.count(token);
      const args: Expr[] = [];
      if (!this.accept(')')) {
        do args.push(this.expression(depth + 1));
        while (this.accept(','));
        this.punctuation(')');
      }
      return { type: 'call', name: token.text, args, pos: token.pos };
    }
    if (!this.accept('/')) return { type: 'member', name: token.text, pos: token.pos };
    const fn = this.next();
    if (fn.type !== 'identifier') throw this.error(fn, `expected any(...) after '${token.text}/'`);
    this.punctuation('(');
    this.count(fn);
    if (this.accept(')')) return { type: 'lambda', collection: token.text, fn: fn.text, variable: null, body: null, pos: token.pos };
    const variable = this.next();
    if (variable.type !== 'identifier') throw this.error(variable, 'expected a lambda variable name');
    this.punctuation(':');
    const body = this.expression(depth + 1);
    this.punctuation(')');
    return { type: 'lambda', collection: token.text, fn: fn.text, variable: variable.text, body, pos: token.pos };
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_DEPTH) throw new ApiError('ODataError', `The ${this.option} expression is nested more than ${MAX_DEPTH} levels deep.`);
  }

  private count(token: Token): void {
    if (++this.terms > MAX_TERMS) throw this.error(token, `more than ${MAX_TERMS} operators`);
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token.type !== 'identifier' || token.text.toLowerCase() !== word) return false;
    this.index++;
    return true;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    if (token.type !== 'punctuation' || token.text !== text) return false;
    this.index++;
    return true;
  }

  private punctuation(text: string): void {
    if (!this.accept(text)) throw this.error(this.peek(), `expected '${text}' but found ${describe(this.peek())}`);
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { type: 'end', pos: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index++;
    return token;
  }

  private error(token: Token, what: string): ApiError {
    return syntaxError(this.option, token.pos, what);
  }
}

export function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `'${token.value.replaceAll("'", "''").slice(0, 40)}'`;
    case 'identifier':
    case 'number':
    case 'datetime':
    case 'guid':
    case 'punctuation':
      return `'${token.text.slice(0, 40)}'`;
  }
}
