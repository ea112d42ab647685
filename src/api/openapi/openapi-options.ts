import type { SwaggerOptions } from '@fastify/swagger';
import { EXAMPLES } from './examples.js';
import { documentRoute, restorePaths } from './route-document.js';

type Json = Record<string, unknown>;

const TAGS = [
  { name: 'machines', description: 'The Machine API: machines, device values, tags (docs/compat.md)' },
  { name: 'machineactions', description: 'Machine actions: isolate, scan, restrict, collect, offboard, quarantine, live response' },
  { name: 'investigations', description: 'Automated investigations' },
  { name: 'alerts', description: 'Alerts' },
  { name: 'authority', description: 'The built-in Entra-compatible authority: tokens, discovery, signing keys' },
  { name: 'admin', description: "Rampart's own admin API, under the admin key" },
  { name: 'operations', description: 'Health, readiness, metrics and the OData $metadata document' },
];

/**
 * The OpenAPI document's settings: what every route contributes goes through documentRoute,
 * and the finished document gets its examples here (by operationId, from the operation table).
 */
export function openApiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Rampart Machine API',
        version: '1.0',
        description: 'Microsoft Defender for Endpoint Machine API, self-hosted. Every path is also served under /api/v1.0.',
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      // Relative: the document describes the server that serves it, whatever address it is reached by.
      servers: [{ url: '/', description: 'this Rampart server' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An access token from Rampart's token endpoint (or a trusted Entra tenant)" },
          adminKey: { type: 'http', scheme: 'bearer', description: 'The admin key (rampart admin-key)' },
        },
      },
    },
    transform: documentRoute,
    transformObject: (documents) => addExamples(('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject) as Json),
  };
}

/** Puts each operation's example on its request body and its success answer. */
function addExamples(document: Json): Json {
  document.paths = restorePaths((document.paths ?? {}) as Json);
  const paths = document.paths as Record<string, Record<string, Json>>;
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const example = EXAMPLES[operation.operationId as keyof typeof EXAMPLES];
      if (!example) continue;
      const body = (operation.requestBody as { content?: Record<string, Json> } | undefined)?.content?.['application/json'];
      if (body && example.request !== undefined) body.example = example.request;
      const responses = (operation.responses ?? {}) as Record<string, { content?: Record<string, Json> }>;
      const success = Object.keys(responses).find((status) => status.startsWith('2'));
      const content = success === undefined ? undefined : responses[success]?.content?.['application/json'];
      // An operation whose documented answer is an empty body (batchUpdate) has no content to show.
      if (success !== undefined && example.response === undefined) delete responses[success]?.content;
      else if (content) content.example = example.response;
    }
  }
  return document;
}
