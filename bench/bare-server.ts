/**
 * The ceiling Rampart is compared with: a bare `node:http` server doing the least any server of
 * this API must do — read the body, JSON.parse it, answer a fixed machine entity. The entity is a
 * real Rampart reply captured by bench/run.ts, so both sides send the same bytes: same body, same
 * content-type, and the same extra headers (request-id, odata-version, Keep-Alive timeout) so the
 * header block matches too.
 *
 * Run as a child process: `node --import tsx bench/bare-server.ts`. tsx only transpiles this file
 * at load; the request path is plain node:http with no loader hooks involved.
 *
 * Environment: PORT, BENCH_ENTITY_FILE (the reply body), BENCH_CONTENT_TYPE.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const entityFile = process.env.BENCH_ENTITY_FILE;
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json';
if (!entityFile) throw new Error('BENCH_ENTITY_FILE is required');

const entity = readFileSync(entityFile);
// Fixed strings of the same length as Rampart's (a UUID request id): equal header bytes.
const headers = {
  'request-id': '00000000-0000-4000-8000-000000000000',
  'content-type': contentType,
  'odata-version': '4.0',
  'content-length': String(entity.length),
};

function reply(res: ServerResponse): void {
  res.writeHead(200, headers);
  res.end(entity);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') return reply(res);
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad json');
      return;
    }
    reply(res);
  });
}

const server = createServer(handle);
// Fastify (Rampart) advertises `Keep-Alive: timeout=72`; match it so headers are the same size.
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`bare server listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
