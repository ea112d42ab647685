import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Why the proxy refuses a target; `error` is an RFC 9209 Proxy-Status error type. */
export interface Refusal {
  readonly status: 400 | 403 | 503;
  readonly error: 'http_request_error' | 'http_request_denied' | 'destination_ip_prohibited' | 'proxy_internal_error';
  readonly reason: string;
}

const PHRASES: Record<Refusal['status'], string> = { 400: 'Bad Request', 403: 'Forbidden', 503: 'Service Unavailable' };

/**
 * A proxy's refusal: the status, the reason in a plain-text body, and the same reason in an
 * RFC 9209 `Proxy-Status` header, which is where proxy-aware clients look for it. The
 * connection is closed: a refused CONNECT never becomes a tunnel.
 */
function headers(refusal: Refusal): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(`${refusal.reason}\n`)),
    'proxy-status': `rampart; error=${refusal.error}; details="${refusal.reason.replace(/["\\]/g, "'")}"`,
    connection: 'close',
  };
}

/** Answers a CONNECT on its raw socket (the HTTP server has let go of it) and closes it. */
export function refuseConnect(socket: Socket, refusal: Refusal): void {
  const head = Object.entries(headers(refusal)).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${refusal.status} ${PHRASES[refusal.status]}\r\n${head}\r\n${refusal.reason}\n`);
}

/** Answers a refused absolute-form request. */
export function refuseRequest(res: ServerResponse, refusal: Refusal): void {
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, headers(refusal)).end(`${refusal.reason}\n`);
}
