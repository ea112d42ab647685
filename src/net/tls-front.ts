import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { KeyPair } from './certificate-authority.js';

/** How long the proxy and the HTTPS port wait, and how many tunnels they hold at once. */
export interface NetLimits {
  readonly maxTunnels: number;
  /** A TLS handshake not finished by then is dropped. */
  readonly handshakeTimeoutMs: number;
  /** A decrypted connection with no traffic for this long is closed (HTTP keep-alive takes over after a first reply). */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_NET_LIMITS: NetLimits = { maxTunnels: 256, handshakeTimeoutMs: 10_000, idleTimeoutMs: 120_000 };

/**
 * TLS in front of Rampart's one HTTP server: each decrypted connection is handed to that same
 * server (`emit('connection')`), so the HTTPS port and the proxy's tunnels serve exactly what the
 * HTTP port serves, in-process. The certificate is made on first use, so a server that is never
 * asked for TLS never creates a certificate authority. Rampart wraps each socket itself (rather
 * than through tls.Server) so that it holds the TLS socket, whose close is the one that fires.
 */
export class TlsFront {
  private context: Promise<SecureContext> | undefined;
  private listener: NetServer | undefined;
  private readonly sockets = new Set<TLSSocket>();

  constructor(
    private readonly http: HttpServer,
    private readonly identity: () => Promise<KeyPair>,
    private readonly limits: NetLimits,
  ) {}

  /** Makes the certificate (once); a failure is retried on the next call. */
  ready(): Promise<SecureContext> {
    this.context ??= this.identity().then(
      ({ certificate, privateKey }) => createSecureContext({ cert: certificate, key: privateKey }),
      (error: unknown) => {
        this.context = undefined;
        throw error;
      },
    );
    return this.context;
  }

  /** Listens on a port of its own (`--tls`); resolves to the port. */
  async listen(port: number, host: string): Promise<number> {
    const context = await this.ready();
    const listener = createNetServer((raw) => this.wrap(raw, context));
    this.listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const address = listener.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** A raw connection whose CONNECT was accepted: TLS on it, then HTTP. Call after `ready()`. */
  async accept(raw: Socket): Promise<TLSSocket> {
    return this.wrap(raw, await this.ready());
  }

  /** Stops listening and drops every connection still open (call after the HTTP server has drained). */
  async close(): Promise<void> {
    const listener = this.listener;
    if (listener?.listening) await new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
  }

  private wrap(raw: Socket, secureContext: SecureContext): TLSSocket {
    const tls = new TLSSocket(raw, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    this.sockets.add(tls);
    // A client that does not trust the CA, or speaks something else: its connection ends, nothing else.
    tls.on('error', () => tls.destroy());
    // The HTTP server's sockets allow half-open connections, and the TLS socket inherits that: a
    // client that leaves before the handshake would otherwise hold its tunnel open.
    const leave = () => tls.destroy();
    tls.once('end', leave);
    const handshake = setTimeout(() => tls.destroy(), this.limits.handshakeTimeoutMs);
    tls.once('close', () => {
      clearTimeout(handshake);
      this.sockets.delete(tls);
    });
    tls.once('secure', () => {
      clearTimeout(handshake);
      tls.off('end', leave); // from here on, the HTTP server decides
      tls.setTimeout(this.limits.idleTimeoutMs, () => tls.destroy());
      this.http.emit('connection', tls);
    });
    return tls;
  }
}
