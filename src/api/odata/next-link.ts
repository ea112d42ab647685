/**
 * `@odata.nextLink`: the URL the client called (scheme, host, path, every parameter byte for byte)
 * with `$skip` set to where the next page starts. Any `$skip` it sent, however encoded, is replaced.
 */
export function nextLinkFor(base: string, url: string, skip: number): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const kept = q < 0 ? [] : url.slice(q + 1).split('&').filter((part) => part !== '' && parameterName(part).toLowerCase() !== '$skip');
  return `${base}${path}?${[...kept, `$skip=${skip}`].join('&')}`;
}

function parameterName(part: string): string {
  const raw = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}
