// Per-workspace data keys: created on first write, wrapped by the active master key, unwrapped once per process and cached.
import * as E from 'fp-ts/lib/Either.js';
import type { KeyFailure, StorageFailure } from '../core/errors.ts';
import { keyFailure } from '../core/errors.ts';
import type { DataKey, Keyring } from '../effects/crypto/keyring.ts';
import type { DataKeyRecord, StoragePort } from '../effects/storage/port.ts';
import type { Clock } from '../effects/clock.ts';

export interface DataKeys {
  /** The workspace's active data key, created (race-safely, across processes) on first use. */
  active(workspaceId: string): Promise<E.Either<KeyFailure | StorageFailure, DataKey>>;
  /** A data key by id, for opening values written under it. */
  byId(workspaceId: string, id: string): Promise<E.Either<KeyFailure | StorageFailure, DataKey>>;
  /** Forgets cached keys (after a rotation in another process). */
  clear(): void;
}

export const makeDataKeys = (storage: StoragePort, keyring: Keyring, clock: Clock): DataKeys => {
  const opened = new Map<string, Promise<E.Either<KeyFailure | StorageFailure, DataKey>>>();

  const open = (rec: DataKeyRecord): Promise<E.Either<KeyFailure | StorageFailure, DataKey>> => {
    const cacheKey = JSON.stringify([rec.workspaceId, rec.id]);
    const hit = opened.get(cacheKey);
    if (hit) return hit;
    const p = (async () => {
      const raw = await keyring.unwrapDataKeyRaw(rec.workspaceId, rec.id, rec.wrapped);
      if (E.isLeft(raw)) return raw;
      return E.right(await keyring.importDataKey(rec.id, raw.right));
    })();
    opened.set(cacheKey, p);
    void p.then((r) => E.isLeft(r) && opened.delete(cacheKey));
    return p;
  };

  const byId: DataKeys['byId'] = async (workspaceId, id) => {
    const cached = opened.get(JSON.stringify([workspaceId, id]));
    if (cached) return cached;
    const rec = await storage.dataKey(workspaceId, id);
    if (E.isLeft(rec)) return rec;
    if (!rec.right) return E.left(keyFailure('unknown_key', `data key ${id} of workspace ${workspaceId} is missing from the store`));
    return open(rec.right);
  };

  return {
    // Which key is active is read at every write (one indexed read): another process may have run
    // `keys rotate-data`, and a write sealed under the retired key would be skipped by it. Unwrapped keys stay cached.
    active: async (workspaceId) => {
      let rec = await storage.activeDataKey(workspaceId);
      if (E.isLeft(rec)) return rec;
      if (!rec.right) {
        const fresh = keyring.newDataKey();
        const { wrapped, kekId } = await keyring.wrapDataKey(workspaceId, fresh.id, fresh.raw);
        rec = await storage.ensureActiveDataKey({ workspaceId, id: fresh.id, wrapped, kekId, active: true, createdAt: clock.now() });
        if (E.isLeft(rec)) return rec;
      }
      return open(rec.right!);
    },
    byId,
    clear: () => {
      opened.clear();
    },
  };
};
