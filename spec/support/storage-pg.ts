// PostgreSQL for tests: which server to use (or why the suite skips), and throwaway schemas dropped afterwards.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import { openPostgresStorage, type PostgresStorageOptions } from '../../src/effects/storage/postgres.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';

export const LOCAL_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type PgTarget = { readonly url: string } | { readonly url: undefined; readonly reason: string };

const answers = async (url: string): Promise<boolean> => {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined, fetch_types: false });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 0 }).catch(() => undefined);
  }
};

/**
 * SECRETREF_PG_URL when set; else the local server when CI=true (never skip in CI) or when it answers.
 * Otherwise the PostgreSQL suites skip, and the reason says how to run them.
 */
export const pgTarget = async (): Promise<PgTarget> => {
  const env = process.env['SECRETREF_PG_URL'];
  if (env !== undefined && env !== '') return { url: env };
  if (process.env['CI'] === 'true') return { url: LOCAL_PG_URL };
  if (await answers(LOCAL_PG_URL)) return { url: LOCAL_PG_URL };
  return {
    url: undefined,
    reason: `PostgreSQL suites skipped: SECRETREF_PG_URL is unset and ${LOCAL_PG_URL} does not answer (set SECRETREF_PG_URL or start a server; with CI=true they fail instead)`,
  };
};

/** A short admin connection for fixtures: schema creation, inspection, drops. */
export const adminSql = (url: string) => postgres(url, { max: 2, connect_timeout: 5, onnotice: () => undefined, fetch_types: false });

export interface PgFixture {
  /** A unique schema name under this fixture's prefix (not created). */
  readonly freshSchema: () => string;
  /** A storage in a fresh schema of its own; throws if it cannot open (a test setup failure, not a behaviour). */
  readonly make: (options?: PostgresStorageOptions) => Promise<StoragePort>;
  /** Drops every schema this fixture's prefix names. */
  readonly cleanup: () => Promise<void>;
}

/** One prefix per test file (`secretref_test_<random>_`), one schema per storage under it. */
export const pgFixture = (url: string): PgFixture => {
  const prefix = `secretref_test_${randomBytes(4).toString('hex')}_`;
  let n = 0;
  const freshSchema = () => `${prefix}${n++}`;
  return {
    freshSchema,
    make: async (options = {}) => {
      const opened = await openPostgresStorage(url, { max: 4, ...options, schema: options.schema ?? freshSchema() });
      if (E.isLeft(opened)) throw new Error(`test setup: ${opened.left.message}`);
      return opened.right;
    },
    cleanup: async () => {
      const sql = adminSql(url);
      try {
        const schemas = await sql<{ nspname: string }[]>`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ${prefix})`;
        for (const { nspname } of schemas) await sql.unsafe(`DROP SCHEMA "${nspname}" CASCADE`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
};
