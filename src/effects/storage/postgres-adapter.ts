// The PostgreSQL storage port: compare-and-set by conditional statements, data key changes under a per-workspace lock.
import type postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, versionConflict, type StorageFailure, type VersionConflict } from '../../core/errors.ts';
import type { SecretIdentity } from '../../core/scope.ts';
import type { ReadResult, SecretMetadata } from '../../core/store.ts';
import { storableIdentity, storableInteger, storableText, unstorableField } from './migrations.ts';
import type { StoragePort } from './port.ts';
import { describeFailure } from './postgres-failures.ts';
import { lockKey } from './postgres-schema.ts';
import { badNow, storableKey, storableQuery } from './sql-guards.ts';
import {
  Refusal,
  byScopeOwnerName,
  byWorkspaceAndId,
  dataKeyOf as dataKeyFrom,
  metadataOf as metadataFrom,
  type DataKeyRow as SqlDataKeyRow,
  type SecretRow as SqlSecretRow,
} from './sql-rows.ts';

type SecretRow = SqlSecretRow<string>;
type DataKeyRow = SqlDataKeyRow<string, boolean>;

// ---------------------------------------------------------------------------------------------
// rows (BIGINT arrives as text; every stored integer is a safe integer, checked on the way in)

const int = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Refusal('a stored integer is out of range');
  return n;
};

const metadataOf = metadataFrom(int);
const dataKeyOf = dataKeyFrom(int, (b: boolean) => b);

/**
 * The storage port over a migrated schema; `target` (host:port) names the server in failures. Every operation
 * answers within `answerWithinMs` (the statement timeout, a connect timeout and a margin; none when the
 * statement timeout is off, since a slow call may then still be running on the server): postgres.js has no
 * client-side deadline, so when the network stops carrying packets without resetting the connection (a
 * partition, a stalled proxy) a query would wait forever. Past the deadline it is a StorageFailure. As with any
 * lost answer, a write the server receives late may still land; compare-and-set keeps its version straight.
 */
export const postgresAdapter = (sql: postgres.Sql, schema: string, target: string, answerWithinMs: number | undefined): StoragePort => {
  const secrets = sql(`${schema}.secrets`);
  const dataKeys = sql(`${schema}.data_keys`);
  const keyChecks = sql(`${schema}.key_checks`);

  const attempt = async <A>(op: string, f: () => Promise<A>): Promise<E.Either<StorageFailure, A>> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline =
      answerWithinMs === undefined
        ? []
        : [
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Refusal(`no answer from PostgreSQL at ${target} within ${answerWithinMs} ms`)), answerWithinMs);
            }),
          ];
    try {
      return E.right(await Promise.race([f(), ...deadline]));
    } catch (e) {
      return E.left(storageFailure(`PostgreSQL ${op} failed: ${describeFailure(e, target)}`));
    } finally {
      clearTimeout(timer);
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
      if (!storableQuery(query)) return Promise.resolve(E.right<StorageFailure, readonly SecretMetadata[]>([]));
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
