import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config/load-config.js';
import type { Config } from '../config/settings.js';
import { absoluteFormDoor } from './absolute-form.js';
import { loadOrCreateCa } from './ca-store.js';
import { issueServerCertificate, type KeyPair } from './certificate-authority.js';
import { attachForwardProxy } from './forward-proxy.js';
import { interceptedHosts, ProxyPolicy } from './proxy-policy.js';
import type { Refusal } from './proxy-refusal.js';
import { DEFAULT_NET_LIMITS, TlsFront, type NetLimits } from './tls-front.js';

/**
 * What lets unmodified clients use Rampart (issue 12): the HTTPS port and the forward proxy,
 * both in front of the one HTTP server. `frontDoor` sees every plain HTTP request before the
 * router (absolute-form proxy requests); `attach` adds CONNECT to the HTTP server.
 */
export interface DropIn {
  readonly frontDoor: (req: IncomingMessage, res: ServerResponse) => boolean;
  attach(http: HttpServer, closing: () => boolean): void;
  /** Starts the HTTPS listener; resolves to its port. */
  listenTls(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export interface DropInOptions {
  readonly limits?: NetLimits;
  readonly onRefusal?: (target: string, refusal: Refusal, error?: unknown) => void;
}

export function openDropIn(config: Config, options: DropInOptions = {}): DropIn {
  const limits = options.limits ?? netLimitsOf(config);
  const onRefusal = options.onRefusal ?? (() => {});
  const hosts = interceptedHosts(config.interceptHosts);
  const policy = new ProxyPolicy(config.proxy, hosts);
  const ownCertificate = config.tlsCert && config.tlsKey ? readOwnCertificate(config.tlsCert, config.tlsKey) : undefined;
  const names = serverNames(config, hosts);
  // One server certificate for the proxy and (without --tls-cert) the HTTPS port; TlsFront asks once.
  const localIdentity = async (): Promise<KeyPair> => issueServerCertificate((await loadOrCreateCa(config)).ca, names);
  let proxyFront: TlsFront | undefined;
  let listenerFront: TlsFront | undefined;
  return {
    frontDoor: absoluteFormDoor(policy, onRefusal),
    attach(http, closing) {
      proxyFront = new TlsFront(http, localIdentity, limits);
      listenerFront = ownCertificate ? new TlsFront(http, async () => ownCertificate, limits) : proxyFront;
      attachForwardProxy(http, { policy, front: proxyFront, limits, closing, onRefusal });
    },
    async listenTls(port, host) {
      if (!listenerFront) throw new Error('attach() the HTTP server first');
      return listenerFront.listen(port, host);
    },
    async close() {
      await proxyFront?.close();
      if (listenerFront !== proxyFront) await listenerFront?.close();
    },
  };
}

/**
 * The proxy's and the HTTPS port's limits follow the HTTP server's: a handshake has as long as a
 * request head (--headers-timeout), a quiet decrypted connection as long as a request (--request-timeout).
 */
function netLimitsOf(config: Config): NetLimits {
  return {
    maxTunnels: Math.min(DEFAULT_NET_LIMITS.maxTunnels, config.maxConnections),
    handshakeTimeoutMs: config.headersTimeout,
    idleTimeoutMs: Math.max(config.requestTimeout, config.keepAliveTimeout),
  };
}

/** localhost, the loopback addresses, the host Rampart binds and is published as, and every intercepted host. */
function serverNames(config: Config, hosts: ReadonlySet<string>): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (config.host !== '0.0.0.0' && config.host !== '::') names.add(config.host.replace(/^\[|\]$/g, ''));
  if (config.publicUrl && URL.canParse(config.publicUrl)) names.add(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, ''));
  for (const host of hosts) names.add(host);
  return [...names].filter((n) => isIP(n) !== 0 || /^[a-z0-9.-]+$/i.test(n));
}

/** `--tls-cert`/`--tls-key`, checked at start so a bad pair stops it with one line. */
function readOwnCertificate(certFile: string, keyFile: string): KeyPair {
  let pair: KeyPair;
  try {
    pair = { certificate: readFileSync(certFile, 'utf8'), privateKey: readFileSync(keyFile, 'utf8') };
  } catch (error) {
    throw new ConfigError(`--tls-cert/--tls-key: cannot read ${(error as NodeJS.ErrnoException).path ?? 'the files'} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    createSecureContext({ cert: pair.certificate, key: pair.privateKey });
  } catch {
    throw new ConfigError('--tls-cert/--tls-key: not a PEM certificate and its matching private key');
  }
  return pair;
}
