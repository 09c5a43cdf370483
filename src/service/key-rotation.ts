// Key rotation: rewrap every data key under the active master key, and move a workspace to a new data key.
import * as E from 'fp-ts/lib/Either.js';
import { invalidField, keyFailure, storageFailure, type SecretsError } from '../core/errors.ts';
import type { StoredSecret } from '../core/store.ts';
import type { SecretIdentity } from '../core/scope.ts';
import type { Clock } from '../effects/clock.ts';
import type { DataKey, Keyring } from '../effects/crypto/keyring.ts';
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
  /** Secrets sealed again under the new key. */
  readonly reencrypted: number;
  /** Secrets found already under the new key (their writer used it) or gone meanwhile. */
  readonly skipped: number;
  /** Secrets (`workspace/NAME`, `user:ID/NAME`) whose stored value does not open (altered in the store): left as they are. */
  readonly unreadable: readonly string[];
}

const MAX_PASSES = 5;
const MAX_MOVE_ATTEMPTS = 32;

type Outcome = 'moved' | 'skipped' | 'unreadable';

/**
 * Gives a workspace a new active data key (new writes use it at once: writers read the active key
 * at every write and seal again if it changed under them) and re-encrypts every live secret under
 * it, one compare-and-set each (version + 1), retrying a secret that a writer changed meanwhile.
 * Passes repeat until one finds nothing left to move, so secrets created during a pass are moved
 * too. A value that does not open is reported, not fatal. If another rotation of the workspace
 * activated a newer key meanwhile, the result is an error: run it again. Interrupted, it can simply
 * run again (one more data key; the retired ones stay in the store to open old rows).
 */
export const rotateDataKey = async (
  storage: StoragePort,
  keyring: Keyring,
  clock: Clock,
  workspaceId: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<E.Either<SecretsError, DataRotationReport>> => {
  // A workspace with no data key has never held a secret: most likely a typo, and rotating would create one.
  const current = await storage.activeDataKey(workspaceId);
  if (E.isLeft(current)) return current;
  if (current.right === null)
    return E.left(invalidField('workspaceId', `a workspace that holds secrets; "${workspaceId}" has no data key (no secret was ever written there), so nothing was rotated`));
  const fresh = keyring.newDataKey();
  const { wrapped, kekId } = await keyring.wrapDataKey(workspaceId, fresh.id, fresh.raw);
  const activated = await storage.activateDataKey({ workspaceId, id: fresh.id, wrapped, kekId, active: true, createdAt: clock.now() });
  if (E.isLeft(activated)) return activated;
  const next = await keyring.importDataKey(fresh.id, fresh.raw);

  const superseded = () =>
    keyFailure('unknown_key', `another rotation of workspace ${workspaceId} activated a newer data key meanwhile; run keys rotate-data again`);
  const opened = new Map<string, DataKey>();
  const openOld = async (dkId: string): Promise<E.Either<SecretsError, DataKey>> => {
    const hit = opened.get(dkId);
    if (hit) return E.right(hit);
    const rec = await storage.dataKey(workspaceId, dkId);
    if (E.isLeft(rec)) return rec;
    if (!rec.right) return E.left(keyFailure('unknown_key', `data key ${dkId} of workspace ${workspaceId} is missing from the store`));
    const raw = await keyring.unwrapDataKeyRaw(workspaceId, dkId, rec.right.wrapped);
    if (E.isLeft(raw)) return raw;
    const key = await keyring.importDataKey(dkId, raw.right);
    opened.set(dkId, key);
    return E.right(key);
  };

  /** Moves one secret under the new key, re-reading it after each lost compare-and-set. */
  const moveOne = async (identity: SecretIdentity): Promise<E.Either<SecretsError, Outcome>> => {
    for (let attempt = 0; attempt < MAX_MOVE_ATTEMPTS; attempt++) {
      const r = await storage.read(identity, clock.now());
      if (E.isLeft(r)) return r;
      const s = r.right.secret;
      const dkId = s ? keyring.valueDataKeyId(s.payload) : undefined;
      if (!s || dkId === fresh.id) return E.right('skipped');
      if (dkId === undefined) return E.right('unreadable');
      const old = await openOld(dkId);
      if (E.isLeft(old)) return old;
      const plain = await keyring.openValue(old.right, s, s.payload);
      if (E.isLeft(plain)) return E.right('unreadable');
      // Superseded by another rotation: stop moving values to a key that is no longer active.
      const active = await storage.activeDataKey(workspaceId);
      if (E.isLeft(active)) return active;
      if (active.right?.id !== fresh.id) return E.left(superseded());
      const version = s.version + 1;
      const moved: StoredSecret = { ...s, version, payload: await keyring.sealValue(next, { ...s, version }, plain.right), updatedAt: clock.now() };
      const w = await storage.write(moved, s.version);
      if (E.isRight(w)) return E.right('moved');
      if (w.left._tag !== 'VersionConflict') return w;
    }
    return E.left(storageFailure(`secret "${identity.name}" kept changing during the rotation; run keys rotate-data again`));
  };

  let reencrypted = 0;
  let skipped = 0;
  const unreadable = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const listed = await storage.list({ workspaceId }, clock.now());
    if (E.isLeft(listed)) return listed;
    let movedThisPass = 0;
    for (const [i, meta] of listed.right.entries()) {
      const name = meta.identity.scope === 'user' ? `user:${meta.identity.ownerId}/${meta.identity.name}` : `workspace/${meta.identity.name}`;
      if (unreadable.has(name)) continue;
      const o = await moveOne(meta.identity);
      if (E.isLeft(o)) return o;
      if (o.right === 'moved') {
        reencrypted++;
        movedThisPass++;
      } else if (o.right === 'unreadable') unreadable.add(name);
      else if (pass === 0) skipped++;
      onProgress(i + 1, listed.right.length);
    }
    if (movedThisPass === 0) break;
  }

  const still = await storage.activeDataKey(workspaceId);
  if (E.isLeft(still)) return still;
  if (still.right?.id !== fresh.id) return E.left(superseded());
  return E.right({ dataKeyId: fresh.id, reencrypted, skipped, unreadable: [...unreadable] });
};
