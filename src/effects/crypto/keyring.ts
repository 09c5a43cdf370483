// The keyring: envelope encryption (master keys wrap data keys, data keys seal values) and reference sealing, over the crypto port.
import * as E from 'fp-ts/lib/Either.js';
import { hexEncode, utf8Encode } from '../../core/bytes.ts';
import { keyFailure, type KeyFailure } from '../../core/errors.ts';
import {
  KEY_CHECK_PLAINTEXT,
  dataKeyAad,
  formatBlob,
  keyCheckAad,
  parseBlob,
  valueAad,
  type ValueBinding,
} from '../../core/envelope.ts';
import type { KeySet } from '../../core/key-config.ts';
import {
  NONCE_BYTES,
  TAG_BYTES,
  decodeClaims,
  encodeClaims,
  formatReference,
  parseReference,
  referenceAad,
  resolveFailure,
  type ReferenceClaims,
  type ResolveFailure,
} from '../../core/reference.ts';
import type { AesKey, CryptoPrimitives } from './primitives.ts';

export interface KeyringConfig {
  readonly master: KeySet;
  /** Reference keys; derived from the master keys with HKDF when absent. */
  readonly ref?: KeySet;
}

/** A data key ready for use. */
export interface DataKey {
  readonly id: string;
  readonly key: AesKey;
}

export interface Keyring {
  readonly activeMasterKid: string;
  readonly masterKids: readonly string[];
  /** A fresh random data key and its id. */
  newDataKey(): { readonly id: string; readonly raw: Uint8Array };
  importDataKey(id: string, raw: Uint8Array): Promise<DataKey>;
  /** Wraps a data key with the active master key. */
  wrapDataKey(workspaceId: string, id: string, raw: Uint8Array): Promise<{ readonly wrapped: string; readonly kekId: string }>;
  /** Unwraps to raw bytes (for rewrapping) with whichever configured master key the blob names. */
  unwrapDataKeyRaw(workspaceId: string, id: string, wrapped: string): Promise<E.Either<KeyFailure, Uint8Array>>;
  sealValue(dataKey: DataKey, binding: ValueBinding, plaintext: Uint8Array): Promise<string>;
  /** The data key id a sealed value names. */
  valueDataKeyId(payload: string): string | undefined;
  openValue(dataKey: DataKey, binding: ValueBinding, payload: string): Promise<E.Either<KeyFailure, Uint8Array>>;
  sealReference(claims: ReferenceClaims, workspaceId: string, correlationId: string): Promise<string>;
  openReference(text: string, workspaceId: string, correlationId: string): Promise<E.Either<ResolveFailure, ReferenceClaims>>;
  /** A blob that only the named master key opens, stored to detect a wrong key at start-up. */
  makeKeyCheck(kid: string): Promise<string>;
  verifyKeyCheck(kid: string, blob: string): Promise<boolean>;
}

interface LoadedKey {
  readonly kid: string;
  readonly aes: AesKey;
  readonly tagKey: Uint8Array;
}

const REF_SALT = utf8Encode('secretref');
const TAG_CACHE_LIMIT = 10_000;

/** Builds a keyring from validated key sets. Key material is imported once, here. */
export const makeKeyring = async (c: CryptoPrimitives, config: KeyringConfig): Promise<Keyring> => {
  const master = new Map<string, AesKey>();
  for (const e of config.master.entries) master.set(e.kid, await c.importAesKey(e.key));

  const refSet: KeySet =
    config.ref ??
    (await (async () => {
      const entries = await Promise.all(
        config.master.entries.map(async (e) => ({
          kid: e.kid,
          active: e.active,
          key: await c.hkdfSha256(e.key, REF_SALT, utf8Encode(`secretref/ref-key/v1|${e.kid}`), 32),
        })),
      );
      return { entries, active: entries.find((e) => e.active)! };
    })());
  const refKeys = new Map<string, LoadedKey>();
  for (const e of refSet.entries)
    refKeys.set(e.kid, {
      kid: e.kid,
      aes: await c.importAesKey(e.key),
      tagKey: await c.hkdfSha256(e.key, REF_SALT, utf8Encode('secretref/ref-tag/v1'), 32),
    });
  const activeRef = refKeys.get(refSet.active.kid)!;

  const tagCache = new Map<string, Uint8Array>();
  const tag = async (k: LoadedKey, kind: 'w' | 'r', value: string): Promise<Uint8Array> => {
    const cacheKey = `${k.kid}\u0000${kind}\u0000${value}`;
    const hit = tagCache.get(cacheKey);
    if (hit) return hit;
    const t = (await c.hmacSha256(k.tagKey, utf8Encode(JSON.stringify([kind, value])))).slice(0, TAG_BYTES);
    if (tagCache.size >= TAG_CACHE_LIMIT) tagCache.clear();
    tagCache.set(cacheKey, t);
    return t;
  };
  const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

  const seal = async (key: AesKey, plaintext: Uint8Array, aad: Uint8Array) => {
    const nonce = c.randomBytes(NONCE_BYTES);
    return { nonce, sealed: await c.aesGcmSeal(key, nonce, plaintext, aad) };
  };

  return {
    activeMasterKid: config.master.active.kid,
    masterKids: config.master.entries.map((e) => e.kid),

    newDataKey: () => ({ id: `dk-${hexEncode(c.randomBytes(12))}`, raw: c.randomBytes(32) }),
    importDataKey: async (id, raw) => ({ id, key: await c.importAesKey(raw) }),

    wrapDataKey: async (workspaceId, id, raw) => {
      const kekId = config.master.active.kid;
      const s = await seal(master.get(kekId)!, raw, dataKeyAad(kekId, workspaceId, id));
      return { wrapped: formatBlob({ format: 'wk1', kid: kekId, ...s }), kekId };
    },

    unwrapDataKeyRaw: async (workspaceId, id, wrapped) => {
      const blob = parseBlob('wk1', wrapped);
      if (!blob) return E.left(keyFailure('decrypt_failed', `data key ${id} of workspace ${workspaceId} is not a wrapped key`));
      const kek = master.get(blob.kid);
      if (!kek)
        return E.left(
          keyFailure('unknown_key', `data key ${id} of workspace ${workspaceId} is wrapped with master key "${blob.kid}", which SECRETS_MASTER_KEYS does not hold`),
        );
      const raw = await c.aesGcmOpen(kek, blob.nonce, blob.sealed, dataKeyAad(blob.kid, workspaceId, id));
      return raw && raw.length === 32
        ? E.right(raw)
        : E.left(keyFailure('wrong_master_key', `master key "${blob.kid}" does not open data key ${id} of workspace ${workspaceId}: wrong key, or the row was altered`));
    },

    sealValue: async (dataKey, binding, plaintext) =>
      formatBlob({ format: 'sv1', kid: dataKey.id, ...(await seal(dataKey.key, plaintext, valueAad(dataKey.id, binding))) }),

    valueDataKeyId: (payload) => parseBlob('sv1', payload)?.kid,

    openValue: async (dataKey, binding, payload) => {
      const id = binding.identity;
      const blob = parseBlob('sv1', payload);
      if (!blob || blob.kid !== dataKey.id) return E.left(keyFailure('decrypt_failed', `the stored value of "${id.name}" is not a sealed value of data key ${dataKey.id}`));
      const plain = await c.aesGcmOpen(dataKey.key, blob.nonce, blob.sealed, valueAad(dataKey.id, binding));
      return plain
        ? E.right(plain)
        : E.left(keyFailure('decrypt_failed', `the stored value of "${id.name}" does not open: it, its expiry or its allowed hosts were altered, moved or rolled back`));
    },

    sealReference: async (claims, workspaceId, correlationId) => {
      const k = activeRef;
      const wt = await tag(k, 'w', workspaceId);
      const rt = await tag(k, 'r', correlationId);
      const s = await seal(k.aes, encodeClaims(claims), referenceAad(k.kid, workspaceId, correlationId, wt, rt));
      return formatReference({ kid: k.kid, workspaceTag: wt, runTag: rt, nonce: s.nonce, sealed: s.sealed });
    },

    openReference: async (text, workspaceId, correlationId) => {
      const parts = parseReference(text);
      if (E.isLeft(parts)) return parts;
      const p = parts.right;
      const k = refKeys.get(p.kid);
      if (!k) return E.left(resolveFailure('unknown_key'));
      const plain = await c.aesGcmOpen(k.aes, p.nonce, p.sealed, referenceAad(k.kid, workspaceId, correlationId, p.workspaceTag, p.runTag));
      if (!plain) {
        // The tags are authenticated only when the reference opens; here they only tell which refusal to report.
        if (!sameBytes(p.workspaceTag, await tag(k, 'w', workspaceId))) return E.left(resolveFailure('other_workspace'));
        if (!sameBytes(p.runTag, await tag(k, 'r', correlationId))) return E.left(resolveFailure('other_run'));
        return E.left(resolveFailure('tampered'));
      }
      const claims = decodeClaims(plain);
      if (E.isRight(claims) && claims.right.identity.workspaceId !== workspaceId) return E.left(resolveFailure('other_workspace'));
      return claims;
    },

    makeKeyCheck: async (kid) => {
      const kek = master.get(kid);
      if (!kek) throw new RangeError(`no master key "${kid}"`);
      return formatBlob({ format: 'kc1', kid, ...(await seal(kek, KEY_CHECK_PLAINTEXT, keyCheckAad(kid))) });
    },

    verifyKeyCheck: async (kid, text) => {
      const kek = master.get(kid);
      const blob = parseBlob('kc1', text);
      if (!kek || !blob || blob.kid !== kid) return false;
      const plain = await c.aesGcmOpen(kek, blob.nonce, blob.sealed, keyCheckAad(kid));
      return plain !== undefined && sameBytes(plain, KEY_CHECK_PLAINTEXT);
    },
  };
};

