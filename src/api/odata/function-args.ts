import { ApiError } from '../../domain/errors.js';

const ARGUMENT = /^\s*([A-Za-z_]\w*)\s*=\s*('(?:[^']|'')*'|[^',()]*?)\s*(?:,|$)/;

/**
 * The argument list of an OData function in a path, `(ip='10.1.2.3',timestamp=2019-09-22T08:44:05Z)`
 * (already percent-decoded), as name -> value with quotes removed. Names match without case and
 * come back lower-cased; quoted and bare values are both accepted (the reference quotes the address,
 * not the timestamp). `allowed` lists the names the function takes.
 */
export function parseFunctionArguments(text: string, allowed: readonly string[], name: string): Record<string, string> {
  const malformed = () => new ApiError('ODataError', `The arguments of ${name} are not valid: expected ${name}(${allowed.map((a) => `${a}=...`).join(',')}).`);
  if (!text.startsWith('(') || !text.endsWith(')')) throw malformed();
  let rest = text.slice(1, -1);
  const args: Record<string, string> = {};
  while (rest.trim() !== '') {
    const match = ARGUMENT.exec(rest);
    if (!match) throw malformed();
    const key = (match[1] ?? '').toLowerCase();
    const raw = match[2] ?? '';
    if (!allowed.includes(key)) throw new ApiError('ODataError', `${name} has no parameter named '${(match[1] ?? '').slice(0, 40)}'.`);
    if (Object.hasOwn(args, key)) throw new ApiError('ODataError', `The parameter '${key}' of ${name} is given more than once.`);
    args[key] = raw.startsWith("'") ? raw.slice(1, -1).replaceAll("''", "'") : raw;
    rest = rest.slice(match[0].length);
    if (match[0].trimEnd().endsWith(',') && rest.trim() === '') throw malformed();
  }
  return args;
}
