// WebCrypto adapter of the crypto port: the default on Node, Deno and browsers; `globalThis.crypto` is read at call time.
import type { AesKey, CryptoPrimitives } from './primitives.ts';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

export const webCryptoPrimitives: CryptoPrimitives = {
  randomBytes: (length) => globalThis.crypto.getRandomValues(new Uint8Array(length)),

  importAesKey: async (raw) => {
    if (raw.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
    return (await subtle().importKey('raw', buf(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])) as unknown as AesKey;
  },

  aesGcmSeal: async (key, nonce, plaintext, aad) =>
    new Uint8Array(
      await subtle().encrypt({ name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad), tagLength: 128 }, key as unknown as CryptoKey, buf(plaintext)),
    ),

  aesGcmOpen: async (key, nonce, sealed, aad) => {
    try {
      return new Uint8Array(
        await subtle().decrypt({ name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad), tagLength: 128 }, key as unknown as CryptoKey, buf(sealed)),
      );
    } catch {
      return undefined;
    }
  },

  hkdfSha256: async (ikm, salt, info, length) => {
    const base = await subtle().importKey('raw', buf(ikm), 'HKDF', false, ['deriveBits']);
    return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: buf(salt), info: buf(info) }, base, length * 8));
  },

  hmacSha256: async (key, data) => {
    const k = await subtle().importKey('raw', buf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle().sign('HMAC', k, buf(data)));
  },
};
