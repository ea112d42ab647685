import type { FastifyPluginAsync } from 'fastify';
import { csdlDocument } from '../odata/csdl.js';
import { ENTITY_SETS } from '../wire/entity-sets.js';

/** Built once: the schemas it comes from do not change while the process runs. */
const DOCUMENT = csdlDocument(ENTITY_SETS);

/**
 * `GET /api/$metadata` (and under /api/v1.0): the OData CSDL that every `@odata.context` points
 * at, for OData tooling. COMPAT: served without a token; it describes types, never data.
 */
export const metadataRoutes: FastifyPluginAsync<{ readonly hidden: boolean }> = async (app, { hidden }) => {
  const replies = { 200: { description: 'The CSDL document (EDMX XML)', type: 'string' } };
  const schema = { tags: ['operations'], summary: 'OData $metadata (CSDL) of the served entities', produces: ['application/xml'], hide: hidden };
  app.get('/$metadata', { config: { replies }, schema }, async (_request, reply) =>
    reply.type('application/xml; charset=utf-8').header('odata-version', '4.0').header('cache-control', 'public, max-age=3600').send(DOCUMENT),
  );
};
