import type { IncomingMessage } from 'node:http';

const CALLED_SCHEME = Symbol('rampart.calledScheme');
type Marked = IncomingMessage & { [CALLED_SCHEME]?: 'http' | 'https' };

/**
 * The scheme a client called when it sent its request through Rampart's proxy in absolute form
 * (`GET https://api.securitycenter.microsoft.com/api/machines`, as axios does): the socket is
 * plain HTTP, but the links in the answer must be the ones the client asked for.
 */
export function markCalledScheme(req: IncomingMessage, scheme: 'http' | 'https'): void {
  (req as Marked)[CALLED_SCHEME] = scheme;
}

export const calledScheme = (req: IncomingMessage): 'http' | 'https' | undefined => (req as Marked)[CALLED_SCHEME];
