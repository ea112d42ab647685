import assert from 'node:assert/strict';
import { request } from 'node:http';
import { DEVICE_VALUES } from '../../src/domain/machines/device-value.js';
import { call } from './server.js';

/** Assertions on the exact wire form of Machine API answers (spec sections 1, 2 and 6). */

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';
export const ODATA_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';
/** UTC, `Z`, up to 7 fractional digits, trailing zeros dropped. */
export const WIRE_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,6}[1-9])?Z$/;

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly target: string;
}

/** A response read to the end: from fetch or from a raw node:http request. */
export interface WireReply {
  readonly status: number;
  header(name: string): string | undefined;
  readonly text: string;
}

export async function replyOf(response: Response): Promise<WireReply> {
  const text = await response.text();
  return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text };
}

/**
 * The exact single-entity envelope of an OData answer: status, content type, `odata-version`,
 * a GUID `request-id`, `$metadata#<set>/$entity` and then exactly `keys`, in order.
 */
export async function expectEntityEnvelope(response: Response, status: number, base: string, entitySet: string, keys: readonly string[]): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('content-type'), ODATA_CONTENT_TYPE);
  assert.equal(response.headers.get('odata-version'), '4.0');
  assert.match(response.headers.get('request-id') ?? '', GUID);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['@odata.context', ...keys]);
  assert.equal(body['@odata.context'], `${base}/api/$metadata#${entitySet}/$entity`);
  return body;
}

/** No stack frame and no server file path in an answer. */
export function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /\n\s*at \S.*:\d+:\d+/, 'a stack trace leaked');
  assert.doesNotMatch(text, /\bat (async )?\S+ \((file:\/\/|\/)[^)]*:\d+:\d+\)/, 'a stack frame leaked');
  assert.ok(!text.includes(process.cwd()), 'a server path leaked');
  assert.doesNotMatch(text, /node_modules|\/src\/\S+\.(ts|js)\b/, 'a source path leaked');
}

/**
 * The exact MDE error envelope: `{"error":{"code","message","target"}}` and nothing else,
 * `target` equal to the GUID `request-id` header, the error content type, no internals.
 */
export function assertEnvelope(reply: WireReply, status?: number, code?: string, message?: string | RegExp): ErrorBody {
  const where = `${reply.status} ${reply.text.slice(0, 300)}`;
  if (status !== undefined) assert.equal(reply.status, status, where);
  assert.equal(reply.header('content-type'), ERROR_CONTENT_TYPE, where);
  const requestId = reply.header('request-id') ?? '';
  assert.match(requestId, GUID, `request-id header: ${where}`);
  let body: unknown;
  assert.doesNotThrow(() => (body = JSON.parse(reply.text)), where);
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), where);
  assert.deepEqual(Object.keys(body), ['error'], where);
  const error = (body as { error: unknown }).error;
  assert.ok(typeof error === 'object' && error !== null && !Array.isArray(error), where);
  assert.deepEqual(Object.keys(error), ['code', 'message', 'target'], where);
  const e = error as ErrorBody;
  assert.equal(typeof e.code, 'string', where);
  assert.equal(typeof e.message, 'string', where);
  assert.ok(e.message.length > 0, where);
  assert.equal(e.target, requestId, where);
  if (code !== undefined) assert.equal(e.code, code, where);
  if (typeof message === 'string') assert.equal(e.message, message, where);
  else if (message) assert.match(e.message, message, where);
  assertNoInternals(reply.text);
  return e;
}

export async function expectError(response: Response, status: number, code: string, message?: string | RegExp): Promise<ErrorBody> {
  return assertEnvelope(await replyOf(response), status, code, message);
}

/** A 200 single-entity answer with the OData headers; returns the parsed body. */
export function assertEntity(reply: WireReply): Record<string, unknown> {
  const where = `${reply.status} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, 200, where);
  assert.equal(reply.header('content-type'), ODATA_CONTENT_TYPE, where);
  assert.equal(reply.header('odata-version'), '4.0', where);
  assert.match(reply.header('request-id') ?? '', GUID, where);
  const body = JSON.parse(reply.text) as Record<string, unknown>;
  assert.match(String(body['@odata.context']), /^https?:\/\/[^/]+\/api\/\$metadata#Machines\/\$entity$/, where);
  assert.ok((DEVICE_VALUES as readonly unknown[]).includes(body.deviceValue), where);
  return body;
}

export async function expectEntity(response: Response): Promise<Record<string, unknown>> {
  return assertEntity(await replyOf(response));
}

export interface RawRequest {
  readonly method: string;
  /** Sent byte for byte as the request target (no URL normalisation, unlike fetch). */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

/** One request on its own connection (a server closing it after a client error cannot break the next). */
export function rawRequest(base: string, options: RawRequest): Promise<WireReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const header = (name: string) => {
            const value = res.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value;
          };
          resolve({ status: res.statusCode ?? 0, header, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${options.method} ${options.path.slice(0, 100)}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A POST/PATCH of a JSON text with the token; `body` is sent exactly as given. */
export function send(url: string, token: string, method: 'POST' | 'PATCH', body: string, contentType = 'application/json'): Promise<Response> {
  return call(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
}

export function get(url: string, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
}
