// The PostgreSQL adapter (postgres.js, Node and Deno): compare-and-set by conditional statements, advisory-locked migrations, failures as values.
import postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, type StorageFailure } from '../../core/errors.ts';
import type { StoragePort } from './port.ts';
import { postgresAdapter } from './postgres-adapter.ts';
import { describeFailure, targetOf } from './postgres-failures.ts';
import { SCHEMA_NAME, migrate } from './postgres-schema.ts';
import { Refusal } from './sql-rows.ts';

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

/** An operation fails when no answer came within the statement timeout, a connect timeout and this margin. */
const ANSWER_MARGIN_MS = 1000;
/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

// ---------------------------------------------------------------------------------------------
// open

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
    migrated = E.left(storageFailure(`cannot open the PostgreSQL store: ${describeFailure(e, target)}`));
  }
  if (E.isLeft(migrated)) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    return migrated;
  }
  // statement_timeout 0 means none: then no call is known to be abandoned by the server, and none gets a deadline.
  const statementMs = options.statementTimeoutMs ?? 30_000;
  const answerWithinMs = statementMs > 0 ? Math.min(MAX_TIMER_MS, statementMs + (options.connectTimeoutSeconds ?? 5) * 1000 + ANSWER_MARGIN_MS) : undefined;
  return E.right(postgresAdapter(sql, schema, target, answerWithinMs));
};
