// The SQLite adapter (Node only, better-sqlite3): one WAL file, one transaction per operation, compare-and-set on version.
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, type StorageFailure } from '../../core/errors.ts';
import { SCHEMA_MIGRATIONS_TABLE, latestVersion, newerSchemaMessage, sqliteMigrations } from '../storage/migrations.ts';
import type { StoragePort } from '../storage/port.ts';
import { sqliteAdapter } from './sqlite-adapter.ts';
import { describeFailure } from './sqlite-failures.ts';
import { configure, prepareFile, retryWhileBusy } from './sqlite-file.ts';

// ---------------------------------------------------------------------------------------------
// model

export interface SqliteStorageOptions {
  /** How long an operation waits for another process's write lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** FULL (default) keeps every acknowledged write through power loss; NORMAL (with WAL) only through a process crash. */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

// ---------------------------------------------------------------------------------------------
// open

/** Applies pending migrations in one write transaction; refuses a store written by a newer schema. */
const migrate = (db: Database.Database, path: string): E.Either<StorageFailure, number> => {
  const known = latestVersion(sqliteMigrations);
  const run = db.transaction((): E.Either<StorageFailure, number> => {
    db.exec(SCHEMA_MIGRATIONS_TABLE(''));
    const current = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    if (current > known) return E.left(storageFailure(newerSchemaMessage(`the SQLite store at ${path}`, current, known)));
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of sqliteMigrations) {
      if (m.version <= current) continue;
      for (const statement of m.statements) db.exec(statement);
      record.run(m.version, m.name, Date.now());
    }
    return E.right(known);
  });
  return run.immediate();
};

/**
 * Opens (creating if missing) the SQLite store at `path`, migrating its schema.
 * Several processes may open the same file: every write is a BEGIN IMMEDIATE transaction, so they serialize.
 */
export const openSqliteStorage = (path: string, options: SqliteStorageOptions = {}): E.Either<StorageFailure, StoragePort> => {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const synchronous = options.synchronous ?? 'FULL';
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) return E.left(storageFailure('busyTimeoutMs must be a non-negative integer'));
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') return E.left(storageFailure('synchronous must be FULL or NORMAL'));
  let db: Database.Database | undefined;
  try {
    prepareFile(path);
    db = new Database(path, { timeout: busyTimeoutMs });
    const opened = db;
    const migrated = retryWhileBusy(busyTimeoutMs, () => {
      configure(opened, path, busyTimeoutMs, synchronous);
      return migrate(opened, path);
    });
    if (E.isLeft(migrated)) {
      db.close();
      return migrated;
    }
    return E.right(sqliteAdapter(db));
  } catch (e) {
    try {
      db?.close();
    } catch {
      // already failing; the first error is the one to report
    }
    return E.left(storageFailure(`cannot open the SQLite store at ${path}: ${describeFailure(e)}`));
  }
};
