// The PostgreSQL adapter (postgres.js, Node and Deno): compare-and-set by conditional statements, advisory-locked migrations, failures as values.
import postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, versionConflict, type StorageFailure, type VersionConflict } from '../../core/errors.ts';
import type { SecretIdentity } from '../../core/scope.ts';
import type { ReadResult, SecretMetadata } from '../../core/store.ts';
import {
  SCHEMA_MIGRATIONS_TABLE,
  latestVersion,
  newerSchemaMessage,
  postgresMigrations,
  storableIdentity,
  storableInteger,
  storableText,
  unstorableField,
} from './migrations.ts';
import type { DataKeyRecord, StoragePort } from './port.ts';
import {
  Refusal,
  byScopeOwnerName,
  byWorkspaceAndId,
  dataKeyOf as dataKeyFrom,
  metadataOf as metadataFrom,
  type DataKeyRow as SqlDataKeyRow,
  type SecretRow as SqlSecretRow,
} from './sql-rows.ts';

type DataKeyRow = SqlDataKeyRow<string, boolean>;

// ---------------------------------------------------------------------------------------------
// model

export interface PostgresStorageOptions {
  /** The schema holding the tables, created if missing; default 'public'. Lower-case letters, digits and '_'. */
  readonly schema?: string;
  /** Connections in the pool; default 10. */
  readonly max?: number;
  /** How long opening a connection may take before it fails; default 5 s. */
  readonly connectTimeoutSeconds?: number;
  /** A connection is replaced after this long; default 30 min. */
  readonly maxLifetimeSeconds?: number;
  /** An idle connection is closed after this long; default 60 s. */
  readonly idleTimeoutSeconds?: number;
  /** The server cancels any statement running longer than this; default 30 000 ms. */
  readonly statementTimeoutMs?: number;
}

type Sql = postgres.Sql;

type SecretRow = SqlSecretRow<string>;

// ---------------------------------------------------------------------------------------------
// rows (BIGINT arrives as text; every stored integer is a safe integer, checked on the way in)

const int = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Refusal('a stored integer is out of range');
  return n;
};

const metadataOf = metadataFrom(int);
const dataKeyOf = dataKeyFrom(int, (b: boolean) => b);

// ---------------------------------------------------------------------------------------------
// failures: built from codes and names only; a server message or detail can quote row data, so neither is copied

const SQLSTATES: Readonly<Record<string, string>> = {
  '28P01': 'password authentication failed',
  '28000': 'the server refused the authorization',
  '3D000': 'the database does not exist',
  '3F000': 'the schema does not exist',
  '42P01': 'a table is missing (schema dropped or not migrated)',
  '42501': 'insufficient privilege',
  '53300': 'too many connections',
  '57014': 'the statement timed out or was cancelled',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is not accepting connections yet',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '23505': 'a unique constraint was violated',
  '25006': 'the transaction is read-only',
};

const SQLSTATE_CLASSES: Readonly<Record<string, string>> = {
  '08': 'connection exception',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
  XX: 'internal error',
};

const CLIENT_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  CONNECT_TIMEOUT: 'connecting timed out',
  CONNECTION_CLOSED: 'the connection closed',
  CONNECTION_DESTROYED: 'the connection was destroyed',
};

/** host:port of a URL, never its credentials. */
const targetOf = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured server';
  }
};

const describe = (e: unknown, target: string): string => {
  if (e instanceof Refusal) return e.message;
  if (typeof e !== 'object' || e === null) return 'unknown error';
  const err = e as { name?: unknown; code?: unknown; constraint_name?: unknown; table_name?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (err.name === 'PostgresError' && code !== undefined) {
    const what = SQLSTATES[code] ?? SQLSTATE_CLASSES[code.slice(0, 2)] ?? 'server error';
    const on = [
      typeof err.table_name === 'string' ? `table ${err.table_name}` : '',
      typeof err.constraint_name === 'string' ? `constraint ${err.constraint_name}` : '',
    ].filter((s) => s !== '');
    return `${what} (SQLSTATE ${code}${on.length > 0 ? `, ${on.join(', ')}` : ''})`;
  }
  if (code === 'CONNECTION_ENDED') return 'the store is closed (CONNECTION_ENDED)';
  if (code !== undefined && CLIENT_CODES[code] !== undefined) return `cannot reach PostgreSQL at ${target}: ${CLIENT_CODES[code]} (${code})`;
  return code !== undefined ? `client error ${code}` : `unexpected ${typeof err.name === 'string' ? err.name : 'error'}`;
};

// ---------------------------------------------------------------------------------------------
// open

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const lockKey = (schema: string, what: string) => `secretref:${schema}:${what}`;

/** Creates the schema and applies pending migrations, serialized across processes by a transaction-scoped advisory lock. */
const migrate = (sql: Sql, schema: string): Promise<E.Either<StorageFailure, number>> => {
  const known = latestVersion(postgresMigrations(schema));
  const prefix = `"${schema}".`;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey(schema, 'migrate')}, 0))`;
    const exists = await tx`SELECT 1 FROM pg_namespace WHERE nspname = ${schema}`;
    if (exists.length === 0) await tx.unsafe(`CREATE SCHEMA "${schema}"`);
    await tx.unsafe(SCHEMA_MIGRATIONS_TABLE(prefix));
    const [row] = await tx.unsafe<{ v: number }[]>(`SELECT coalesce(max(version), 0) AS v FROM ${prefix}schema_migrations`);
    const current = row?.v ?? 0;
    if (current > known) return E.left(storageFailure(newerSchemaMessage(`the PostgreSQL schema ${schema}`, current, known)));
    for (const m of postgresMigrations(schema)) {
      if (m.version <= current) continue;
      for (const statement of m.statements) await tx.unsafe(statement);
      await tx.unsafe(`INSERT INTO ${prefix}schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
    }
    return E.right(known);
  });
};

/**
 * One round trip within the connect timeout. postgres.js applies connect_timeout per attempt, and when a peer
 * accepts the connection and closes it before the handshake (a proxy or load balancer with no backend, another
 * service on the port) it reconnects at once, again and again (porsager/postgres#1193): without this deadline,
 * opening never returns.
 */
const firstContact = async (sql: Sql, seconds: number, target: string): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Refusal(`cannot reach PostgreSQL at ${target}: no PostgreSQL handshake within ${seconds} s (CONNECT_TIMEOUT)`)),
      seconds * 1000,
    );
  });
  try {
    await Promise.race([sql`SELECT 1`, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Connects to PostgreSQL and migrates the schema. An unreachable server fails within the connect timeout;
 * every later failure is a StorageFailure value naming the SQLSTATE or the client error, never data.
 */
export const openPostgresStorage = async (url: string, options: PostgresStorageOptions = {}): Promise<E.Either<StorageFailure, StoragePort>> => {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) return E.left(storageFailure('the PostgreSQL schema name must be lower-case letters, digits and _ (at most 63)'));
  const target = targetOf(url);
  let sql: Sql;
  try {
    sql = postgres(url, {
      max: options.max ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      max_lifetime: options.maxLifetimeSeconds ?? 30 * 60,
      idle_timeout: options.idleTimeoutSeconds ?? 60,
      fetch_types: false,
      onnotice: () => undefined,
      connection: { application_name: 'secretref', statement_timeout: options.statementTimeoutMs ?? 30_000 },
    });
  } catch {
    return E.left(storageFailure('the PostgreSQL URL or options are invalid'));
  }
  let migrated: E.Either<StorageFailure, number>;
  try {
    await firstContact(sql, options.connectTimeoutSeconds ?? 5, target);
    migrated = await migrate(sql, schema);
  } catch (e) {
    migrated = E.left(storageFailure(`cannot open the PostgreSQL store: ${describe(e, target)}`));
  }
  if (E.isLeft(migrated)) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    return migrated;
  }
  return E.right(adapter(sql, schema, target));
};

// ---------------------------------------------------------------------------------------------
// the adapter

const adapter = (sql: Sql, schema: string, target: string): StoragePort => {
  const secrets = sql(`${schema}.secrets`);
  const dataKeys = sql(`${schema}.data_keys`);
  const keyChecks = sql(`${schema}.key_checks`);

  const attempt = async <A>(op: string, f: () => Promise<A>): Promise<E.Either<StorageFailure, A>> => {
    try {
      return E.right(await f());
    } catch (e) {
      return E.left(storageFailure(`PostgreSQL ${op} failed: ${describe(e, target)}`));
    }
  };
  const refuse = (op: string, why: string) => Promise.resolve(E.left(storageFailure(`PostgreSQL ${op} refused: ${why}`)));

  /** now < expiresAt ⇔ floor(now) < expiresAt for integer expiries, so a fractional clock reading binds as BIGINT. */
  const live = (now: number) =>
    sql`payload IS NOT NULL AND (expires_at IS NULL OR expires_at > ${Math.floor(now)})`;
  const byId = (id: SecretIdentity) =>
    sql`workspace_id = ${id.workspaceId} AND scope = ${id.scope} AND owner_id = ${id.ownerId} AND name = ${id.name}`;
  const meta = sql`workspace_id, scope, owner_id, name, version, created_at, updated_at, expires_at, allowed_hosts`;

  const currentVersion = async (id: SecretIdentity) => {
    const [r] = await sql<{ version: string }[]>`SELECT version FROM ${secrets} WHERE ${byId(id)}`;
    return r ? int(r.version) : 0;
  };

  /** One transaction holding a per-workspace advisory lock, so data key changes of a workspace serialize. */
  const underKeyLock = <A>(ws: string, f: (tx: postgres.TransactionSql) => Promise<A>) =>
    sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey(schema, `data_keys:${ws}`)}, 0))`;
      return f(tx);
    }) as Promise<A>;

  const storableKey = (k: DataKeyRecord) =>
    [k.workspaceId, k.id, k.wrapped, k.kekId].every(storableText) && storableInteger(k.createdAt);
  const badNow = (now: number) => !Number.isFinite(now);

  return {
    read: (id, now) => {
      if (badNow(now)) return refuse('read', 'now must be a finite number');
      if (!storableIdentity(id)) return Promise.resolve(E.right<StorageFailure, ReadResult>({ version: 0, secret: null }));
      return attempt('read', async (): Promise<ReadResult> => {
        const [r] = await sql<SecretRow[]>`
          SELECT ${meta}, CASE WHEN ${live(now)} THEN payload END AS payload FROM ${secrets} WHERE ${byId(id)}`;
        if (!r) return { version: 0, secret: null };
        const payload = r.payload ?? null;
        return { version: int(r.version), secret: payload === null ? null : { ...metadataOf(r), payload } };
      });
    },

    write: async (secret, expected) => {
      const id = secret.identity;
      if (!storableIdentity(id)) return refuse('write', 'cannot store identity (NUL or unpaired surrogate)');
      const conflict = async (refusal?: string): Promise<E.Either<StorageFailure | VersionConflict, void>> => {
        const v = await attempt('write', () => currentVersion(id));
        if (E.isLeft(v)) return v;
        if (refusal !== undefined && v.right === expected) return refuse('write', refusal);
        return E.left(versionConflict(expected, v.right));
      };
      if (!storableInteger(expected) || expected < 0 || secret.version !== expected + 1) return conflict();
      // A conflict outranks a refusal, exactly as the memory store answers a conflicting write of anything.
      const bad = unstorableField(secret);
      if (bad !== undefined) return conflict(`cannot store ${bad}`);
      const hosts = secret.allowedHosts === null ? null : JSON.stringify(secret.allowedHosts);
      const written = await attempt('write', async () => {
        // The insert path only creates (expected 0); the update path only moves a row from exactly `expected`.
        const rows =
          expected === 0
            ? await sql`
                INSERT INTO ${secrets} (workspace_id, scope, owner_id, name, version, payload, created_at, updated_at, expires_at, allowed_hosts)
                VALUES (${id.workspaceId}, ${id.scope}, ${id.ownerId}, ${id.name}, ${secret.version}, ${secret.payload},
                        ${secret.createdAt}, ${secret.updatedAt}, ${secret.expiresAt}, ${hosts})
                ON CONFLICT (workspace_id, scope, owner_id, name) DO NOTHING`
            : await sql`
                UPDATE ${secrets} SET version = ${secret.version}, payload = ${secret.payload}, created_at = ${secret.createdAt},
                  updated_at = ${secret.updatedAt}, expires_at = ${secret.expiresAt}, allowed_hosts = ${hosts}
                WHERE ${byId(id)} AND version = ${expected}`;
        return rows.count === 1;
      });
      if (E.isLeft(written)) return written;
      return written.right ? E.right(undefined) : conflict();
    },

    remove: (id, now) => {
      if (badNow(now)) return refuse('remove', 'now must be a finite number');
      if (!storableIdentity(id)) return Promise.resolve(E.right({ removed: false, version: 0 }));
      return attempt('remove', async () => {
        const [gone] = await sql<{ version: string }[]>`
          UPDATE ${secrets} SET version = version + 1, payload = NULL, expires_at = NULL, allowed_hosts = NULL
          WHERE ${byId(id)} AND ${live(now)} RETURNING version`;
        return gone ? { removed: true, version: int(gone.version) } : { removed: false, version: await currentVersion(id) };
      });
    },

    list: (query, now) => {
      if (badNow(now)) return refuse('list', 'now must be a finite number');
      if (![query.workspaceId, query.scope ?? '', query.ownerId ?? ''].every(storableText))
        return Promise.resolve(E.right<StorageFailure, readonly SecretMetadata[]>([]));
      return attempt('list', async () => {
        const rows = await sql<SecretRow[]>`
          SELECT ${meta} FROM ${secrets}
          WHERE workspace_id = ${query.workspaceId}
            ${query.scope === undefined ? sql`` : sql`AND scope = ${query.scope}`}
            ${query.ownerId === undefined ? sql`` : sql`AND owner_id = ${query.ownerId}`}
            AND ${live(now)}
          ORDER BY scope, owner_id, name`;
        return rows.map(metadataOf).sort(byScopeOwnerName);
      });
    },

    sweep: (now) => {
      if (badNow(now)) return refuse('sweep', 'now must be a finite number');
      return attempt('sweep', async () => {
        const rows = await sql`
          UPDATE ${secrets} SET payload = NULL, expires_at = NULL, allowed_hosts = NULL
          WHERE payload IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= ${Math.floor(now)}`;
        return rows.count;
      });
    },

    activeDataKey: (ws) =>
      attempt('activeDataKey', async () => {
        const [r] = await sql<DataKeyRow[]>`SELECT * FROM ${dataKeys} WHERE workspace_id = ${ws} AND active`;
        return r ? dataKeyOf(r) : null;
      }),
    dataKey: (ws, id) =>
      attempt('dataKey', async () => {
        const [r] = await sql<DataKeyRow[]>`SELECT * FROM ${dataKeys} WHERE workspace_id = ${ws} AND id = ${id}`;
        return r ? dataKeyOf(r) : null;
      }),
    listDataKeys: () =>
      attempt('listDataKeys', async () =>
        (await sql<DataKeyRow[]>`SELECT * FROM ${dataKeys} ORDER BY workspace_id, id`).map(dataKeyOf).sort(byWorkspaceAndId),
      ),
    ensureActiveDataKey: (c) => {
      if (!storableKey(c)) return refuse('ensureActiveDataKey', 'the data key record has unstorable fields');
      return attempt('ensureActiveDataKey', () =>
        underKeyLock(c.workspaceId, async (tx) => {
          const [existing] = await tx<DataKeyRow[]>`SELECT * FROM ${dataKeys} WHERE workspace_id = ${c.workspaceId} AND active`;
          if (existing) return dataKeyOf(existing);
          await tx`
            INSERT INTO ${dataKeys} (workspace_id, id, wrapped, kek_id, active, created_at)
            VALUES (${c.workspaceId}, ${c.id}, ${c.wrapped}, ${c.kekId}, true, ${c.createdAt})`;
          return { ...c, active: true };
        }),
      );
    },
    activateDataKey: (k) => {
      if (!storableKey(k)) return refuse('activateDataKey', 'the data key record has unstorable fields');
      return attempt('activateDataKey', () =>
        underKeyLock(k.workspaceId, async (tx) => {
          await tx`UPDATE ${dataKeys} SET active = false WHERE workspace_id = ${k.workspaceId} AND active`;
          await tx`
            INSERT INTO ${dataKeys} (workspace_id, id, wrapped, kek_id, active, created_at)
            VALUES (${k.workspaceId}, ${k.id}, ${k.wrapped}, ${k.kekId}, true, ${k.createdAt})
            ON CONFLICT (workspace_id, id) DO UPDATE SET
              wrapped = excluded.wrapped, kek_id = excluded.kek_id, active = true, created_at = excluded.created_at`;
        }),
      );
    },
    rewrapDataKey: (ws, id, expectedWrapped, wrapped, kekId) => {
      if (![ws, id, expectedWrapped, wrapped, kekId].every(storableText)) return refuse('rewrapDataKey', 'the wrapping has unstorable text');
      return attempt('rewrapDataKey', async () => {
        const rows = await sql`
          UPDATE ${dataKeys} SET wrapped = ${wrapped}, kek_id = ${kekId}
          WHERE workspace_id = ${ws} AND id = ${id} AND wrapped = ${expectedWrapped}`;
        return rows.count === 1;
      });
    },

    keyCheck: (kid) =>
      attempt('keyCheck', async () => {
        const [r] = await sql<{ blob: string }[]>`SELECT blob FROM ${keyChecks} WHERE kid = ${kid}`;
        return r?.blob ?? null;
      }),
    ensureKeyCheck: (kid, blob) => {
      if (![kid, blob].every(storableText)) return refuse('ensureKeyCheck', 'the key check has unstorable text');
      return attempt('ensureKeyCheck', async () => {
        await sql`INSERT INTO ${keyChecks} (kid, blob) VALUES (${kid}, ${blob}) ON CONFLICT (kid) DO NOTHING`;
        const [r] = await sql<{ blob: string }[]>`SELECT blob FROM ${keyChecks} WHERE kid = ${kid}`;
        if (!r) throw new Refusal('the key check vanished after it was stored');
        return r.blob;
      });
    },

    close: () => sql.end({ timeout: 5 }).catch(() => undefined),
  };
};
