/**
 * The writer thread of a bulk load (bulk-load.ts): its own connection runs the one transaction
 * (indexes set aside, rows inserted, indexes built, counts computed) while the main thread
 * generates the next rows, so a seed uses both cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { BulkLoadData, FromWriter, ToWriter } from './bulk-load-protocol.js';

if (!parentPort) throw new Error('bulk-load-worker must run as a worker thread');
const port = parentPort;
const { path, tables, backfill } = workerData as BulkLoadData;

interface SchemaObject {
  readonly type: 'index' | 'trigger';
  readonly name: string;
  readonly sql: string;
}

const db = new Database(path);
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
// A rollback journal with FULL: the few pages journaled (the schema, the dropped indexes' roots)
// are flushed before the database is written over, and COMMIT flushes the file.
db.pragma('synchronous = FULL');
// CREATE INDEX sorts with helper threads.
db.pragma('threads = 2');
const prepared: Database.Statement[] = [];
let setAside: SchemaObject[] = [];
let over = false;

const post = (message: FromWriter) => port.postMessage(message);

/** Ends the thread: the transaction rolled back (unless committed), the connection closed. */
function end(message: FromWriter): void {
  over = true;
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    db.close();
    post(message);
    port.close();
  }
}

function run(body: () => void): void {
  try {
    body();
  } catch (error) {
    end({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

run(() => {
  db.exec('BEGIN IMMEDIATE');
  const placeholders = tables.map(() => '?').join(', ');
  setAside = db
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${placeholders}) ORDER BY rowid`)
    .all(...tables) as SchemaObject[];
  for (const o of setAside) db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} "${o.name}"`);
  // Every count is zero while there are no machines; they are computed afresh at the end.
  db.exec('DELETE FROM machine_counts');
  post({ kind: 'ready' });
});

port.on('message', (message: ToWriter) => {
  if (over) return;
  switch (message.kind) {
    case 'rows':
      return run(() => {
        for (const text of message.sql) prepared.push(db.prepare(text));
        const { statements, parameters } = message;
        for (let i = 0; i < statements.length; i++) (prepared[statements[i] as number] as Database.Statement).run(...(parameters[i] as unknown[]));
        post({ kind: 'ack', seq: message.seq });
      });
    case 'finish':
      return run(() => {
        // Each index built once over the loaded rows, the machines counted, the triggers back.
        const indexes = setAside.filter((o) => o.type === 'index');
        indexes.forEach((o, i) => {
          db.exec(o.sql);
          post({ kind: 'indexed', built: i + 1, total: indexes.length });
        });
        db.prepare(backfill.sql).run(...backfill.parameters);
        for (const o of setAside) if (o.type === 'trigger') db.exec(o.sql);
        db.exec('COMMIT');
        end({ kind: 'done' });
      });
    case 'abort':
      return end({ kind: 'aborted' });
  }
});
