// The SQLite storage port (better-sqlite3): one transaction per operation, compare-and-set on version.
import type Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { versionConflict, type StorageFailure, type VersionConflict } from '../../core/errors.ts';
import type { SecretIdentity } from '../../core/scope.ts';
import type { ListQuery, ReadResult, SecretMetadata, StoredSecret } from '../../core/store.ts';
import { storableIdentity, storableText, unstorableField } from '../storage/migrations.ts';
import type { DataKeyRecord, StoragePort } from '../storage/port.ts';
import { badNow, storableKey, storableQuery } from '../storage/sql-guards.ts';
import { byScopeOwnerName, byWorkspaceAndId, dataKeyOf as dataKeyFrom, metadataOf as metadataFrom, type DataKeyRow, type SecretRow } from '../storage/sql-rows.ts';
import { attempt, refuse } from './sqlite-failures.ts';
import { keyOf, prepareStatements } from './sqlite-statements.ts';

// ---------------------------------------------------------------------------------------------
// rows (integers and booleans arrive as numbers)

type Row = SecretRow<number>;
type KeyRow = DataKeyRow<number, number>;

const metadataOf = metadataFrom((i: number) => i);
const dataKeyOf = dataKeyFrom((i: number) => i, (b: number) => b === 1);

/** The storage port over a migrated database; every write is one BEGIN IMMEDIATE transaction. */
export const sqliteAdapter = (db: Database.Database): StoragePort => {
  const q = prepareStatements(db);

  const currentVersion = (id: SecretIdentity) => (q.version.get(keyOf(id)) as { version: number } | undefined)?.version ?? 0;

  const write = db.transaction((secret: StoredSecret, expected: number): E.Either<StorageFailure | VersionConflict, void> => {
    const actual = currentVersion(secret.identity);
    if (actual !== expected || secret.version !== expected + 1) return E.left(versionConflict(expected, actual));
    const bad = unstorableField(secret);
    if (bad !== undefined) return refuse('write', `cannot store ${bad}`);
    q.upsert.run({
      ...keyOf(secret.identity),
      version: secret.version,
      payload: secret.payload,
      createdAt: secret.createdAt,
      updatedAt: secret.updatedAt,
      expiresAt: secret.expiresAt,
      hosts: secret.allowedHosts === null ? null : JSON.stringify(secret.allowedHosts),
    });
    return E.right(undefined);
  });

  const remove = db.transaction((id: SecretIdentity, now: number) => {
    const gone = q.tombstone.get({ ...keyOf(id), now }) as { version: number } | undefined;
    return gone ? { removed: true, version: gone.version } : { removed: false, version: currentVersion(id) };
  });

  const ensureKey = db.transaction((c: DataKeyRecord): DataKeyRecord => {
    const existing = q.activeKey.get(c.workspaceId) as KeyRow | undefined;
    if (existing) return dataKeyOf(existing);
    q.insertKey.run({ w: c.workspaceId, id: c.id, wrapped: c.wrapped, kek: c.kekId, createdAt: c.createdAt });
    return { ...c, active: true };
  });

  const activateKey = db.transaction((k: DataKeyRecord) => {
    q.retireKeys.run(k.workspaceId);
    q.activateKey.run({ w: k.workspaceId, id: k.id, wrapped: k.wrapped, kek: k.kekId, createdAt: k.createdAt });
  });

  const ensureCheck = db.transaction((kid: string, blob: string) => {
    q.insertCheck.run(kid, blob);
    return (q.check.get(kid) as { blob: string }).blob;
  });

  const done = <A>(e: E.Either<StorageFailure, A>) => Promise.resolve(e);

  return {
    read: (id, now) => {
      if (badNow(now)) return done(refuse('read', 'now must be a finite number'));
      if (!storableIdentity(id)) return done(E.right<StorageFailure, ReadResult>({ version: 0, secret: null }));
      return done(
        attempt('read', (): ReadResult => {
          const r = q.read.get({ ...keyOf(id), now }) as Row | undefined;
          if (!r) return { version: 0, secret: null };
          const payload = r.payload ?? null;
          return { version: r.version, secret: payload === null ? null : { ...metadataOf(r), payload } };
        }),
      );
    },
    write: (secret, expected) => {
      if (!storableIdentity(secret.identity)) return Promise.resolve(refuse('write', 'cannot store identity (NUL or unpaired surrogate)'));
      return Promise.resolve(E.flatten(attempt('write', () => write.immediate(secret, expected))));
    },
    remove: (id, now) => {
      if (badNow(now)) return done(refuse('remove', 'now must be a finite number'));
      if (!storableIdentity(id)) return done(E.right({ removed: false, version: 0 }));
      return done(attempt('remove', () => remove.immediate(id, now)));
    },
    list: (query: ListQuery, now) => {
      if (badNow(now)) return done(refuse('list', 'now must be a finite number'));
      if (!storableQuery(query)) return done(E.right<StorageFailure, readonly SecretMetadata[]>([]));
      return done(
        attempt('list', () =>
          (q.list.all({ w: query.workspaceId, s: query.scope ?? null, o: query.ownerId ?? null, now }) as Row[])
            .map(metadataOf)
            .sort(byScopeOwnerName),
        ),
      );
    },
    sweep: (now) => {
      if (badNow(now)) return done(refuse('sweep', 'now must be a finite number'));
      return done(attempt('sweep', () => q.sweep.run({ now }).changes));
    },

    activeDataKey: (ws) =>
      done(attempt('activeDataKey', () => {
        const r = q.activeKey.get(ws) as KeyRow | undefined;
        return r ? dataKeyOf(r) : null;
      })),
    dataKey: (ws, id) =>
      done(attempt('dataKey', () => {
        const r = q.key.get(ws, id) as KeyRow | undefined;
        return r ? dataKeyOf(r) : null;
      })),
    listDataKeys: () => done(attempt('listDataKeys', () => (q.keys.all() as KeyRow[]).map(dataKeyOf).sort(byWorkspaceAndId))),
    ensureActiveDataKey: (candidate) => {
      if (!storableKey(candidate)) return done(refuse('ensureActiveDataKey', 'the data key record has unstorable fields'));
      return done(attempt('ensureActiveDataKey', () => ensureKey.immediate(candidate)));
    },
    activateDataKey: (next) => {
      if (!storableKey(next)) return done(refuse('activateDataKey', 'the data key record has unstorable fields'));
      return done(attempt('activateDataKey', () => activateKey.immediate(next)));
    },
    rewrapDataKey: (ws, id, expectedWrapped, wrapped, kekId) => {
      if (![wrapped, kekId].every(storableText)) return done(refuse('rewrapDataKey', 'the new wrapping has unstorable text'));
      return done(
        attempt('rewrapDataKey', () => q.rewrap.run({ w: ws, id, expected: expectedWrapped, wrapped, kek: kekId }).changes === 1),
      );
    },

    keyCheck: (kid) => done(attempt('keyCheck', () => (q.check.get(kid) as { blob: string } | undefined)?.blob ?? null)),
    ensureKeyCheck: (kid, blob) => {
      if (![kid, blob].every(storableText)) return done(refuse('ensureKeyCheck', 'the key check has unstorable text'));
      return done(attempt('ensureKeyCheck', () => ensureCheck.immediate(kid, blob)));
    },

    close: () => {
      try {
        if (db.open) db.close();
      } catch {
        // closing twice or during a failure leaves nothing to do
      }
      return Promise.resolve();
    },
  };
};
