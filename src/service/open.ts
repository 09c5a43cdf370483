// One call from configuration to a ready service: parse the key variables, build the keyring, check the keys against the store.
import * as E from 'fp-ts/lib/Either.js';
import type { SecretsError } from '../core/errors.ts';
import { parseKeySet, type KeySet } from '../core/key-config.ts';
import type { Clock } from '../effects/clock.ts';
import { makeKeyring } from '../effects/crypto/keyring.ts';
import type { CryptoPrimitives } from '../effects/crypto/primitives.ts';
import { webCryptoPrimitives } from '../effects/crypto/webcrypto.ts';
import { memoryStorage } from '../effects/storage/memory.ts';
import type { StoragePort } from '../effects/storage/port.ts';
import { openSecretsService, type SecretsService } from './secrets-service.ts';

export interface OpenSecretsOptions {
  /** The SECRETS_MASTER_KEYS JSON text, or an already validated key set. */
  readonly masterKeys: string | KeySet;
  /** The SECRETS_REF_KEYS JSON text or key set; derived from the master keys with HKDF when absent. */
  readonly refKeys?: string | KeySet;
  /** Defaults to a fresh memory store. */
  readonly storage?: StoragePort;
  readonly clock?: Clock;
  /** Defaults to WebCrypto. */
  readonly crypto?: CryptoPrimitives;
  readonly referenceTtlSeconds?: number;
}

const keySet = (variable: string, k: string | KeySet) => (typeof k === 'string' ? parseKeySet(variable, k) : E.right(k));

/** Opens a secrets service; every failure (bad key text, wrong master key, storage down) is a value. */
export const openSecrets = async (options: OpenSecretsOptions): Promise<E.Either<SecretsError, SecretsService>> => {
  const master = keySet('SECRETS_MASTER_KEYS', options.masterKeys);
  if (E.isLeft(master)) return master;
  const ref = options.refKeys === undefined ? E.right(undefined) : keySet('SECRETS_REF_KEYS', options.refKeys);
  if (E.isLeft(ref)) return ref;
  const keyring = await makeKeyring(options.crypto ?? webCryptoPrimitives, {
    master: master.right,
    ...(ref.right === undefined ? {} : { ref: ref.right }),
  });
  return openSecretsService({
    storage: options.storage ?? memoryStorage(),
    keyring,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.referenceTtlSeconds === undefined ? {} : { referenceTtlSeconds: options.referenceTtlSeconds }),
  });
};
