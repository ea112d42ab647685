import { isIP } from 'node:net';
import { LOGIN_HOSTS, MACHINE_API_HOSTS } from '../auth/microsoft-hosts.js';
import type { Refusal } from './proxy-refusal.js';

/** What the proxy does with a target: serve it in-process as that host, or refuse it, saying why. */
export type Verdict = { readonly allowed: true; readonly host: string } | ({ readonly allowed: false } & Refusal);

/** Lower case, without the root's trailing dot: `API.SecurityCenter.Microsoft.com.` is the API. */
export const normalizeHost = (host: string): string => host.toLowerCase().replace(/\.$/, '');

/** Microsoft's Machine API and Entra sign-in hosts, and the ones `--intercept-host` adds. */
export function interceptedHosts(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...MACHINE_API_HOSTS, ...LOGIN_HOSTS, ...extra].map(normalizeHost));
}

const AUTHORITY = /^(\[[0-9a-f:.]+\]|[^\s:/@[\]?#]+)(?::(\d{1,5}))?$/i;

/**
 * Which targets the forward proxy answers for. It answers only as the intercepted hosts, from
 * Rampart itself: no target is ever connected to, so there is nothing else it could forward to.
 * Raw IP addresses, other hosts and other ports are refused with the reason.
 */
export class ProxyPolicy {
  constructor(
    readonly enabled: boolean,
    private readonly hosts: ReadonlySet<string>,
  ) {}

  /** The `host:port` of a CONNECT. A missing port is 443, the only one served. */
  connectTarget(authority: string): Verdict {
    const match = AUTHORITY.exec(authority);
    if (!match?.[1]) return refuse(400, 'http_request_error', `'${printable(authority)}' is not a host:port a CONNECT can name.`);
    return this.decide(match[1], match[2] === undefined ? 443 : Number(match[2]), 443);
  }

  /** The target of an absolute-form request (`GET https://host/path`). */
  absoluteTarget(url: URL): Verdict {
    const standard = url.protocol === 'https:' ? 443 : 80;
    return this.decide(url.hostname, url.port === '' ? standard : Number(url.port), standard);
  }

  private decide(rawHost: string, port: number, wantedPort: number): Verdict {
    const host = normalizeHost(rawHost.replace(/^\[|\]$/g, ''));
    const target = `${printable(host)}:${port}`;
    if (!this.enabled) return refuse(403, 'http_request_denied', `Rampart's forward proxy is off (--no-proxy), so it does not answer for ${target}.`);
    if (isIP(host)) return refuse(403, 'destination_ip_prohibited', `Rampart is not a general proxy and never connects anywhere: it answers only as the Microsoft Defender for Endpoint and Entra ID host names it serves itself, and ${target} is an IP address.`);
    if (!this.hosts.has(host)) return refuse(403, 'http_request_denied', `Rampart is not a general proxy and never connects anywhere: it answers only as the Microsoft Defender for Endpoint and Entra ID host names it serves itself, and ${target} is not one (add a host with --intercept-host).`);
    if (port !== wantedPort) return refuse(403, 'http_request_denied', `Rampart answers as ${printable(host)} on port ${wantedPort} only, not on ${port}.`);
    return { allowed: true, host };
  }
}

function refuse(status: 400 | 403, error: Refusal['error'], reason: string): Verdict {
  return { allowed: false, status, error, reason };
}

/** A hostile target may hold anything: keep it short and printable before echoing it. */
const printable = (text: string): string => text.replace(/[^\x21-\x7e]/g, '?').slice(0, 100);
