import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import { signedIn } from './console-context.js';
import { inventoryCsv } from './inventory-csv.js';
import { matchingMachines } from './inventory-stream.js';
import { FIRST_PAGE, parseInventoryView } from './inventory-view.js';

/**
 * The inventory view as CSV: the same query string as the page, every matching device (not
 * just one page), in the page's order, streamed batch by batch so memory stays flat on a
 * million machines. Parsing, the permission check and the first read happen before the first
 * byte, so a bad filter or a refusal is an error page, not a broken file.
 */
export const exportRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  app.get('/machines.csv', async (request, reply) => {
    const { principal } = signedIn(request);
    const view = { ...parseInventoryView(request.query as Record<string, unknown>), ...FIRST_PAGE };
    const batches = await matchingMachines(deps, principal, view);
    const chunks = inventoryCsv(batches);
    const header = await chunks.next();
    const first = await chunks.next();
    async function* rest(): AsyncGenerator<string> {
      if (!header.done) yield header.value;
      if (!first.done) yield first.value;
      yield* chunks;
    }
    // A failure after the first byte can only end the download early: the status is already sent.
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="devices-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.csv"`)
      .send(Readable.from(rest(), { objectMode: false }));
  });
};
