import type { IncomingMessage, ServerResponse } from 'node:http';
import { markCalledScheme } from '../shared/called-scheme.js';
import type { ProxyPolicy } from './proxy-policy.js';
import { refuseRequest, type Refusal } from './proxy-refusal.js';

const ABSOLUTE = /^(https?):\/\/([^/?#]*)(.*)$/is;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Absolute-form requests on the plain HTTP port (`GET https://api.securitycenter.microsoft.com/api/machines`),
 * which clients send to an HTTP proxy for `http://` targets, and some (axios) for `https://`
 * ones too. For an intercepted host the request is rewritten to its path and Host and served here;
 * for Rampart's own address it is simply served; anything else is refused with the reason. Returns
 * true when it has answered the request itself.
 */
export function absoluteFormDoor(policy: ProxyPolicy, onRefusal: (target: string, refusal: Refusal, error?: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const match = ABSOLUTE.exec(req.url ?? '');
    if (!match) return false;
    const [, scheme = 'http', authority = '', rest = ''] = match;
    const target = `${scheme}://${authority}/`;
    if (!URL.canParse(target)) {
      const refusal: Refusal = { status: 400, error: 'http_request_error', reason: 'The request target is not a valid URL.' };
      onRefusal(target.slice(0, 100), refusal);
      refuseRequest(res, refusal);
      return true;
    }
    const url = new URL(target);
    const own = LOOPBACK.has(url.hostname) && Number(url.port || 80) === req.socket.localPort;
    if (!own) {
      const verdict = policy.absoluteTarget(url);
      if (!verdict.allowed) {
        onRefusal(url.host, verdict);
        refuseRequest(res, verdict);
        return true;
      }
      req.headers.host = url.host;
      markCalledScheme(req, scheme.toLowerCase() === 'https' ? 'https' : 'http');
    }
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    return false;
  };
}
