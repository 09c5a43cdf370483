// The SQLite adapter (Node only, better-sqlite3): one WAL file, one transaction per operation, compare-and-set on version.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, versionConflict, type StorageFailure, type VersionConflict } from '../../core/errors.ts';
import type { SecretIdentity } from '../../core/scope.ts';
import type { ListQuery, ReadResult, SecretMetadata, StoredSecret } from '../../core/store.ts';
import {
  SCHEMA_MIGRATIONS_TABLE,
  latestVersion,
  newerSchemaMessage,
  sqliteMigrations,
  storableIdentity,
  storableInteger,
  storableText,
  unstorableField,
} from '../storage/migrations.ts';
import type { DataKeyRecord, StoragePort } from '../storage/port.ts';
import {
  Refusal,
  byScopeOwnerName,
  byWorkspaceAndId,
  dataKeyOf as dataKeyFrom,
  metadataOf as metadataFrom,
  type DataKeyRow as SqlDataKeyRow,
  type SecretRow as SqlSecretRow,
} from '../storage/sql-rows.ts';

type DataKeyRow = SqlDataKeyRow<number, number>;

// ---------------------------------------------------------------------------------------------
// model

export interface SqliteStorageOptions {
  /** How long an operation waits for another process's write lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** FULL (default) keeps every acknowledged write through power loss; NORMAL (with WAL) only through a process crash. */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

type SecretRow = SqlSecretRow<number>;

// ---------------------------------------------------------------------------------------------
// rows

const LIVE = `payload IS NOT NULL AND (expires_at IS NULL OR expires_at > @now)`;
const BY_ID = `workspace_id = @w AND scope = @s AND owner_id = @o AND name = @n`;
const META = `workspace_id, scope, owner_id, name, version, created_at, updated_at, expires_at, allowed_hosts`;

const metadataOf = metadataFrom((i: number) => i);
const dataKeyOf = dataKeyFrom((i: number) => i, (b: number) => b === 1);

const keyOf = (id: SecretIdentity) => ({ w: id.workspaceId, s: id.scope, o: id.ownerId, n: id.name });

// ---------------------------------------------------------------------------------------------
// failures

const describe = (e: unknown): string => {
  if (e instanceof Refusal) return e.message;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return 'unknown error';
};

const attempt = <A>(op: string, f: () => A): E.Either<StorageFailure, A> => {
  try {
    return E.right(f());
  } catch (e) {
    return E.left(storageFailure(`SQLite ${op} failed: ${describe(e)}`));
  }
};

const refuse = (op: string, why: string) => E.left(storageFailure(`SQLite ${op} refused: ${why}`));
const badNow = (now: number) => !Number.isFinite(now);

// ---------------------------------------------------------------------------------------------
// open

const isMemory = (path: string) => path === '' || path === ':memory:';

/** Creates the parent directory (0700) and the file (0600) if missing, so the store is private from the start. */
const prepareFile = (path: string) => {
  if (isMemory(path)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
};

const configure = (db: Database.Database, path: string, busyTimeoutMs: number, synchronous: 'FULL' | 'NORMAL') => {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== (isMemory(path) ? 'memory' : 'wal')) throw new Refusal(`cannot switch to WAL journal mode (got ${String(mode)})`);
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('secure_delete = ON');
};

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
 * Runs `body` again while SQLite answers SQLITE_BUSY, up to `timeoutMs`. Processes opening a new file
 * together race to switch it to WAL, and that switch can be refused at once rather than waited for.
 */
const retryWhileBusy = <A>(timeoutMs: number, body: () => A): A => {
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
    return E.right(adapter(db));
  } catch (e) {
    try {
      db?.close();
    } catch {
      // already failing; the first error is the one to report
    }
    return E.left(storageFailure(`cannot open the SQLite store at ${path}: ${describe(e)}`));
  }
};

// ---------------------------------------------------------------------------------------------
// the adapter

const adapter = (db: Database.Database): StoragePort => {
  const q = {
    read: db.prepare(
      `SELECT ${META}, CASE WHEN ${LIVE} THEN payload END AS payload FROM secrets WHERE ${BY_ID}`,
    ),
    version: db.prepare(`SELECT version FROM secrets WHERE ${BY_ID}`),
    upsert: db.prepare(
      `INSERT INTO secrets (workspace_id, scope, owner_id, name, version, payload, created_at, updated_at, expires_at, allowed_hosts)
       VALUES (@w, @s, @o, @n, @version, @payload, @createdAt, @updatedAt, @expiresAt, @hosts)
       ON CONFLICT (workspace_id, scope, owner_id, name) DO UPDATE SET
         version = excluded.version, payload = excluded.payload, created_at = excluded.created_at,
         updated_at = excluded.updated_at, expires_at = excluded.expires_at, allowed_hosts = excluded.allowed_hosts`,
    ),
    tombstone: db.prepare(
      `UPDATE secrets SET version = version + 1, payload = NULL, expires_at = NULL, allowed_hosts = NULL
       WHERE ${BY_ID} AND ${LIVE} RETURNING version`,
    ),
    list: db.prepare(
      `SELECT ${META} FROM secrets
       WHERE workspace_id = @w AND (@s IS NULL OR scope = @s) AND (@o IS NULL OR owner_id = @o) AND ${LIVE}
       ORDER BY scope, owner_id, name`,
    ),
    sweep: db.prepare(
      `UPDATE secrets SET payload = NULL, expires_at = NULL, allowed_hosts = NULL
       WHERE payload IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= @now`,
    ),
    activeKey: db.prepare('SELECT * FROM data_keys WHERE workspace_id = ? AND active = 1'),
    key: db.prepare('SELECT * FROM data_keys WHERE workspace_id = ? AND id = ?'),
    keys: db.prepare('SELECT * FROM data_keys ORDER BY workspace_id, id'),
    insertKey: db.prepare(
      'INSERT INTO data_keys (workspace_id, id, wrapped, kek_id, active, created_at) VALUES (@w, @id, @wrapped, @kek, 1, @createdAt)',
    ),
    retireKeys: db.prepare('UPDATE data_keys SET active = 0 WHERE workspace_id = ? AND active = 1'),
    activateKey: db.prepare(
      `INSERT INTO data_keys (workspace_id, id, wrapped, kek_id, active, created_at) VALUES (@w, @id, @wrapped, @kek, 1, @createdAt)
       ON CONFLICT (workspace_id, id) DO UPDATE SET wrapped = excluded.wrapped, kek_id = excluded.kek_id, active = 1, created_at = excluded.created_at`,
    ),
    rewrap: db.prepare('UPDATE data_keys SET wrapped = @wrapped, kek_id = @kek WHERE workspace_id = @w AND id = @id AND wrapped = @expected'),
    check: db.prepare('SELECT blob FROM key_checks WHERE kid = ?'),
    insertCheck: db.prepare('INSERT INTO key_checks (kid, blob) VALUES (?, ?) ON CONFLICT (kid) DO NOTHING'),
  };

  const currentVersion = (id: SecretIdentity) => (q.version.get(keyOf(id)) as { version: number } | undefined)?.version ?? 0;

  const write = db.transaction((secret: StoredSecret, expected: number): E.Either<StorageFailure | VersionConflict, void> => {
    const actual = currentVersion(secret.identity);
    if (actual !== expected || secret.version !== expected + 1) return E.left(versionConflict(expected, actual));
    const bad = unstorableField(secret);
    if (bad !== undefined) return refuse('write', `cannot store ${bad}`);
    q.upsert.run({
      ...keyOf(secret.identity),
      version: secret.version,
      payload: secret.payload,
      createdAt: secret.createdAt,
      updatedAt: secret.updatedAt,
      expiresAt: secret.expiresAt,
      hosts: secret.allowedHosts === null ? null : JSON.stringify(secret.allowedHosts),
    });
    return E.right(undefined);
  });

  const remove = db.transaction((id: SecretIdentity, now: number) => {
    const gone = q.tombstone.get({ ...keyOf(id), now }) as { version: number } | undefined;
    return gone ? { removed: true, version: gone.version } : { removed: false, version: currentVersion(id) };
  });

  const ensureKey = db.transaction((c: DataKeyRecord): DataKeyRecord => {
    const existing = q.activeKey.get(c.workspaceId) as DataKeyRow | undefined;
    if (existing) return dataKeyOf(existing);
    q.insertKey.run({ w: c.workspaceId, id: c.id, wrapped: c.wrapped, kek: c.kekId, createdAt: c.createdAt });
    return { ...c, active: true };
  });

  const activateKey = db.transaction((k: DataKeyRecord) => {
    q.retireKeys.run(k.workspaceId);
    q.activateKey.run({ w: k.workspaceId, id: k.id, wrapped: k.wrapped, kek: k.kekId, createdAt: k.createdAt });
  });

  const ensureCheck = db.transaction((kid: string, blob: string) => {
    q.insertCheck.run(kid, blob);
    return (q.check.get(kid) as { blob: string }).blob;
  });

  const storableKey = (k: DataKeyRecord) =>
    [k.workspaceId, k.id, k.wrapped, k.kekId].every(storableText) && storableInteger(k.createdAt);
  const done = <A>(e: E.Either<StorageFailure, A>) => Promise.resolve(e);

  return {
    read: (id, now) => {
      if (badNow(now)) return done(refuse('read', 'now must be a finite number'));
      if (!storableIdentity(id)) return done(E.right<StorageFailure, ReadResult>({ version: 0, secret: null }));
      return done(
        attempt('read', (): ReadResult => {
          const r = q.read.get({ ...keyOf(id), now }) as SecretRow | undefined;
          if (!r) return { version: 0, secret: null };
          const payload = r.payload ?? null;
          return { version: r.version, secret: payload === null ? null : { ...metadataOf(r), payload } };
        }),
      );
    },
    write: (secret, expected) => {
      if (!storableIdentity(secret.identity)) return Promise.resolve(refuse('write', 'cannot store identity (NUL or unpaired surrogate)'));
      return Promise.resolve(E.flatten(attempt('write', () => write.immediate(secret, expected))));
    },
    remove: (id, now) => {
      if (badNow(now)) return done(refuse('remove', 'now must be a finite number'));
      if (!storableIdentity(id)) return done(E.right({ removed: false, version: 0 }));
      return done(attempt('remove', () => remove.immediate(id, now)));
    },
    list: (query: ListQuery, now) => {
      if (badNow(now)) return done(refuse('list', 'now must be a finite number'));
      if (![query.workspaceId, query.scope ?? '', query.ownerId ?? ''].every(storableText)) return done(E.right<StorageFailure, readonly SecretMetadata[]>([]));
      return done(
        attempt('list', () =>
          (q.list.all({ w: query.workspaceId, s: query.scope ?? null, o: query.ownerId ?? null, now }) as SecretRow[])
            .map(metadataOf)
            .sort(byScopeOwnerName),
        ),
      );
    },
    sweep: (now) => {
      if (badNow(now)) return done(refuse('sweep', 'now must be a finite number'));
      return done(attempt('sweep', () => q.sweep.run({ now }).changes));
    },

    activeDataKey: (ws) =>
      done(attempt('activeDataKey', () => {
        const r = q.activeKey.get(ws) as DataKeyRow | undefined;
        return r ? dataKeyOf(r) : null;
      })),
    dataKey: (ws, id) =>
      done(attempt('dataKey', () => {
        const r = q.key.get(ws, id) as DataKeyRow | undefined;
        return r ? dataKeyOf(r) : null;
      })),
    listDataKeys: () => done(attempt('listDataKeys', () => (q.keys.all() as DataKeyRow[]).map(dataKeyOf).sort(byWorkspaceAndId))),
    ensureActiveDataKey: (candidate) => {
      if (!storableKey(candidate)) return done(refuse('ensureActiveDataKey', 'the data key record has unstorable fields'));
      return done(attempt('ensureActiveDataKey', () => ensureKey.immediate(candidate)));
    },
    activateDataKey: (next) => {
      if (!storableKey(next)) return done(refuse('activateDataKey', 'the data key record has unstorable fields'));
      return done(attempt('activateDataKey', () => activateKey.immediate(next)));
    },
    rewrapDataKey: (ws, id, expectedWrapped, wrapped, kekId) => {
      if (![wrapped, kekId].every(storableText)) return done(refuse('rewrapDataKey', 'the new wrapping has unstorable text'));
      return done(
        attempt('rewrapDataKey', () => q.rewrap.run({ w: ws, id, expected: expectedWrapped, wrapped, kek: kekId }).changes === 1),
      );
    },

    keyCheck: (kid) => done(attempt('keyCheck', () => (q.check.get(kid) as { blob: string } | undefined)?.blob ?? null)),
    ensureKeyCheck: (kid, blob) => {
      if (![kid, blob].every(storableText)) return done(refuse('ensureKeyCheck', 'the key check has unstorable text'));
      return done(attempt('ensureKeyCheck', () => ensureCheck.immediate(kid, blob)));
    },

    close: () => {
      try {
        if (db.open) db.close();
      } catch {
        // closing twice or during a failure leaves nothing to do
      }
      return Promise.resolve();
    },
  };
};
