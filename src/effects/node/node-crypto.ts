// node:crypto adapter of the crypto port: the same primitives as WebCrypto, synchronous underneath, for speed on Node.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AesKey, CryptoPrimitives } from '../crypto/primitives.ts';

const TAG = 16;

const keyObject = (key: AesKey): KeyObject => key as unknown as KeyObject;

export const nodeCryptoPrimitives: CryptoPrimitives = {
  randomBytes: (length) => new Uint8Array(randomBytes(length)),

  importAesKey: async (raw) => {
    if (raw.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
    return createSecretKey(Buffer.from(raw)) as unknown as AesKey;
  },

  aesGcmSeal: async (key, nonce, plaintext, aad) => {
    const c = createCipheriv('aes-256-gcm', keyObject(key), nonce, { authTagLength: TAG });
    c.setAAD(aad);
    const head = c.update(plaintext);
    const tail = c.final();
    const out = new Uint8Array(head.length + tail.length + TAG);
    out.set(head, 0);
    out.set(tail, head.length);
    out.set(c.getAuthTag(), head.length + tail.length);
    return out;
  },

  aesGcmOpen: async (key, nonce, sealed, aad) => {
    if (sealed.length < TAG) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', keyObject(key), nonce, { authTagLength: TAG });
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(sealed.length - TAG));
      const head = d.update(sealed.subarray(0, sealed.length - TAG));
      const tail = d.final();
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      return out;
    } catch {
      return undefined;
    }
  },

  hkdfSha256: async (ikm, salt, info, length) => new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)),

  hmacSha256: async (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
};
