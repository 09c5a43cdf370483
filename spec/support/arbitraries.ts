// Shared fast-check arbitraries: key ids, generated key sets, identities, secret values and reference text.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { parseKeySet, type KeySet } from '../../src/core/key-config.ts';
import type { JsonValue } from '../../src/core/json-value.ts';
import type { SecretIdentity } from '../../src/core/scope.ts';
import { generatedKeyHex } from './keys.ts';

/** Characters allowed in a key id. */
const KID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** Every character a reference is made of, plus the `$` and `:` of its prefix. */
export const REFERENCE_CHARS = `${KID_CHARS}.$:`;

export const kidArb: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...KID_CHARS), minLength: 1, maxLength: 64 });

/** A run or workspace id: non-empty, no control characters. */
export const idArb: fc.Arbitrary<string> = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  // eslint-disable-next-line no-control-regex
  .filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));

/** A secret name accepted by set/get/delete. */
export const nameArb: fc.Arbitrary<string> = idArb.filter((s) => s.trim().length > 0);

export const identityArb: fc.Arbitrary<SecretIdentity> = fc.oneof(
  fc.record({ workspaceId: idArb, scope: fc.constant('workspace' as const), ownerId: fc.constant(''), name: nameArb }),
  fc.record({ workspaceId: idArb, scope: fc.constant('user' as const), ownerId: idArb, name: nameArb }),
);

/** A JSON value as a secret may hold it. */
export const jsonValueArb: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;

/**
 * A secret text long enough that finding it by chance inside random base64url is out of the
 * question (a short value such as "a" is inside almost any reference).
 */
export const longSecretArb: fc.Arbitrary<string> = fc.string({ unit: 'binary', minLength: 16, maxLength: 200 });

/** Builds a validated key set from entries with freshly generated key material. */
export const keySetOf = (entries: readonly { readonly kid: string; readonly active: boolean; readonly key?: string }[]): KeySet => {
  const text = JSON.stringify(entries.map((e) => ({ kid: e.kid, key: e.key ?? generatedKeyHex(), active: e.active })));
  const parsed = parseKeySet('SECRETS_MASTER_KEYS', text);
  if (E.isLeft(parsed)) throw new Error(`test key set did not parse: ${parsed.left.message}`);
  return parsed.right;
};
