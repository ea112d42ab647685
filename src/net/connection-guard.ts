import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What a connection may cost: the configured time-outs and the cap (src/config/settings.ts). */
export interface ConnectionLimits {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxConnections: number;
}

/**
 * Node's own time-outs on the one HTTP server (plain, HTTPS and the proxy's tunnels all end up
 * there): a head not complete within headersTimeout is answered 408 and closed, and that includes
 * a connection that sends nothing at all; Node checks for them every `connectionsCheckingInterval`,
 * which is why the caller passes `checkingInterval(limits)` to createServer.
 */
export function applyTimeouts(server: HttpServer, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
}

/** How often Node looks for connections past their time-out: a quarter of it, at most once a second. */
export const checkingInterval = (limits: ConnectionLimits): number => Math.max(10, Math.min(1000, Math.floor(limits.headersTimeout / 4)));

/**
 * The connection cap. Refusing new connections at the cap (net.Server's maxConnections) would let
 * a few hundred idle sockets lock every real client out until they time out; instead, a new
 * connection at the cap closes the one that has been idle longest (no request in flight: never
 * sent one, trickling a head, or kept alive after its answer). Only when every connection is busy
 * with a request is the newcomer closed. CONNECT tunnels leave the count (the proxy caps them),
 * and their decrypted connections come back into it through 'connection'.
 */
export class ConnectionGuard {
  /** Idle connections, oldest first (a Map keeps insertion order; re-inserting moves to the end). */
  private readonly idle = new Map<Duplex, true>();
  /** Connections with requests in flight, and how many. */
  private readonly busy = new Map<Duplex, number>();

  constructor(private readonly maxConnections: number) {}

  get size(): number {
    return this.idle.size + this.busy.size;
  }

  attach(server: HttpServer): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.started(req.socket, res));
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => this.forget(socket));
  }

  private admit(socket: Duplex): void {
    if (this.size >= this.maxConnections) {
      const oldest = this.idle.keys().next();
      if (oldest.done) {
        socket.destroy();
        return;
      }
      this.forget(oldest.value);
      oldest.value.destroy();
    }
    this.idle.set(socket, true);
    socket.once('close', () => this.forget(socket));
  }

  private started(socket: Duplex, res: ServerResponse): void {
    if (!this.idle.delete(socket) && !this.busy.has(socket)) return; // a tunnel's raw socket, or already gone
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.busy.get(socket) ?? 1) - 1;
      if (!this.busy.has(socket)) return;
      if (left > 0) return void this.busy.set(socket, left);
      this.busy.delete(socket);
      if (!socket.destroyed) this.idle.set(socket, true);
    });
  }

  private forget(socket: Duplex): void {
    this.idle.delete(socket);
    this.busy.delete(socket);
  }
}
