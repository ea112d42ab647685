import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { OPERATIONS } from '../src/api/operations.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';

type Json = Record<string, unknown>;
interface OperationObject {
  readonly operationId?: string;
  readonly summary?: string;
  readonly security?: readonly Record<string, unknown>[];
  readonly parameters?: readonly { name: string; in: string }[];
  readonly requestBody?: { content: Record<string, { schema?: Json; example?: unknown }> };
  readonly responses: Record<string, { description: string; content?: Record<string, { schema?: Json; example?: unknown }> }>;
}
type Paths = Record<string, Record<string, OperationObject>>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Operations whose documented answer is 200 with an empty body. */
const EMPTY_ANSWERS = new Set(['BatchUpdateAlerts']);

describe('the OpenAPI document', () => {
  let server: TestServer;
  let text: string;
  let document: { servers?: { url: string }[]; paths: Paths; components: { securitySchemes: Json } };
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as OperationObject })));
  const byId = (id: string) => operations().find((o) => o.op.operationId === id);

  before(async () => {
    server = await startTestServer();
    const response = await call(`${server.base}/openapi.json`);
    assert.equal(response.status, 200);
    text = await response.text();
    document = JSON.parse(text) as typeof document;
  });
  after(() => server.close());

  it("has no errors under Redocly's recommended rules, and every example fits its schema", async () => {
    const config = await createConfig({ extends: ['recommended'], rules: { 'no-invalid-media-type-examples': 'error', 'no-invalid-schema-examples': 'error' } });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    const describe = (p: (typeof problems)[number]) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`;
    assert.deepEqual(problems.filter((p) => p.severity === 'error').map(describe), []);
    // The only warnings left: public routes that refuse nothing (probes, instance discovery,
    // signing keys, $metadata) have no 4xx answer to document.
    const warnings = problems.filter((p) => p.severity === 'warn');
    for (const w of warnings) {
      assert.equal(w.ruleId, 'operation-4xx-response', describe(w));
      const [, path, method] = /^#\/paths\/([^/]+)\/([a-z]+)\/responses$/.exec(w.location[0]?.pointer ?? '') ?? [];
      const op = document.paths[(path ?? '').replace(/~1/g, '/').replace(/~0/g, '~')]?.[method ?? ''];
      assert.deepEqual(op?.security, [], describe(w));
    }
  });

  it('leaves out the console, the docs page, download links and /', () => {
    const paths = Object.keys(document.paths);
    assert.deepEqual(paths.filter((p) => /^\/(console|docs|downloads|openapi\.json)(\/|$)|^\/$/.test(p)), []);
    assert.ok(paths.includes('/api/machines'));
    assert.ok(!paths.some((p) => p.startsWith('/api/v1.0/')), 'the versioned copy is said once, in the description');
  });

  it('documents every served row of the operation table with security, errors and an example, and no other', () => {
    for (const row of OPERATIONS) {
      const found = byId(row.id);
      if (!row.implemented) {
        assert.equal(found, undefined, `${row.id} is not served yet`);
        continue;
      }
      assert.ok(found, `${row.id} is documented`);
      assert.equal(found.method, row.method.toLowerCase());
      assert.equal(found.op.summary, row.summary);
      assert.deepEqual(found.op.security, [{ bearer: [] }]);
      const success = Object.keys(found.op.responses).filter((s) => s.startsWith('2'));
      assert.equal(success.length, 1, `${row.id}: one success status`);
      const answer = found.op.responses[success[0] as string];
      if (EMPTY_ANSWERS.has(row.id)) assert.equal(answer?.content, undefined, `${row.id}: an empty body`);
      else assert.ok(answer?.content?.['application/json']?.example, `${row.id}: an example answer`);
      if (found.op.requestBody) assert.ok(found.op.requestBody.content['application/json']?.example, `${row.id}: an example body`);
      for (const status of ['400', '401', '403', '429', '500', '503']) {
        const schema = found.op.responses[status]?.content?.['application/json']?.schema as { properties?: { error?: { properties?: Json } } } | undefined;
        assert.deepEqual(Object.keys(schema?.properties?.error?.properties ?? {}), ['code', 'message', 'target'], `${row.id}: ${status} in the envelope`);
      }
    }
  });

  it('declares the arguments of function-style paths as path parameters', () => {
    const byIp = byId('FindMachinesByIp');
    assert.equal(byIp?.path, "/api/machines/findbyip(ip='{ip}',timestamp={timestamp})");
    assert.deepEqual(byIp?.op.parameters?.map((p) => `${p.in}:${p.name}`), ['path:ip', 'path:timestamp']);
    const link = byId('GetLiveResponseResultDownloadLink');
    assert.equal(link?.path, '/api/machineactions/{actionId}/GetLiveResponseResultDownloadLink(index={index})');
    assert.deepEqual(link?.op.parameters?.map((p) => `${p.in}:${p.name}`), ['path:actionId', 'path:index']);
    assert.ok(byId('GetMachine')?.op.responses['404'], 'an addressed entity may be missing');
    assert.equal(byId('ListMachines')?.op.responses['404'], undefined);
  });

  it('documents the admin statuses as the routes answer them, under the admin key', () => {
    const faults = document.paths['/admin/tenants/{tenantId}/faults'];
    assert.deepEqual(Object.keys(faults?.post?.responses ?? {}).filter((s) => s.startsWith('2')), ['201']);
    assert.deepEqual(Object.keys(faults?.delete?.responses ?? {}).filter((s) => s.startsWith('2')), ['204']);
    assert.equal(faults?.delete?.responses['204']?.content, undefined);
    assert.deepEqual(faults?.post?.security, [{ adminKey: [] }]);
    const revoke = document.paths['/admin/tenants/{tenantId}/users/{user}/console-sessions/revoke'];
    assert.deepEqual(Object.keys(revoke?.post?.responses ?? {}).filter((s) => s.startsWith('2')), ['204']);
  });

  it('documents the token endpoints as form-encoded requests, public, with Entra errors', () => {
    for (const [path, audience] of [['/{tenant}/oauth2/v2.0/token', 'scope'], ['/{tenant}/oauth2/token', 'resource']] as const) {
      const token = document.paths[path]?.post;
      const form = token?.requestBody?.content['application/x-www-form-urlencoded']?.schema as { properties?: Json; required?: string[] } | undefined;
      assert.ok(form, `${path} takes a form`);
      assert.deepEqual(form.required, ['grant_type', 'client_id', audience]);
      assert.deepEqual(token?.security, []);
      assert.ok((token?.responses['400']?.content?.['application/json']?.schema as { properties?: Json })?.properties?.error_description);
    }
  });

  it('names its security schemes and a server', () => {
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['adminKey', 'bearer']);
    assert.deepEqual(document.servers?.map((s) => s.url), ['/']);
  });
});
