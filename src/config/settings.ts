/**
 * Every setting once: its flag, its environment variable, its type, default and help text.
 * The CLI builds its options from this table and `loadConfig` resolves flags > environment >
 * defaults, validating each value once; the result is frozen.
 */
type Kind = 'int' | 'string' | 'boolean' | 'enum' | 'list';

interface Setting {
  readonly flag: string;
  readonly env: readonly string[];
  readonly kind: Kind;
  readonly help: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

export const SETTINGS = {
  port: { flag: 'port', env: ['PORT', 'RAMPART_PORT'], kind: 'int', min: 0, max: 65535, help: 'TCP port to listen on' },
  host: { flag: 'host', env: ['RAMPART_HOST', 'HOST'], kind: 'string', help: 'address to bind (0.0.0.0 to accept remote clients)' },
  dataDir: { flag: 'data-dir', env: ['RAMPART_DATA_DIR'], kind: 'string', help: 'folder holding the SQLite database (by default), the admin key and the session secret' },
  store: { flag: 'store', env: ['RAMPART_STORE'], kind: 'string', help: 'where the data lives: a postgres:// (or postgresql://) URL, or sqlite:<file>; default sqlite:<data-dir>/rampart.db' },
  poolSize: { flag: 'pool-size', env: ['RAMPART_POOL_SIZE'], kind: 'int', min: 1, max: 1000, help: 'PostgreSQL connections per instance for requests (a few more serve limits, locks, the leader and the grouped value changes and reads by id)' },
  durability: { flag: 'durability', env: ['RAMPART_DURABILITY'], kind: 'enum', values: ['full', 'normal'], help: 'full: fsync every commit; normal: survive process crashes only' },
  issuer: { flag: 'issuer', env: ['RAMPART_ISSUER'], kind: 'string', help: 'base of the token issuer (iss = <issuer>/<tenant>/); default https://sts.rampart.local' },
  publicUrl: { flag: 'public-url', env: ['RAMPART_PUBLIC_URL'], kind: 'string', help: 'URL clients use to reach this server: every link in answers (@odata.context, nextLink, downloads) starts with it; default the address each connection reached' },
  logLevel: { flag: 'log-level', env: ['RAMPART_LOG_LEVEL'], kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], help: 'log level' },
  demo: { flag: 'demo', env: ['RAMPART_DEMO'], kind: 'boolean', help: 'provision the well-known demo tenant, applications and fleet' },
  demoMachines: { flag: 'demo-machines', env: ['RAMPART_DEMO_MACHINES'], kind: 'int', min: 1, max: 10_000_000, help: 'size of the generated demo fleet' },
  adminKey: { flag: 'admin-key', env: ['RAMPART_ADMIN_KEY'], kind: 'string', help: 'bearer key of the admin API (default: generated into <data-dir>/admin-key)' },
  sessionSecret: { flag: 'session-secret', env: ['RAMPART_SESSION_SECRET'], kind: 'string', help: 'key signing console sessions (default: generated into <data-dir>/session-secret)' },
  bodyLimit: { flag: 'body-limit', env: ['RAMPART_BODY_LIMIT'], kind: 'int', min: 1024, max: 104_857_600, help: 'largest accepted request body, bytes' },
  tokenCacheSize: { flag: 'token-cache-size', env: ['RAMPART_TOKEN_CACHE_SIZE'], kind: 'int', min: 0, max: 10_000_000, help: 'verified tokens remembered until they expire' },
  trustProxy: { flag: 'trust-proxy', env: ['RAMPART_TRUST_PROXY'], kind: 'boolean', help: 'trust X-Forwarded-Proto/Host (and the client address) from a reverse proxy in front; links follow them unless --public-url is set' },
  headersTimeout: { flag: 'headers-timeout', env: ['RAMPART_HEADERS_TIMEOUT'], kind: 'int', min: 100, max: 600_000, help: 'ms a connection has to send a complete request head (and to finish a TLS handshake); slower ones are answered 408 and closed' },
  requestTimeout: { flag: 'request-timeout', env: ['RAMPART_REQUEST_TIMEOUT'], kind: 'int', min: 100, max: 3_600_000, help: 'ms a client has to send a whole request, body included (at least --headers-timeout)' },
  keepAliveTimeout: { flag: 'keep-alive-timeout', env: ['RAMPART_KEEP_ALIVE_TIMEOUT'], kind: 'int', min: 100, max: 600_000, help: 'ms an idle keep-alive connection stays open after its last answer' },
  maxConnections: { flag: 'max-connections', env: ['RAMPART_MAX_CONNECTIONS'], kind: 'int', min: 1, max: 1_000_000, help: 'connections held at once; at the cap, the one idle longest is closed to admit a new one' },
  trustIssuer: { flag: 'trust-issuer', env: ['RAMPART_TRUST_ISSUER'], kind: 'string', help: 'also accept tokens of this issuer, {tenant} standing for the tid (e.g. https://sts.windows.net/{tenant}/)' },
  trustJwks: { flag: 'trust-jwks', env: ['RAMPART_TRUST_JWKS'], kind: 'string', help: "the trusted issuer's signing keys: a JWKS URL or a JWKS file" },
  trustAudiences: { flag: 'trust-audience', env: ['RAMPART_TRUST_AUDIENCES'], kind: 'list', help: 'audiences accepted from the trusted issuer (default: the Machine API resource URIs)' },
  trustTenants: { flag: 'trust-tenant', env: ['RAMPART_TRUST_TENANTS'], kind: 'list', help: 'tenants accepted from the trusted issuer (default: every tenant served)' },
  rateLimits: { flag: 'rate-limits', env: ['RAMPART_RATE_LIMITS'], kind: 'boolean', help: 'enforce rate limits for every tenant (tenants and applications can still turn them on or off)' },
  rateLimitPerMinute: { flag: 'rate-limit-per-minute', env: ['RAMPART_RATE_LIMIT_PER_MINUTE'], kind: 'int', min: 1, max: 100_000_000, help: 'calls per minute per tenant + application + operation' },
  rateLimitPerHour: { flag: 'rate-limit-per-hour', env: ['RAMPART_RATE_LIMIT_PER_HOUR'], kind: 'int', min: 1, max: 100_000_000, help: 'calls per hour per tenant + application + operation' },
  limits: { flag: 'limits', env: ['RAMPART_LIMITS'], kind: 'string', help: 'where rate-limit counters live: a redis:// URL; default the PostgreSQL store, or memory (saved to SQLite) for one instance' },
  journalSize: { flag: 'journal-size', env: ['RAMPART_JOURNAL_SIZE'], kind: 'int', min: 0, max: 1_000_000, help: 'requests kept per tenant in the request journal' },
  tenantFiles: { flag: 'tenant-file', env: ['RAMPART_TENANT_FILES'], kind: 'list', help: 'tenant files (JSON or YAML) or folders of them, comma-separated; applied at start' },
  pageSize: { flag: 'page-size', env: ['RAMPART_PAGE_SIZE'], kind: 'int', min: 1, max: 10_000, help: 'machines per page of GET /api/machines without $top (the real service: 10000)' },
  actionTimings: { flag: 'action-timings', env: ['RAMPART_ACTION_TIMINGS'], kind: 'enum', values: ['fast', 'instant', 'realistic'], help: 'how long machine actions take for tenants that do not say: fast (seconds), instant, or realistic (about a minute and more)' },
  shutdownTimeout: { flag: 'shutdown-timeout', env: ['RAMPART_SHUTDOWN_TIMEOUT'], kind: 'int', min: 0, max: 600_000, help: 'ms to let in-flight requests finish on SIGTERM' },
  tls: { flag: 'tls', env: ['RAMPART_TLS'], kind: 'boolean', help: 'also serve HTTPS on --tls-port, with a certificate of the local CA (rampart ca) or --tls-cert/--tls-key' },
  tlsPort: { flag: 'tls-port', env: ['RAMPART_TLS_PORT'], kind: 'int', min: 0, max: 65535, help: 'HTTPS port (default: --port + 1)' },
  tlsCert: { flag: 'tls-cert', env: ['RAMPART_TLS_CERT'], kind: 'string', help: "PEM file of your own certificate (chain) for the HTTPS port, with --tls-key" },
  tlsKey: { flag: 'tls-key', env: ['RAMPART_TLS_KEY'], kind: 'string', help: 'PEM file of the private key of --tls-cert' },
  proxy: { flag: 'proxy', env: ['RAMPART_PROXY'], kind: 'boolean', help: "answer CONNECT and absolute-form requests on the HTTP port for Microsoft's API and sign-in hosts, serving them itself (never forwarding)" },
  interceptHosts: { flag: 'intercept-host', env: ['RAMPART_INTERCEPT_HOSTS'], kind: 'list', help: 'more host names the proxy answers as (repeatable / comma-separated)' },
} as const satisfies Record<string, Setting>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** A PostgreSQL URL or `sqlite:<file>`; undefined: SQLite at <dataDir>/rampart.db (see store/open-store.ts). */
  readonly store: string | undefined;
  readonly poolSize: number;
  readonly durability: 'full' | 'normal';
  readonly issuer: string;
  readonly publicUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly demo: boolean;
  readonly demoMachines: number;
  readonly adminKey: string | undefined;
  readonly sessionSecret: string | undefined;
  readonly bodyLimit: number;
  readonly tokenCacheSize: number;
  readonly trustProxy: boolean;
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxConnections: number;
  readonly trustIssuer: string | undefined;
  readonly trustJwks: string | undefined;
  readonly trustAudiences: readonly string[];
  readonly trustTenants: readonly string[];
  readonly rateLimits: boolean;
  readonly rateLimitPerMinute: number;
  readonly rateLimitPerHour: number;
  /** A redis:// URL, or undefined: counted in the store (PostgreSQL) or in memory (SQLite). */
  readonly limits: string | undefined;
  readonly journalSize: number;
  readonly tenantFiles: readonly string[];
  readonly pageSize: number;
  readonly actionTimings: 'fast' | 'instant' | 'realistic';
  readonly shutdownTimeout: number;
  readonly tls: boolean;
  /** Resolved: --tls-port, else --port + 1 (0 when --port is 0). */
  readonly tlsPort: number;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly proxy: boolean;
  readonly interceptHosts: readonly string[];
}

/**
 * The issuer is an identifier, not an address: a fixed default keeps tokens valid whatever port
 * or host an instance listens on, so `rampart token` and every instance of a deployment agree.
 */
export const DEFAULT_ISSUER = 'https://sts.rampart.local';

export const DEFAULTS = {
  port: 4321,
  host: '127.0.0.1',
  dataDir: './data',
  poolSize: 10,
  durability: 'full',
  logLevel: 'info',
  demo: true,
  demoMachines: 300,
  bodyLimit: 1_048_576,
  tokenCacheSize: 100_000,
  trustProxy: false,
  // Generous for a slow client, short enough that idle or trickling connections do not pile up.
  headersTimeout: 20_000,
  requestTimeout: 120_000,
  keepAliveTimeout: 72_000,
  // Under the usual 1024 open files, with room for the database and the log.
  maxConnections: 800,
  rateLimits: false,
  rateLimitPerMinute: 100,
  rateLimitPerHour: 1500,
  journalSize: 1000,
  trustAudiences: [],
  trustTenants: [],
  tenantFiles: [],
  pageSize: 10_000,
  actionTimings: 'fast',
  shutdownTimeout: 10_000,
  tls: false,
  proxy: true,
  interceptHosts: [],
} as const;

export type SettingName = keyof typeof SETTINGS;
