/**
 * `npm run bench:console`: how long the web console's pages take on a large fleet (issue 7:
 * under 200 ms on a million machines). Seeds a fleet once into a temp folder kept between runs
 * (the same one `npm run bench:list` uses), or uses `--data-dir` with a fleet seeded there,
 * (`--store postgres://127.0.0.1/...`: a PostgreSQL database holding one, with `--count` its size),
 * starts the built server on it, signs in as the demo admin and asks each page `--rounds` times,
 * one request at a time: p50 and p99 of the whole request over loopback (the server's render time
 * plus well under a millisecond of HTTP). Timings are reported, never asserted.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_FLEET_SEED } from '../src/config/demo.js';
import { consoleGet as get, signIn } from './console-sign-in.js';
import { runBench, type ProcessGroup } from './processes.js';
import { cachedFleetDir } from './fleet-cache.js';
import { fetchToken } from './rampart-client.js';
import { buildServer, ROOT, startRampart } from './servers.js';

const TARGET_MS = 200;

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    'data-dir': { type: 'string' },
    /** A PostgreSQL database (on 127.0.0.1) holding a seeded fleet, e.g. the one `bench:list --store postgres` keeps. */
    store: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    'no-build': { type: 'boolean', default: false },
  },
});
const count = Number(args.count);

/** Pages people open, by what makes them slow on a big fleet: counts, filters, sorts, depth. `{mid}`: a machine id from the middle of the fleet. */
const PAGES: readonly { name: string; path: string }[] = [
  { name: 'first page (sort by name)', path: '' },
  { name: 'value = High', path: 'value=High' },
  { name: 'sort by risk, descending', path: 'sort=risk&dir=desc' },
  { name: 'sort by last seen, descending', path: 'sort=lastSeen&dir=desc' },
  { name: 'name prefix "web"', path: 'q=web' },
  { name: 'name prefix "web-1", sort by risk', path: 'q=web-1&sort=risk' },
  { name: 'deep page (after a machine in the middle)', path: 'after={mid}' },
  { name: 'deep page, value = High, by exposure', path: 'value=High&sort=exposure&after={mid}' },
  { name: 'last page', path: 'last=1' },
  { name: 'health = Inactive', path: 'health=Inactive' },
  { name: 'OS = Windows10 (clustered in name order)', path: 'os=Windows10' },
  { name: 'tag = VIP', path: 'tag=VIP' },
  { name: 'tag = VIP, sort by risk', path: 'tag=VIP&sort=risk&dir=desc' },
  { name: 'OS = iOS, health = Inactive, value = Low', path: 'os=iOS&health=Inactive&value=Low' },
  { name: 'health = Inactive and OS = Linux', path: 'health=Inactive&os=Linux' },
  { name: 'device group Lab, health = Inactive', path: 'group=103&health=Inactive' },
];

/** A machine id half way through the fleet in id order (a cursor far from both ends of any order). */
async function middleMachine(base: string): Promise<string> {
  const token = await fetchToken(base);
  const r = await fetch(`${base}/api/machines?$skip=${Math.floor(count / 2)}&$top=1&$select=id`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
  const id = ((await r.json()) as { value?: { id: string }[] }).value?.[0]?.id;
  if (!id) throw new Error('no machine in the middle of the fleet');
  return id;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

interface Result {
  readonly name: string;
  readonly path: string;
  readonly summary: string;
  readonly firstMs: number;
  readonly p50: number;
  readonly p99: number;
}

async function main(group: ProcessGroup): Promise<number> {
  if (!args['no-build']) {
    buildServer();
  }
  const store = args.store;
  if (store !== undefined && !['127.0.0.1', 'localhost'].includes(new URL(store).hostname)) throw new Error('--store must be a database on 127.0.0.1');
  const dataDir = args['data-dir'] ?? (store ? mkdtempSync(join(tmpdir(), 'rampart-console-bench-pg-')) : cachedFleetDir(count, DEMO_FLEET_SEED));
  const server = await startRampart(group, { dataDir, logLevel: 'warn', machines: 300, core: undefined, logFile: join(dataDir, 'console-bench-server.log'), ...(store ? { store } : {}) });
  const cookie = await signIn(server.base);
  const mid = await middleMachine(server.base);
  const rounds = Number(args.rounds);
  const results: Result[] = [];
  for (const page of PAGES) {
    const path = `/console/machines${page.path ? `?${page.path.replace('{mid}', mid)}` : ''}`;
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i <= rounds; i++) {
      const t0 = performance.now();
      const r = await get(`${server.base}${path}`, cookie);
      const html = await r.text();
      times.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      summary = /id="results-summary"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? '';
    }
    const [firstMs = 0, ...measured] = times;
    const sorted = [...measured].sort((a, b) => a - b);
    results.push({ name: page.name, path: page.path, summary, firstMs, p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
    process.stdout.write(`  ${page.name}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms\n`);
  }
  await group.stop(server.started);
  const rows = results.map((r) => `| ${r.name} | ${r.summary} | ${r.firstMs.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.p99 < TARGET_MS ? 'yes' : 'NO'} |`);
  process.stdout.write(
    [
      '',
      `console pages on ${count.toLocaleString('en')} machines${store ? ' (PostgreSQL)' : ''}, ${rounds} requests each after one first request, one at a time`,
      '',
      '| page | shows | first ms | p50 ms | p99 ms | p99 < 200 ms |',
      '|---|---|---:|---:|---:|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'console-latest.json'), JSON.stringify({ count, at: new Date().toISOString(), rounds, results }, null, 2));
  return 0;
}

await runBench('bench:console', main);
