// The PostgreSQL schema: its name rule, advisory lock keys scoped to it, and migrations applied under a lock.
import type postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, type StorageFailure } from '../../core/errors.ts';
import { SCHEMA_MIGRATIONS_TABLE, latestVersion, newerSchemaMessage, postgresMigrations } from './migrations.ts';

/** A schema name that needs no quoting rules beyond double quotes: lower-case letters, digits and '_', at most 63. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The text an advisory lock of this schema hashes, so stores in different schemas never wait on each other. */
export const lockKey = (schema: string, what: string) => `secretref:${schema}:${what}`;

/** Creates the schema and applies pending migrations, serialized across processes by a transaction-scoped advisory lock. */
export const migrate = (sql: postgres.Sql, schema: string): Promise<E.Either<StorageFailure, number>> => {
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
