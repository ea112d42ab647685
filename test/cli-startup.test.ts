/**
 * Every CLI call, `--version` and a usage error included, loads what src/main.ts imports
 * statically; commands import their implementations when they run. These tests walk the static
 * import graph (no timing), so a command module that imports the store or a schema library at
 * the top fails here rather than quietly making every start cost a second of CPU again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/process.js';

/** Value imports and re-exports (not `import type`, not `await import(...)`). */
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?'([^']+)'/gm;

/** Source files and packages reachable from `entry` through static imports only. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (spec === undefined || spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  };
  visit(join(REPO_ROOT, entry));
  return { files, packages };
}

describe('what a CLI start loads', () => {
  const { files, packages } = staticGraph('src/main.ts');
  const sources = [...files].map((f) => relative(REPO_ROOT, f));

  it('only commander among packages: no store driver, query builder, schema library or YAML', () => {
    assert.deepEqual([...packages].sort(), ['commander']);
  });

  it('none of the store, the composition root, the server or the cluster', () => {
    const heavy = sources.filter((f) => /^src\/(store|api|console|net|cluster|limits)\/|^src\/(core|app|serve)\.ts$/.test(f));
    assert.deepEqual(heavy, []);
  });
});

describe('what a CLI command on a SQLite folder loads (src/core.ts)', () => {
  it('neither the PostgreSQL nor the Redis client, TypeBox or YAML until they are used', () => {
    const { packages } = staticGraph('src/core.ts');
    for (const name of ['pg', 'ioredis', 'typebox', 'yaml']) assert.equal(packages.has(name), false, `${name} is imported statically from src/core.ts`);
  });
});
