// What a store holds at rest, byte for byte: for checks that no plaintext ever reaches the disk or the server.
import { existsSync, readFileSync } from 'node:fs';
import type postgres from 'postgres';

/** The SQLite database file and its write-ahead log (which holds recent writes before a checkpoint), concatenated. */
export const rawBytesOfSqlite = (path: string): Buffer =>
  Buffer.concat([path, `${path}-wal`, `${path}-journal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));

/** Every row of every table in a PostgreSQL schema, each as its text form (`table: (col,col,…)`), one per line. */
export const rawRowsOfPostgres = async (sql: postgres.Sql, schema: string): Promise<string> => {
  const tables = await sql<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`;
  const lines: string[] = [];
  for (const { table_name } of tables) {
    const rows = await sql<{ row: string }[]>`SELECT t::text AS row FROM ${sql(`${schema}.${table_name}`)} t`;
    for (const { row } of rows) lines.push(`${table_name}: ${row}`);
  }
  return lines.join('\n');
};
