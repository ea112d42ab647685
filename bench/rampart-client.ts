/**
 * The few plain HTTP calls the bench makes outside the load runs: a token, and the capture pass
 * that both checks every machine we will load answers 200 and records a real reply for the bare
 * server to send. Every call has a deadline.
 */
import Database from 'better-sqlite3';
import { DEMO_APP, DEMO_TENANT_ID } from '../src/config/demo.js';

const DEADLINE_MS = 10_000;

export async function fetchToken(base: string): Promise<string> {
  const response = await fetch(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEMO_APP.clientId,
      client_secret: DEMO_APP.clientSecret,
      scope: 'https://api.securitycenter.microsoft.com/.default',
    }),
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export interface Capture {
  /** One real setDeviceValue reply body, the one nearest the mean size. */
  readonly entity: Buffer;
  readonly contentType: string;
  readonly meanBytes: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** setDeviceValue calls that answered 200 (each must have left a history row). */
  readonly writes: number;
}

/**
 * One setDeviceValue and one GET per machine, sequentially; throws on anything but 200, so a
 * wrong id list or a broken server fails before any load is sent.
 */
export async function captureReplies(base: string, headers: Record<string, string>, paths: readonly string[], bodies: readonly string[], shift = 0): Promise<Capture> {
  const replies: Buffer[] = [];
  let contentType = '';
  for (const [i, path] of paths.entries()) {
    // `shift`: a second instance capturing the same machines sets each to another value, a real change.
    const post = await fetch(`${base}${path}/setDeviceValue`, { method: 'POST', headers, body: bodies[(i + shift) % bodies.length]!, signal: AbortSignal.timeout(DEADLINE_MS) });
    const reply = Buffer.from(await post.arrayBuffer());
    if (post.status !== 200) throw new Error(`capture: POST ${path}/setDeviceValue answered ${post.status}: ${reply.toString('utf8').slice(0, 300)}`);
    contentType = post.headers.get('content-type') ?? '';
    replies.push(reply);
    const get = await fetch(`${base}${path}`, { headers: { authorization: headers.authorization! }, signal: AbortSignal.timeout(DEADLINE_MS) });
    const got = await get.text();
    if (get.status !== 200) throw new Error(`capture: GET ${path} answered ${get.status}: ${got.slice(0, 300)}`);
  }
  const sizes = replies.map((r) => r.length);
  const meanBytes = sizes.reduce((s, v) => s + v, 0) / sizes.length;
  const nearest = replies.reduce((best, r) => (Math.abs(r.length - meanBytes) < Math.abs(best.length - meanBytes) ? r : best));
  return { entity: nearest, contentType, meanBytes, minBytes: Math.min(...sizes), maxBytes: Math.max(...sizes), writes: replies.length };
}

export interface DurabilityCheck {
  readonly status: 'PASS' | 'FAIL' | 'SKIPPED';
  readonly detail: string;
}

/**
 * After the server has stopped: every setDeviceValue that answered 200 with a real change must
 * have left a committed history row. Two things blur the count by at most one request per
 * connection and load run, `allowance` in all: a request cut off in flight at the end of a run may
 * have committed without a reply counted (a row more), and the first request of a connection in a
 * run may set the value its machine already has, which answers 200 and is no history (a no-op, as
 * the real service; a row fewer). Each connection keeps to one machine and cycles through the
 * values, so every later request is a real change. Reads the schema as of writing
 * (value_history.route); if that changed, the check reports SKIPPED rather than guessing.
 */
export function checkHistory(dbPath: string, acknowledged: number, allowance: number): DurabilityCheck {
  let rows: number;
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      rows = (db.prepare(`SELECT count(*) AS n FROM value_history WHERE route = 'setDeviceValue'`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch (error) {
    return { status: 'SKIPPED', detail: `could not read history: ${error instanceof Error ? error.message : String(error)}` };
  }
  return historyVerdict(rows, acknowledged, allowance);
}

/** As many history rows as acknowledged writes, give or take one per connection and run (see checkHistory). */
export function historyVerdict(rows: number, acknowledged: number, allowance: number): DurabilityCheck {
  const detail = `${rows} history rows for ${acknowledged} acknowledged writes (up to ${allowance} more or fewer allowed: requests cut off in flight, a first request setting the value a machine had)`;
  return { status: Math.abs(rows - acknowledged) > allowance ? 'FAIL' : 'PASS', detail };
}

/** The setDeviceValue bodies every benchmark cycles through. */
export const BODIES = ['{"DeviceValue":"High"}', '{"DeviceValue":"Low"}', '{"DeviceValue":"Normal"}'];

export interface ActionCapture {
  /** Machines whose scan succeeded at once (Active devices): a scan can be requested again right away. */
  readonly machinePaths: string[];
  /** One action per such machine, to poll by id. */
  readonly actionIds: string[];
  /** One real GET-action reply, the one nearest the mean size, for the bare server. */
  readonly entity: Buffer;
  readonly contentType: string;
}

/**
 * One antivirus scan per machine (the server runs with instant action timings) and one read of
 * each; throws on anything but 201 and 200. Devices that are not Active never pick an action up,
 * so their scan stays Pending and they are left out of the load.
 */
export async function captureActions(base: string, headers: Record<string, string>, machinePaths: readonly string[], body: string): Promise<ActionCapture> {
  const paths: string[] = [];
  const ids: string[] = [];
  const replies: Buffer[] = [];
  let contentType = '';
  for (const path of machinePaths) {
    const post = await fetch(`${base}${path}/runAntiVirusScan`, { method: 'POST', headers, body, signal: AbortSignal.timeout(DEADLINE_MS) });
    const created = (await post.json()) as { id?: string; status?: string };
    if (post.status !== 201 || !created.id) throw new Error(`capture: POST ${path}/runAntiVirusScan answered ${post.status}: ${JSON.stringify(created).slice(0, 300)}`);
    if (created.status !== 'Succeeded') continue;
    const get = await fetch(`${base}/api/machineactions/${created.id}`, { headers: { authorization: headers.authorization! }, signal: AbortSignal.timeout(DEADLINE_MS) });
    const reply = Buffer.from(await get.arrayBuffer());
    if (get.status !== 200) throw new Error(`capture: GET /api/machineactions/${created.id} answered ${get.status}`);
    contentType = get.headers.get('content-type') ?? '';
    paths.push(path);
    ids.push(created.id);
    replies.push(reply);
  }
  if (replies.length === 0) throw new Error('capture: no Active machine among those loaded');
  const mean = replies.reduce((sum, r) => sum + r.length, 0) / replies.length;
  const entity = replies.reduce((best, r) => (Math.abs(r.length - mean) < Math.abs(best.length - mean) ? r : best));
  return { machinePaths: paths, actionIds: ids, entity, contentType };
}
