// The SQLite adapter's statements, prepared once per connection, and the named parameters that bind an identity.
import type Database from 'better-sqlite3';
import type { SecretIdentity } from '../../core/scope.ts';

const LIVE = `payload IS NOT NULL AND (expires_at IS NULL OR expires_at > @now)`;
const BY_ID = `workspace_id = @w AND scope = @s AND owner_id = @o AND name = @n`;
const META = `workspace_id, scope, owner_id, name, version, created_at, updated_at, expires_at, allowed_hosts`;

/** The parameters @w, @s, @o, @n of an identity. */
export const keyOf = (id: SecretIdentity) => ({ w: id.workspaceId, s: id.scope, o: id.ownerId, n: id.name });

/** Every statement the adapter runs, prepared on a migrated database. */
export const prepareStatements = (db: Database.Database) => ({
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
});
