// PostgreSQL failures as safe messages: built from SQLSTATEs, client codes and names only, never a server message or detail.
import { Refusal } from './sql-rows.ts';

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
export const targetOf = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the configured server';
  }
};

/** What went wrong, from a thrown value of postgres.js or of ours; `target` is the server's host:port. */
export const describeFailure = (e: unknown, target: string): string => {
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
