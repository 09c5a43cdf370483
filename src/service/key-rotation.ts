// Key rotation: rewrap every data key under the active master key, and move a workspace to a new data key.
import * as E from 'fp-ts/lib/Either.js';
import { utf8Decode } from '../core/bytes.ts';
import { keyFailure, type SecretsError } from '../core/errors.ts';
import type { StoredSecret } from '../core/store.ts';
import type { Clock } from '../effects/clock.ts';
import type { Keyring } from '../effects/crypto/keyring.ts';
import type { StoragePort } from '../effects/storage/port.ts';

export interface RewrapReport {
  readonly total: number;
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
  /** Master key ids that no data key uses any more (they may be removed once references have expired). */
  readonly unusedMasterKids: readonly string[];
}

/**
 * Rewraps every data key that is not wrapped with the active master key. Each rewrap is a
 * compare-and-set, so the command is safe to interrupt and to run again, even beside live writers.
 */
export const rewrapDataKeys = async (
  storage: StoragePort,
  keyring: Keyring,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<E.Either<SecretsError, RewrapReport>> => {
  const all = await storage.listDataKeys();
  if (E.isLeft(all)) return all;
  const keys = all.right;
  let rewrapped = 0;
  let current = 0;
  for (const [i, k] of keys.entries()) {
    if (k.kekId === keyring.activeMasterKid) current++;
    else {
      const raw = await keyring.unwrapDataKeyRaw(k.workspaceId, k.id, k.wrapped);
      if (E.isLeft(raw)) return raw;
      const { wrapped, kekId } = await keyring.wrapDataKey(k.workspaceId, k.id, raw.right);
      const swapped = await storage.rewrapDataKey(k.workspaceId, k.id, k.wrapped, wrapped, kekId);
      if (E.isLeft(swapped)) return swapped;
      if (swapped.right) rewrapped++;
      else current++; // another process rewrapped it first
    }
    onProgress(i + 1, keys.length);
  }
  const after = await storage.listDataKeys();
  if (E.isLeft(after)) return after;
  const used = new Set(after.right.map((k) => k.kekId));
  return E.right({ total: keys.length, rewrapped, alreadyCurrent: current, unusedMasterKids: keyring.masterKids.filter((kid) => !used.has(kid)) });
};

export interface DataRotationReport {
  readonly dataKeyId: string;
  readonly reencrypted: number;
  readonly skipped: number;
}

/**
 * Gives a workspace a new active data key (new writes use it at once) and re-encrypts every live
 * secret under it, one compare-and-set each (version + 1). A value changed meanwhile by a writer is
 * left to that writer (writers read the active key at every write, so it used the new one).
 * Interrupted, it can simply run again: that makes one more data key and re-encrypts every value
 * under it, which is harmless; the retired keys stay in the store to open old rows.
 */
export const rotateDataKey = async (
  storage: StoragePort,
  keyring: Keyring,
  clock: Clock,
  workspaceId: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<E.Either<SecretsError, DataRotationReport>> => {
  const fresh = keyring.newDataKey();
  const { wrapped, kekId } = await keyring.wrapDataKey(workspaceId, fresh.id, fresh.raw);
  const activated = await storage.activateDataKey({ workspaceId, id: fresh.id, wrapped, kekId, active: true, createdAt: clock.now() });
  if (E.isLeft(activated)) return activated;
  const next = await keyring.importDataKey(fresh.id, fresh.raw);

  const listed = await storage.list({ workspaceId }, clock.now());
  if (E.isLeft(listed)) return listed;
  const opened = new Map<string, Awaited<ReturnType<Keyring['importDataKey']>>>();
  let reencrypted = 0;
  let skipped = 0;
  for (const [i, meta] of listed.right.entries()) {
    const r = await storage.read(meta.identity, clock.now());
    if (E.isLeft(r)) return r;
    const s = r.right.secret;
    const dkId = s ? keyring.valueDataKeyId(s.payload) : undefined;
    if (!s || dkId === undefined || dkId === fresh.id) {
      skipped++;
    } else {
      let old = opened.get(dkId);
      if (!old) {
        const rec = await storage.dataKey(workspaceId, dkId);
        if (E.isLeft(rec)) return rec;
        if (!rec.right) return E.left(keyFailure('unknown_key', `data key ${dkId} of workspace ${workspaceId} is missing from the store`));
        const raw = await keyring.unwrapDataKeyRaw(workspaceId, dkId, rec.right.wrapped);
        if (E.isLeft(raw)) return raw;
        old = await keyring.importDataKey(dkId, raw.right);
        opened.set(dkId, old);
      }
      const plain = await keyring.openValue(old, s, s.payload);
      if (E.isLeft(plain)) return plain;
      if (utf8Decode(plain.right) === undefined) return E.left(keyFailure('decrypt_failed', `the stored value of "${s.identity.name}" is not text`));
      const version = s.version + 1;
      const moved: StoredSecret = { ...s, version, payload: await keyring.sealValue(next, { ...s, version }, plain.right), updatedAt: clock.now() };
      const w = await storage.write(moved, s.version);
      if (E.isRight(w)) reencrypted++;
      else if (w.left._tag === 'VersionConflict') skipped++;
      else return w;
    }
    onProgress(i + 1, listed.right.length);
  }
  return E.right({ dataKeyId: fresh.id, reencrypted, skipped });
};
