// One contract for every crypto adapter (WebCrypto, node:crypto): same results, interchangeable ciphertexts, same refusals.
import { fc, test } from '@fast-check/vitest';
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { CryptoPrimitives } from '../../../src/effects/crypto/primitives.ts';
import { webCryptoPrimitives } from '../../../src/effects/crypto/webcrypto.ts';
import { nodeCryptoPrimitives } from '../../../src/effects/node/node-crypto.ts';

const ADAPTERS: readonly (readonly [string, CryptoPrimitives])[] = [
  ['WebCrypto', webCryptoPrimitives],
  ['node:crypto', nodeCryptoPrimitives],
];
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 300 });

describe.each(ADAPTERS)('the crypto port contract: %s', (_name, c) => {
  test.prop([key32, nonce12, bytes, bytes])('AES-GCM opens what it sealed, and the output is ciphertext plus a 16-byte tag', async (k, n, p, a) => {
    const key = await c.importAesKey(k);
    const sealed = await c.aesGcmSeal(key, n, p, a);
    expect(sealed.length).toBe(p.length + 16);
    expect(await c.aesGcmOpen(key, n, sealed, a)).toEqual(p);
  });

  test.prop([key32, nonce12, bytes, bytes, fc.nat()])('AES-GCM refuses a sealed text with any bit flipped, or other associated data', async (k, n, p, a, bit) => {
    const key = await c.importAesKey(k);
    const sealed = await c.aesGcmSeal(key, n, p, a);
    const flipped = sealed.slice();
    const at = bit % (flipped.length * 8);
    flipped[at >> 3]! ^= 1 << (at & 7);
    expect(await c.aesGcmOpen(key, n, flipped, a)).toBeUndefined();
    expect(await c.aesGcmOpen(key, n, sealed, new Uint8Array([...a, 0]))).toBeUndefined();
    expect(await c.aesGcmOpen(key, n, sealed.subarray(0, 10), a)).toBeUndefined();
  });

  test.prop([key32, bytes, bytes, fc.integer({ min: 1, max: 64 })])('HKDF-SHA256 agrees with an independent implementation', async (ikm, salt, info, len) => {
    expect(await c.hkdfSha256(ikm, salt, info, len)).toEqual(new Uint8Array(hkdfSync('sha256', ikm, salt, info, len)));
  });

  test.prop([key32, bytes])('HMAC-SHA256 agrees with an independent implementation', async (k, d) => {
    expect(await c.hmacSha256(k, d)).toEqual(new Uint8Array(createHmac('sha256', k).update(d).digest()));
  });

  test.prop([fc.integer({ min: 0, max: 64 })])('random bytes have the asked length', (n) => {
    expect(c.randomBytes(n)).toHaveLength(n);
  });
});

describe('the adapters are interchangeable', () => {
  test.prop([key32, nonce12, bytes, bytes])('what one seals the other opens', async (k, n, p, a) => {
    const sealedByWeb = await webCryptoPrimitives.aesGcmSeal(await webCryptoPrimitives.importAesKey(k), n, p, a);
    const sealedByNode = await nodeCryptoPrimitives.aesGcmSeal(await nodeCryptoPrimitives.importAesKey(k), n, p, a);
    expect(sealedByNode).toEqual(sealedByWeb);
    expect(await nodeCryptoPrimitives.aesGcmOpen(await nodeCryptoPrimitives.importAesKey(k), n, sealedByWeb, a)).toEqual(p);
  });
});
