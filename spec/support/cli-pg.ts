// PostgreSQL for CLI tests: the CLI's URL has no schema option, so each test file gets a throwaway database of its own.
import { randomBytes } from 'node:crypto';
import { adminSql, pgTarget, type PgTarget } from './storage-pg.ts';

export interface PgDatabase {
  /** A postgres:// URL naming the fresh database (what SECRETREF_STORE receives). */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connection still open to it. */
  readonly drop: () => Promise<void>;
}

/** Where the CLI PostgreSQL suite runs, or why it skips (same rules as the storage suites: never skips with CI=true). */
export const cliPgTarget = (): Promise<PgTarget> => pgTarget();

/** CREATE DATABASE secretref_cli_<random> on the server of `url`. */
export const createPgDatabase = async (url: string): Promise<PgDatabase> => {
  const name = `secretref_cli_${randomBytes(6).toString('hex')}`;
  const sql = adminSql(url);
  try {
    await sql.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const admin = adminSql(url);
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
};
