import { ApiError } from '../../domain/errors.js';

export type Token =
  | { readonly type: 'identifier'; readonly text: string; readonly pos: number }
  | { readonly type: 'string'; readonly value: string; readonly pos: number }
  | { readonly type: 'number'; readonly text: string; readonly pos: number }
  | { readonly type: 'datetime'; readonly text: string; readonly pos: number }
  /** An unquoted GUID (`id eq 5d3e...`), as some clients write ids: a string wherever one is allowed. */
  | { readonly type: 'guid'; readonly text: string; readonly pos: number }
  | { readonly type: 'punctuation'; readonly text: '(' | ')' | ',' | ':' | '/'; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number };

/** An ODataError naming the option and the 1-based character position. */
export const syntaxError = (option: string, pos: number, what: string): ApiError =>
  new ApiError('ODataError', `Syntax error in ${option} at position ${pos + 1}: ${what}.`);

// Date-only (`2018-08-01Z`, the reference's own form) or a full DateTimeOffset; unquoted, as OData writes them.
// COMPAT: an offset followed by a stray `Z` (`...+00:00Z`, which XSOAR's list-alerts sends) reads as the offset.
const DATETIME = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2}Z?)?(?![\w.:-])/y;
const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
// COMPAT: a literal `+` is a separator too. XSOAR percent-encodes the `+` it puts between words
// (`alertCreationTime%2Bgt%2B...`), so it survives form decoding; the real service reads it as a space.
// Inside a quoted string, a DateTimeOffset's offset or a number's exponent it keeps its meaning.
const SPACE = /[ \t+]+/y;

/**
 * Splits an already percent-decoded OData expression into tokens. Strings are single-quoted with
 * `''` for a quote; operators and keywords come out as identifiers for the parser to recognise.
 */
export function tokenize(text: string, option: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    return re.exec(text)?.[0];
  };
  while (pos < text.length) {
    const space = match(SPACE);
    if (space) {
      pos += space.length;
      continue;
    }
    const ch = text[pos] as string;
    if (ch === "'") {
      const [value, end] = readString(text, pos, option);
      tokens.push({ type: 'string', value, pos });
      pos = end;
    } else if ('(),:/'.includes(ch)) {
      tokens.push({ type: 'punctuation', text: ch as '(' | ')' | ',' | ':' | '/', pos });
      pos++;
    } else {
      const guid = match(GUID);
      const datetime = guid ? undefined : match(DATETIME);
      const number = guid || datetime ? undefined : match(NUMBER);
      const identifier = guid || datetime || number ? undefined : match(IDENTIFIER);
      if (guid) tokens.push({ type: 'guid', text: guid, pos });
      else if (datetime) tokens.push({ type: 'datetime', text: datetime.replace(/([+-]\d{2}:\d{2})Z$/, '$1'), pos });
      else if (number) tokens.push({ type: 'number', text: number, pos });
      else if (identifier) tokens.push({ type: 'identifier', text: identifier, pos });
      else throw syntaxError(option, pos, `unexpected character '${ch}'`);
      pos += (guid ?? datetime ?? number ?? identifier ?? '').length;
    }
  }
  tokens.push({ type: 'end', pos });
  return tokens;
}

function readString(text: string, start: number, option: string): [string, number] {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = text.indexOf("'", pos);
    if (quote < 0) throw syntaxError(option, start, 'unterminated string literal');
    value += text.slice(pos, quote);
    if (text[quote + 1] !== "'") return [value, quote + 1];
    value += "'";
    pos = quote + 2;
  }
}
