import type { RouteOptions } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { ErrorSchema } from '../wire/machine-schema.js';
import type { Operation, OperationId } from '../operations.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Answers the OpenAPI document shows that no response schema serialises: a 201 or 204 of
     * the admin API, Entra's token answer. Documentation only (a response schema would also
     * filter what is sent).
     */
    replies?: Readonly<Record<number, object>>;
  }
}

/** The arguments some operations take inside their last path segment, OData function style. */
const FUNCTION_CALLS: Partial<Record<OperationId, { readonly call: string; readonly params: Record<string, TSchema> }>> = {
  FindMachinesByIp: {
    call: "findbyip(ip='{ip}',timestamp={timestamp})",
    params: {
      ip: Type.String({ description: 'an internal IPv4 or IPv6 address' }),
      timestamp: Type.String({ format: 'date-time', description: 'machines that held the address within 15 minutes either side of this time' }),
    },
  },
  GetLiveResponseResultDownloadLink: {
    call: 'GetLiveResponseResultDownloadLink(index={index})',
    params: { index: Type.Integer({ minimum: 0, description: "the command's index in the action" }) },
  },
};

/**
 * @fastify/swagger reads `(` in a path as the start of a Fastify regular expression: the call's
 * parentheses travel as these two characters and restorePaths puts them back.
 */
const OPEN = '\u2985';
const CLOSE = '\u2986';

/** The document's paths with the function calls' parentheses back in place. */
export function restorePaths(paths: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(paths).map(([path, item]) => [path.replace(OPEN, '(').replace(CLOSE, ')'), item]));
}

/** What each path parameter of the route table means. */
const PATH_PARAMS: Record<string, TSchema> = {
  machineId: Type.String({ description: 'machine id, aadDeviceId or computerDnsName' }),
  actionId: Type.String({ description: 'machine action id (a GUID)' }),
  investigationId: Type.String({ description: 'investigation id' }),
  alertId: Type.String({ description: 'alert id' }),
  tenantId: Type.String({ description: 'tenant id (a GUID)' }),
  tenant: Type.String({ description: 'tenant id (a GUID), or a domain of the tenant' }),
};

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Bad request: a body, query or path argument is not valid',
  401: 'No valid credentials: missing, expired or not accepted',
  403: 'The caller lacks the permission, or the device is outside its device groups',
  404: 'Not found, or not visible to the caller',
  429: 'Rate limit exceeded: Retry-After says when to come back',
  500: 'Internal error (or one a fault rule asked for); the target is in the server log',
  503: 'Unavailable (shutting down, a shared service down, or a fault rule); Retry-After may say when',
};

const envelope = (status: number) => ({ ...ErrorSchema, description: ERROR_MEANINGS[status] ?? 'Error' });

/** The paths the document leaves out: the console's HTML pages, the docs themselves, download links, `/`. */
const UNDOCUMENTED = /^\/(console|docs|openapi\.json|downloads)(\/|$)|^\/$/;

interface Transformed {
  readonly schema: Record<string, unknown>;
  readonly url: string;
}

/**
 * @fastify/swagger's per-route transform: the one place that decides how a route reads in the
 * OpenAPI document. Machine API routes get their security, every error status with the error
 * envelope and function-style paths from the operation table, so a row that becomes implemented
 * (the alerts) is documented like the others without touching this file.
 */
export function documentRoute({ schema, url, route }: { schema: unknown; url: string; route: RouteOptions }): Transformed {
  const given = (schema ?? {}) as Record<string, unknown>;
  if (UNDOCUMENTED.test(url)) return { schema: { ...given, hide: true }, url };
  const operation = route.config?.operation;
  const replies = route.config?.replies ?? {};
  const response = { ...((given.response as Record<string, unknown> | undefined) ?? {}), ...replies };
  if (operation) return machineApiRoute(given, url, response, operation);
  const params = pathParams(url);
  const method = typeof route.method === 'string' ? route.method : (route.method[0] ?? 'GET');
  const errors = url.startsWith('/admin/') ? [...(params ? [404] : []), 400, 401, 500] : [];
  return {
    url,
    schema: {
      ...given,
      operationId: given.operationId ?? operationIdOf(method, url),
      ...(params && !given.params ? { params } : {}),
      // Routes that name no security are public: health, the authority, $metadata.
      security: given.security ?? [],
      response: withErrors(withSuccess(response), errors),
    },
  };
}

function machineApiRoute(given: Record<string, unknown>, url: string, response: Record<string, unknown>, operation: Operation): Transformed {
  const call = FUNCTION_CALLS[operation.id];
  if (url.endsWith('*') && !call) throw new Error(`${operation.id}: a wildcard path needs its function call in FUNCTION_CALLS`);
  const documented = call ? url.replace(/[^/]*\*$/, call.call.replace('(', OPEN).replace(/\)$/, CLOSE)) : url;
  const params = Type.Object({ ...(pathParams(url)?.properties ?? {}), ...(call?.params ?? {}) });
  const addressed = Object.keys(params.properties).length > 0;
  const errors = [400, 401, 403, ...(addressed ? [404] : []), 429, 500, 503];
  return {
    url: documented,
    schema: {
      ...given,
      ...(addressed ? { params } : {}),
      security: [{ bearer: [] }],
      // The route's runtime error serialisers cover 400-404 everywhere; the document says which apply.
      response: withErrors(withSuccess(successes(response)), errors),
    },
  };
}

const successes = (response: Record<string, unknown>) => Object.fromEntries(Object.entries(response).filter(([status]) => Number(status) < 400));

/** `DELETE /admin/tenants/:tenantId/faults/:ruleId` -> `deleteAdminTenantsTenantIdFaultsRuleId`: routes outside the table get a stable id too. */
function operationIdOf(method: string, url: string): string {
  const words = url.split(/[/.:\-]/).filter((w) => w !== '');
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

/** The `:name` parameters of a Fastify path, described; undefined when it has none. */
function pathParams(url: string) {
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  if (names.length === 0) return undefined;
  return Type.Object(Object.fromEntries(names.map((name) => [name, PATH_PARAMS[name] ?? Type.String()])));
}

/** A route without a documented success gets a plain 200, described. */
function withSuccess(response: Record<string, unknown>): Record<string, unknown> {
  const documented = Object.keys(response).some((status) => status.startsWith('2'));
  return documented ? response : { 200: { description: 'OK', type: 'object', additionalProperties: true }, ...response };
}

function withErrors(response: Record<string, unknown>, statuses: readonly number[]): Record<string, unknown> {
  const out = { ...response };
  for (const status of statuses) out[status] = envelope(status);
  return out;
}
