import { Worker } from 'node:worker_threads';

/**
 * Starts one of this folder's worker threads by its base name (`checkpoint-worker`). From the
 * build the worker is plain JavaScript. Under tsx (tests, `npm run rampart`) the sources are
 * TypeScript and a worker thread does not inherit tsx's loader, so it registers it first.
 */
export function startWorker(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
