import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { calledScheme } from '../shared/called-scheme.js';

export interface LinkOptions {
  /** `--public-url` without a trailing slash; '' when not configured. */
  readonly publicUrl: string;
  readonly trustProxy: boolean;
  /** Microsoft's host names the drop-in answers as (src/net/proxy-policy.ts). */
  readonly interceptedHosts: ReadonlySet<string>;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/**
 * The `<scheme>://<authority>` every absolute link in an answer starts with (@odata.context,
 * @odata.nextLink, download links, discovery documents). A Host header is the client's word, and a
 * link built from `Host: attacker.example` would send the next call, token and all, there; so the
 * base is, first match wins:
 * 1. a Microsoft host name the drop-in serves, for a request that came through the proxy or TLS
 *    (the client called that name, and its next call must go the same way: docs/drop-in.md);
 * 2. `--public-url`;
 * 3. with `--trust-proxy`, the reverse proxy's X-Forwarded-Proto/Host;
 * 4. a loopback Host (`localhost:8080` through a port mapping is the client's own machine);
 * 5. the address the connection actually reached on this server.
 */
export function linkBase(options: LinkOptions): (request: FastifyRequest) => string {
  return (request) => {
    const raw = request.raw;
    const encrypted = (raw.socket as Partial<TLSSocket> | null)?.encrypted === true;
    const scheme = encrypted ? 'https' : 'http';
    const host = parseHost(raw.headers.host);
    const viaDropIn = calledScheme(raw) ?? (encrypted ? 'https' : undefined);
    if (viaDropIn && host && options.interceptedHosts.has(host.name)) return `${viaDropIn}://${host.authority}`;
    if (options.publicUrl) return options.publicUrl;
    if (options.trustProxy && (raw.headers['x-forwarded-host'] || raw.headers['x-forwarded-proto'])) {
      const forwarded = parseHost(request.host);
      if (forwarded && /^https?$/.test(request.protocol)) return `${request.protocol}://${forwarded.authority}`;
    }
    if (host && LOOPBACK_NAMES.has(host.name)) return `${scheme}://${host.authority}`;
    return `${scheme}://${localAuthority(request) ?? 'localhost'}`;
  };
}

/** A Host value that is a plain name or address with an optional port, lower-cased; anything else is ignored. */
function parseHost(value: string | undefined): { name: string; authority: string } | undefined {
  const match = value === undefined ? null : HOST.exec(value);
  if (!match) return undefined;
  const name = (match[1] ?? '').toLowerCase().replace(/\.$/, '');
  const port = match[2];
  if (port !== undefined && Number(port) > 65535) return undefined;
  return { name, authority: port === undefined ? name : `${name}:${port}` };
}

/** The address and port the client's connection reached (what it dialled, whatever Host says). */
function localAuthority(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as (typeof request.raw.socket & { _parent?: typeof request.raw.socket }) | null;
  const address = socket?.localAddress ?? socket?._parent?.localAddress;
  const port = socket?.localPort ?? socket?._parent?.localPort;
  if (!address || !port) return undefined;
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return `${isIP(plain) === 6 ? `[${plain}]` : plain}:${port}`;
}
