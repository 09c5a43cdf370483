// The SQLite file at open: created private, switched to WAL with our pragmas, retried while a concurrent opener holds it busy.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { Refusal } from '../storage/sql-rows.ts';

const isMemory = (path: string) => path === '' || path === ':memory:';

/** Creates the parent directory (0700) and the file (0600) if missing, so the store is private from the start. */
export const prepareFile = (path: string) => {
  if (isMemory(path)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
};

/** Sets the busy timeout, WAL journal mode (refusing to go on without it), synchronous and secure_delete. */
export const configure = (db: Database.Database, path: string, busyTimeoutMs: number, synchronous: 'FULL' | 'NORMAL') => {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== (isMemory(path) ? 'memory' : 'wal')) throw new Refusal(`cannot switch to WAL journal mode (got ${String(mode)})`);
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('secure_delete = ON');
};

/**
 * Runs `body` again while SQLite answers SQLITE_BUSY, up to `timeoutMs`. Processes opening a new file
 * together race to switch it to WAL, and that switch can be refused at once rather than waited for.
 */
export const retryWhileBusy = <A>(timeoutMs: number, body: () => A): A => {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return body();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw e;
      Atomics.wait(pause, 0, 0, Math.min(50, 5 * (attempt + 1)));
    }
  }
};
