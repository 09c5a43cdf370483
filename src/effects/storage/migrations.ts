// Schema migrations of the SQL stores, oldest first: applied in order at open and recorded in schema_migrations.
import type { SecretIdentity } from '../../core/scope.ts';
import type { StoredSecret } from '../../core/store.ts';

/** One schema step. `version` grows by one per step; a store records every step it has applied. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** The newest schema version a list of migrations reaches (0 for none). */
export const latestVersion = (migrations: readonly Migration[]): number =>
  migrations.reduce((v, m) => Math.max(v, m.version), 0);

/** Records which steps a store has applied; created before anything else, identically on both engines. */
export const SCHEMA_MIGRATIONS_TABLE = (prefix: string): string =>
  `CREATE TABLE IF NOT EXISTS ${prefix}schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

/** A message for a store written by a newer secretref; opening it would risk corrupting it. */
export const newerSchemaMessage = (where: string, found: number, known: number): string =>
  `${where} has schema version ${found}, newer than the ${known} this secretref understands; upgrade secretref to open it`;

// ---------------------------------------------------------------------------------------------
// SQLite (STRICT tables: a non-integer timestamp is refused, not silently stored as REAL)

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'secrets, data keys, key checks',
    statements: [
      `CREATE TABLE secrets (
        workspace_id TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('workspace', 'user')),
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        payload TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER,
        allowed_hosts TEXT,
        PRIMARY KEY (workspace_id, scope, owner_id, name)
      ) STRICT, WITHOUT ROWID`,
      `CREATE INDEX secrets_expiring ON secrets (expires_at) WHERE payload IS NOT NULL AND expires_at IS NOT NULL`,
      `CREATE TABLE data_keys (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        wrapped TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, id)
      ) STRICT, WITHOUT ROWID`,
      `CREATE UNIQUE INDEX data_keys_one_active ON data_keys (workspace_id) WHERE active = 1`,
      `CREATE TABLE key_checks (kid TEXT PRIMARY KEY, blob TEXT NOT NULL) STRICT, WITHOUT ROWID`,
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// PostgreSQL (every name qualified by the quoted schema; IF NOT EXISTS as a second guard behind the advisory lock)

export const postgresMigrations = (schema: string): readonly Migration[] => {
  const s = `"${schema.replace(/"/g, '""')}".`;
  return [
    {
      version: 1,
      name: 'secrets, data keys, key checks',
      statements: [
        `CREATE TABLE IF NOT EXISTS ${s}secrets (
          workspace_id TEXT NOT NULL,
          scope TEXT NOT NULL CHECK (scope IN ('workspace', 'user')),
          owner_id TEXT NOT NULL,
          name TEXT NOT NULL,
          version BIGINT NOT NULL CHECK (version >= 1),
          payload TEXT,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          expires_at BIGINT,
          allowed_hosts TEXT,
          PRIMARY KEY (workspace_id, scope, owner_id, name)
        )`,
        `CREATE INDEX IF NOT EXISTS secrets_expiring ON ${s}secrets (expires_at) WHERE payload IS NOT NULL AND expires_at IS NOT NULL`,
        `CREATE TABLE IF NOT EXISTS ${s}data_keys (
          workspace_id TEXT NOT NULL,
          id TEXT NOT NULL,
          wrapped TEXT NOT NULL,
          kek_id TEXT NOT NULL,
          active BOOLEAN NOT NULL,
          created_at BIGINT NOT NULL,
          PRIMARY KEY (workspace_id, id)
        )`,
        `CREATE UNIQUE INDEX IF NOT EXISTS data_keys_one_active ON ${s}data_keys (workspace_id) WHERE active`,
        `CREATE TABLE IF NOT EXISTS ${s}key_checks (kid TEXT PRIMARY KEY, blob TEXT NOT NULL)`,
      ],
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// what the SQL schemas can hold (checked before binding, so a refusal names the field and never quotes it)

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/** Text survives a round trip through a UTF-8 column: no NUL and no unpaired surrogate. */
export const storableText = (s: string): boolean => !UNSTORABLE.test(s);

/** Timestamps and versions are stored as 64-bit integers. */
export const storableInteger = (n: number): boolean => Number.isSafeInteger(n);

/** Every part of an identity is storable text. */
export const storableIdentity = (id: SecretIdentity): boolean =>
  storableText(id.workspaceId) && storableText(id.scope) && storableText(id.ownerId) && storableText(id.name);

/** The first field of a secret that a SQL store cannot hold as given, or undefined. */
export const unstorableField = (secret: StoredSecret): string | undefined => {
  if (!storableIdentity(secret.identity))
    return 'identity (NUL or unpaired surrogate)';
  if (!storableText(secret.payload)) return 'payload (NUL or unpaired surrogate)';
  if (secret.allowedHosts !== null && !secret.allowedHosts.every((h) => typeof h === 'string' && storableText(h)))
    return 'allowedHosts (not text, or NUL or unpaired surrogate)';
  if (!storableInteger(secret.version) || secret.version < 1) return 'version (a positive integer)';
  if (!storableInteger(secret.createdAt)) return 'createdAt (integer epoch milliseconds)';
  if (!storableInteger(secret.updatedAt)) return 'updatedAt (integer epoch milliseconds)';
  if (secret.expiresAt !== null && !storableInteger(secret.expiresAt)) return 'expiresAt (integer epoch milliseconds)';
  return undefined;
};
