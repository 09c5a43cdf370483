// Self-describing sealed blobs for data at rest (`<format>.<key id>.<base64url(nonce|ciphertext|tag)>`) and their associated data.
import { base64urlDecode, base64urlEncode, concatBytes, utf8Encode } from './bytes.ts';
import { GCM_TAG_BYTES, KID_PATTERN, NONCE_BYTES } from './reference.ts';
import type { SecretIdentity } from './scope.ts';

/** Format tags: a sealed value, a wrapped data key, a master-key check. */
export type BlobFormat = 'sv1' | 'wk1' | 'kc1';

export interface SealedBlob {
  readonly format: BlobFormat;
  readonly kid: string;
  readonly nonce: Uint8Array;
  /** Ciphertext followed by the GCM tag. */
  readonly sealed: Uint8Array;
}

export const formatBlob = (b: SealedBlob): string => `${b.format}.${b.kid}.${base64urlEncode(concatBytes(b.nonce, b.sealed))}`;

/** Parses a blob of the expected format; undefined when the text is not one. */
export const parseBlob = (format: BlobFormat, text: string): SealedBlob | undefined => {
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== format || !KID_PATTERN.test(parts[1]!)) return undefined;
  const bytes = base64urlDecode(parts[2]!);
  if (!bytes || bytes.length < NONCE_BYTES + GCM_TAG_BYTES) return undefined;
  return { format, kid: parts[1]!, nonce: bytes.subarray(0, NONCE_BYTES), sealed: bytes.subarray(NONCE_BYTES) };
};

/** The key id a blob names, without opening it. */
export const blobKid = (text: string): string | undefined => text.split('.')[1];

/** What a sealed value is bound to: its identity, its version and its policy (expiry, allowed hosts). */
export interface ValueBinding {
  readonly identity: SecretIdentity;
  readonly version: number;
  readonly expiresAt: number | null;
  readonly allowedHosts: readonly string[] | null;
}

/**
 * A value is bound to its identity, version and policy: moved to another identity, rolled back, or with
 * its expiry or allow-list edited in the store, it does not open.
 */
export const valueAad = (dataKeyId: string, b: ValueBinding): Uint8Array =>
  utf8Encode(
    JSON.stringify([
      'secretref/value/v1',
      dataKeyId,
      b.identity.workspaceId,
      b.identity.scope,
      b.identity.ownerId,
      b.identity.name,
      b.version,
      b.expiresAt,
      b.allowedHosts,
    ]),
  );

/** A wrapped data key is bound to its master key, workspace and id. */
export const dataKeyAad = (kekId: string, workspaceId: string, dataKeyId: string): Uint8Array =>
  utf8Encode(JSON.stringify(['secretref/data-key/v1', kekId, workspaceId, dataKeyId]));

/** The fixed text a key check seals, bound to the key id. */
export const keyCheckAad = (kid: string): Uint8Array => utf8Encode(JSON.stringify(['secretref/key-check/v1', kid]));
export const KEY_CHECK_PLAINTEXT = utf8Encode('secretref key check v1');
