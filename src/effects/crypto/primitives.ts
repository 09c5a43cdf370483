// The crypto port: the few primitives the keyring is derived from (AES-256-GCM, HKDF, HMAC, randomness).

/** An imported AES-256 key, opaque to everything but the adapter that made it. */
export interface AesKey {
  readonly _AesKey: unique symbol;
}

export interface CryptoPrimitives {
  /** Cryptographically strong random bytes. */
  randomBytes(length: number): Uint8Array;
  importAesKey(raw: Uint8Array): Promise<AesKey>;
  /** AES-256-GCM with a 96-bit nonce; returns ciphertext followed by the 16-byte tag. */
  aesGcmSeal(key: AesKey, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** Inverse of aesGcmSeal; undefined when authentication fails. */
  aesGcmOpen(key: AesKey, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined>;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
}
