// The storage port: versioned compare-and-set of sealed secrets, expiry enforced on read, wrapped data keys, key checks.
import type * as E from 'fp-ts/lib/Either.js';
import type { SecretIdentity } from '../../core/scope.ts';
import type { ListQuery, ReadResult, SecretMetadata, StoredSecret } from '../../core/store.ts';
import type { StorageFailure, VersionConflict } from '../../core/errors.ts';

/** A per-workspace data key, wrapped by a master key. `wrapped` is self-describing and names its master key. */
export interface DataKeyRecord {
  readonly workspaceId: string;
  readonly id: string;
  readonly wrapped: string;
  readonly kekId: string;
  readonly active: boolean;
  readonly createdAt: number;
}

export type StorageResult<A> = Promise<E.Either<StorageFailure, A>>;

/**
 * Every backend (memory, SQLite, PostgreSQL) implements this, and every operation is atomic.
 * Adapters never throw: failures come back as StorageFailure values whose messages hold no payload.
 */
export interface StoragePort {
  /** The identity's version (0 if never written) and its live secret; expired secrets read as null. */
  read(id: SecretIdentity, now: number): StorageResult<ReadResult>;
  /** Writes iff the current version is `expectedVersion` and `secret.version === expectedVersion + 1`. */
  write(secret: StoredSecret, expectedVersion: number): Promise<E.Either<StorageFailure | VersionConflict, void>>;
  /** Deletes a live secret (tombstone one version up); `removed` is false if nothing live was there. */
  remove(id: SecretIdentity, now: number): StorageResult<{ readonly removed: boolean; readonly version: number }>;
  /** Metadata of live secrets, never payloads. */
  list(query: ListQuery, now: number): StorageResult<readonly SecretMetadata[]>;
  /** Drops the payloads of expired secrets; returns how many. */
  sweep(now: number): StorageResult<number>;

  /** The active data key of a workspace, if one exists. */
  activeDataKey(workspaceId: string): StorageResult<DataKeyRecord | null>;
  /** A data key by id (active or retired). */
  dataKey(workspaceId: string, id: string): StorageResult<DataKeyRecord | null>;
  /** Every data key of every workspace (for rewrapping), in a stable order. */
  listDataKeys(): StorageResult<readonly DataKeyRecord[]>;
  /** Inserts `candidate` as the workspace's active data key unless one exists; returns the active one either way. */
  ensureActiveDataKey(candidate: DataKeyRecord): StorageResult<DataKeyRecord>;
  /** Makes `next` the workspace's active data key and retires the others. */
  activateDataKey(next: DataKeyRecord): StorageResult<void>;
  /** Replaces a data key's wrapping iff it is still `expectedWrapped`; returns whether it did. */
  rewrapDataKey(workspaceId: string, id: string, expectedWrapped: string, wrapped: string, kekId: string): StorageResult<boolean>;

  /** The key-check blob stored for a master key id, if any. */
  keyCheck(kid: string): StorageResult<string | null>;
  /** Stores a key-check blob unless one exists; returns the stored one. */
  ensureKeyCheck(kid: string, blob: string): StorageResult<string>;

  close(): Promise<void>;
}
