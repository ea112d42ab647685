/**
 * `@odata.nextLink`: the URL the client called (scheme, host, path, every parameter byte for byte)
 * with `$skip` set to where the next page starts. Any `$skip` it sent, however encoded, is replaced.
 */
export function nextLinkFor(base: string, url: string, skip: number): string {
  return replaceParameter(base, url, '$skip', String(skip));
}

/** The fleet audit's next page: the same URL with `$skiptoken` set to the opaque position it starts after. */
export function auditNextLink(base: string, url: string, token: string): string {
  return replaceParameter(base, url, '$skiptoken', encodeURIComponent(token));
}

function replaceParameter(base: string, url: string, name: string, value: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const kept = q < 0 ? [] : url.slice(q + 1).split('&').filter((part) => part !== '' && parameterName(part).toLowerCase() !== name);
  return `${base}${path}?${[...kept, `${name}=${value}`].join('&')}`;
}

function parameterName(part: string): string {
  const raw = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}
