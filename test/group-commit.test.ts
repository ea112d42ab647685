/**
 * The SQLite group commit (store/sqlite/group-commit.ts, ADR 0007): writes of one turn commit
 * together, one failing write does not undo its neighbours, and a failed commit or a failed
 * flush rejects every pending write and leaves the store unhealthy.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Checkpointer } from '../src/store/sqlite/checkpointer.js';
import { GroupCommit, type GroupCommitOptions } from '../src/store/sqlite/group-commit.js';
import type { WriteOp } from '../src/store/sqlite/write-protocol.js';

const insert = (value: string): WriteOp => ({ op: 'exec', statements: [{ sql: 'INSERT INTO t (v) VALUES (?)', parameters: [value] }] });

describe('group commit', () => {
  let dir: string;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-group-commit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const open = (options: Partial<GroupCommitOptions> = {}) => {
    const path = join(dir, `db-${++n}.sqlite`);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 0');
    const apply = (op: WriteOp) => {
      if (op.op === 'exec') for (const s of op.statements) db.prepare(s.sql).run(...s.parameters);
      return undefined;
    };
    const commit = new GroupCommit({ db, apply, weight: () => 1, walPath: `${path}-wal`, checkpointer: new Checkpointer({ path }), ...options });
    const rows = () => (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);
    return { path, db, commit, rows };
  };

  it('commits the writes of one turn together; a failing write fails alone', async () => {
    const { db, commit, rows, path } = open();
    const results = await Promise.all([commit.submit(insert('a')), commit.submit(insert('a')), commit.submit(insert('b'))]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, true],
    );
    assert.equal(commit.commits, 1);
    assert.deepEqual(rows(), ['a', 'b']);
    assert.ok(commit.healthy);
    await commit.close();
    db.close();
    // Closed cleanly: the WAL was checkpointed into the database file and removed.
    const again = new Database(path, { readonly: true });
    assert.deepEqual(again.prepare('SELECT v FROM t ORDER BY v').all(), [{ v: 'a' }, { v: 'b' }]);
    again.close();
  });

  it('a commit that fails rejects every write of the group and every later one, and turns unhealthy', async () => {
    const { db, commit } = open();
    const rollback: WriteOp = { op: 'exec', statements: [{ sql: 'ROLLBACK', parameters: [] }] };
    const group = [commit.submit(insert('x')), commit.submit(rollback), commit.submit(insert('y'))];
    const settled = await Promise.allSettled(group);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.equal(commit.healthy, false);
    await assert.rejects(commit.submit(insert('z')));
    assert.deepEqual(db.prepare('SELECT v FROM t').all(), []);
    await commit.close();
    db.close();
  });

  it('a flush that fails rejects the writes it covered and turns unhealthy', async () => {
    // fdatasync on a FIFO fails (EINVAL): a stand-in for a WAL on a failing disk.
    const fifo = join(dir, 'not-a-wal');
    execFileSync('mkfifo', [fifo]);
    const { db, commit } = open({ walPath: fifo });
    const settled = await Promise.allSettled([commit.submit(insert('p')), commit.submit(insert('q'))]);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['rejected', 'rejected'],
    );
    assert.equal(commit.healthy, false);
    await assert.rejects(commit.submit(insert('r')));
    await commit.close();
    db.close();
  });

  it('durability normal resolves without a flush', async () => {
    const { db, commit, rows } = open({ walPath: undefined });
    const results = await Promise.all(['m', 'n'].map((v) => commit.submit(insert(v))));
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(rows(), ['m', 'n']);
    await commit.close();
    db.close();
  });
});
