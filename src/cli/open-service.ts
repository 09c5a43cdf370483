// Opens keys, store and secrets service for a CLI command; every failure is a message and an exit code.
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage } from '../core/errors.ts';
import type { StoragePort } from '../effects/storage/port.ts';
import { openSecrets } from '../service/open.ts';
import { nodeCryptoPrimitives } from '../effects/node/node-crypto.ts';
import type { SecretsService } from '../service/secrets-service.ts';
import { cliLog, type Writer } from './jsonl.ts';
import { loadKeys } from './keys-config.ts';
import { DEFAULT_STORE, describeStore, openStore } from './store.ts';

export interface Opened {
  readonly service: SecretsService;
  readonly storage: StoragePort;
  readonly storeSpec: string;
}

/** Exit codes of the CLI: 0 done, 1 the run or operation failed, 2 unusable input or configuration. */
export const EXIT = { ok: 0, failed: 1, unusable: 2 } as const;

export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export const storeSpecOf = (env: NodeJS.ProcessEnv): string => env['SECRETREF_STORE']?.trim() || DEFAULT_STORE;

export const openService = async (env: NodeJS.ProcessEnv, stderr: Writer, storeSpec = storeSpecOf(env)): Promise<Opened> => {
  const choice = describeStore(storeSpec);
  if (E.isLeft(choice)) throw new CliExit(EXIT.unusable, choice.left.message);
  const keys = loadKeys(env);
  if (keys.warning) cliLog(stderr, 'warn', keys.warning);
  const storage = await openStore(storeSpec);
  if (E.isLeft(storage)) throw new CliExit(EXIT.failed, `cannot open the store (${choice.right.kind}: ${choice.right.where}): ${storage.left.message}`);
  // The CLI is a Node composition root: node:crypto, byte-compatible with WebCrypto (spec/effects/crypto/primitives.contract.test.ts).
  const opened = await openSecrets({ masterKeys: keys.masterKeys, ...(keys.refKeys ? { refKeys: keys.refKeys } : {}), storage: storage.right, crypto: nodeCryptoPrimitives });
  if (E.isLeft(opened)) {
    await storage.right.close();
    const e = opened.left;
    throw new CliExit(e._tag === 'StorageFailure' ? EXIT.failed : EXIT.unusable, errorMessage(e));
  }
  return { service: opened.right, storage: storage.right, storeSpec };
};
