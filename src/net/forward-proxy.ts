import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProxyPolicy } from './proxy-policy.js';
import { refuseConnect, type Refusal } from './proxy-refusal.js';
import type { NetLimits, TlsFront } from './tls-front.js';

export interface ForwardProxyOptions {
  readonly policy: ProxyPolicy;
  readonly front: TlsFront;
  readonly limits: NetLimits;
  readonly closing: () => boolean;
  /** Told of every refusal (and of the error behind a 503), for the log. */
  readonly onRefusal: (target: string, refusal: Refusal, error?: unknown) => void;
}

/**
 * `CONNECT host:443` on the plain HTTP port: for an intercepted host, Rampart answers 200 and
 * terminates TLS itself with a certificate of its local CA, then serves the decrypted requests
 * from its own HTTP server, as if it were that host. There is no tunnel to anywhere: no code here
 * opens a connection. Every other target is refused with the reason, and the socket is closed.
 */
export function attachForwardProxy(http: HttpServer, options: ForwardProxyOptions): void {
  const { policy, front, limits, closing, onRefusal } = options;
  let tunnels = 0;
  const refuse = (socket: Socket, target: string, refusal: Refusal, error?: unknown) => {
    onRefusal(target.slice(0, 200), refusal, error);
    refuseConnect(socket, refusal);
  };

  http.on('connect', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket;
    socket.on('error', () => socket.destroy());
    const target = req.url ?? '';
    const verdict = policy.connectTarget(target);
    if (!verdict.allowed) return refuse(socket, target, verdict);
    if (closing()) return refuse(socket, target, { status: 503, error: 'proxy_internal_error', reason: 'Rampart is shutting down.' });
    if (tunnels >= limits.maxTunnels) {
      return refuse(socket, target, { status: 503, error: 'proxy_internal_error', reason: `Rampart holds ${limits.maxTunnels} tunnels already; try again when one has closed.` });
    }
    // Counted until the connection ends: the raw socket's close before TLS, the TLS socket's after.
    tunnels += 1;
    let counted = true;
    const release = () => {
      if (counted) tunnels -= 1;
      counted = false;
    };
    socket.once('close', release);
    front.ready().then(
      async () => {
        if (socket.destroyed) return release();
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) socket.unshift(head);
        const tls = await front.accept(socket);
        if (tls.destroyed) release();
        else tls.once('close', release);
      },
      (error: unknown) => refuse(socket, target, { status: 503, error: 'proxy_internal_error', reason: 'Rampart could not prepare its certificate; see its log.' }, error),
    ).catch(() => {
      release();
      socket.destroy();
    });
  });
}
