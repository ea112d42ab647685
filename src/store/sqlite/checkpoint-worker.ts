/**
 * The checkpoint thread (docs/adr/0007-main-thread-group-commit.md). The main thread commits
 * with `synchronous=OFF` and flushes the WAL itself; copying the WAL into the database file is
 * done here, on a connection with `synchronous=FULL`, so SQLite fsyncs the WAL before copying and
 * the database file before it marks the frames as copied: only then may the WAL be reused.
 * PASSIVE never takes the write lock, so the main thread's writes never wait for this one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointerData } from './checkpoint-protocol.js';

if (!parentPort) throw new Error('checkpoint-worker must run as a worker thread');
const port = parentPort;
const { path } = workerData as CheckpointerData;
const db = new Database(path);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('busy_timeout = 5000');

port.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    reply = { ok: true };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
