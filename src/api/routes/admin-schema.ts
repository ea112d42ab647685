/**
 * Route options of an admin API route: its OpenAPI entry (under the admin key) and, for the
 * routes that do not answer 200, the status the document shows (route-document.ts).
 */
export const adminRoute = (summary: string, status?: 201 | 204) => ({
  schema: { tags: ['admin'], summary, security: [{ adminKey: [] }] },
  config: { replies: status === 204 ? NO_CONTENT : status === 201 ? CREATED : {} },
});

const NO_CONTENT = { 204: { description: 'Done; no body', type: 'null' } };
const CREATED = { 201: { description: 'Created: the fault rule as stored', type: 'object', additionalProperties: true } };
