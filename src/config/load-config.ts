import { DEFAULT_ISSUER, DEFAULTS, SETTINGS, type Config, type SettingName } from './settings.js';

export class ConfigError extends Error {}

type Raw = string | boolean | number | readonly string[] | undefined;

/**
 * Resolves every setting: a flag wins over the environment, which wins over the default.
 * A bad value throws ConfigError with one line naming the flag or variable.
 */
export function loadConfig(flags: Readonly<Record<string, Raw>>, env: NodeJS.ProcessEnv = process.env): Config {
  const value = (name: SettingName): unknown => {
    const setting = SETTINGS[name];
    const fromFlag = flags[name];
    if (fromFlag !== undefined) return parse(name, `--${setting.flag}`, fromFlag);
    for (const variable of setting.env) {
      const fromEnv = env[variable];
      if (fromEnv !== undefined && fromEnv !== '') return parse(name, variable, fromEnv);
    }
    return (DEFAULTS as Record<string, unknown>)[name];
  };
  const port = value('port') as number;
  if ((value('trustIssuer') === undefined) !== (value('trustJwks') === undefined)) {
    throw new ConfigError('--trust-issuer and --trust-jwks go together: give both or neither');
  }
  const sessionSecret = value('sessionSecret') as string | undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 16) throw new ConfigError('--session-secret (RAMPART_SESSION_SECRET): must be at least 16 characters');
  return Object.freeze({
    port,
    host: value('host') as string,
    dataDir: value('dataDir') as string,
    store: value('store') as string | undefined,
    poolSize: value('poolSize') as number,
    durability: value('durability') as Config['durability'],
    issuer: ((value('issuer') as string | undefined) ?? DEFAULT_ISSUER).replace(/\/+$/, ''),
    publicUrl: ((value('publicUrl') as string | undefined) ?? '').replace(/\/+$/, ''),
    logLevel: value('logLevel') as Config['logLevel'],
    demo: value('demo') as boolean,
    demoMachines: value('demoMachines') as number,
    adminKey: value('adminKey') as string | undefined,
    sessionSecret,
    bodyLimit: value('bodyLimit') as number,
    tokenCacheSize: value('tokenCacheSize') as number,
    trustProxy: value('trustProxy') as boolean,
    ...connectionSettings(value),
    trustIssuer: value('trustIssuer') as string | undefined,
    trustJwks: value('trustJwks') as string | undefined,
    trustAudiences: Object.freeze([...(value('trustAudiences') as readonly string[])]),
    trustTenants: Object.freeze([...(value('trustTenants') as readonly string[])]),
    rateLimits: value('rateLimits') as boolean,
    rateLimitPerMinute: value('rateLimitPerMinute') as number,
    rateLimitPerHour: value('rateLimitPerHour') as number,
    limits: value('limits') as string | undefined,
    journalSize: value('journalSize') as number,
    tenantFiles: Object.freeze([...(value('tenantFiles') as readonly string[])]),
    pageSize: value('pageSize') as number,
    actionTimings: value('actionTimings') as Config['actionTimings'],
    shutdownTimeout: value('shutdownTimeout') as number,
    ...tlsSettings(port, value),
  });
}

/** Node refuses a headers time-out longer than the request time-out: say so with the flags' names. */
function connectionSettings(value: (name: SettingName) => unknown) {
  const headersTimeout = value('headersTimeout') as number;
  const requestTimeout = value('requestTimeout') as number;
  if (headersTimeout > requestTimeout) {
    throw new ConfigError(`--headers-timeout (${headersTimeout}) must not exceed --request-timeout (${requestTimeout})`);
  }
  return { headersTimeout, requestTimeout, keepAliveTimeout: value('keepAliveTimeout') as number, maxConnections: value('maxConnections') as number };
}

/** HTTPS and the forward proxy: the port next to --port unless told, certificate files given together. */
function tlsSettings(port: number, value: (name: SettingName) => unknown) {
  const tls = value('tls') as boolean;
  const tlsPort = (value('tlsPort') as number | undefined) ?? (port === 0 ? 0 : port + 1);
  if (tls && tlsPort > 65535) throw new ConfigError(`--tls-port (RAMPART_TLS_PORT): --port ${port} leaves no port after it; give one`);
  if (tls && tlsPort !== 0 && tlsPort === port) throw new ConfigError(`--tls-port (RAMPART_TLS_PORT): ${tlsPort} is the HTTP port already`);
  const tlsCert = value('tlsCert') as string | undefined;
  const tlsKey = value('tlsKey') as string | undefined;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  const interceptHosts = (value('interceptHosts') as readonly string[]).map((h) => h.toLowerCase().replace(/\.$/, ''));
  const bad = interceptHosts.find((h) => !HOST_NAME.test(h) || /^[\d.]+$/.test(h));
  if (bad !== undefined) throw new ConfigError(`--intercept-host (RAMPART_INTERCEPT_HOSTS): '${bad.slice(0, 100)}' is not a host name (no port, no IP address, no scheme)`);
  return { tls, tlsPort, tlsCert, tlsKey, proxy: value('proxy') as boolean, interceptHosts: Object.freeze(interceptHosts) };
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function parse(name: SettingName, source: string, raw: Raw): unknown {
  const setting = SETTINGS[name];
  const text = String(raw).trim();
  switch (setting.kind) {
    case 'int': {
      const n = Number(text);
      const { min, max } = setting;
      if (!/^-?\d+$/.test(text) || n < min || n > max) throw new ConfigError(`${source}: expected a whole number from ${min} to ${max}, got '${text}'`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new ConfigError(`${source}: expected true or false, got '${text}'`);
    }
    case 'enum':
      if (!setting.values.includes(text as never)) throw new ConfigError(`${source}: expected one of ${setting.values.join(', ')}, got '${text}'`);
      return text;
    case 'string':
      if (text === '') throw new ConfigError(`${source}: must not be empty`);
      if (name === 'store') checkStore(source, text);
      if (name === 'limits' && !/^rediss?:\/\/./i.test(text)) throw new ConfigError(`${source}: expected a redis:// or rediss:// URL`);
      if (name === 'publicUrl') checkPublicUrl(source, text);
      return text;
    case 'list':
      return (Array.isArray(raw) ? raw.map(String) : text.split(',')).map((item) => item.trim()).filter(Boolean);
  }
}

/** A store setting is a PostgreSQL URL or `sqlite:<file>`. Never echoes a URL: it may hold a password. */
/** Links are built by appending paths to it: an http(s) origin, optionally with a path prefix. */
function checkPublicUrl(source: string, text: string): void {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${source}: expected an http:// or https:// URL without query, fragment or credentials (e.g. https://rampart.example.com), got '${text.slice(0, 100)}'`);
  }
}

function checkStore(source: string, text: string): void {
  if (/^postgres(ql)?:\/\//i.test(text)) {
    if (!URL.canParse(text)) throw new ConfigError(`${source}: not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)`);
    return;
  }
  if (/^sqlite:./i.test(text)) return;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  throw new ConfigError(`${source}: expected a postgres:// or postgresql:// URL, or sqlite:<file>${scheme ? `, got a ${scheme}: address` : ''}`);
}
