// `secretref keys generate|rotate|rotate-data`: make key entries, rewrap data keys, move a workspace to a new data key.
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage } from '../core/errors.ts';
import { parseKeySet } from '../core/key-config.ts';
import { KID_PATTERN } from '../core/reference.ts';
import { systemClock } from '../effects/clock.ts';
import { makeKeyring, type Keyring } from '../effects/crypto/keyring.ts';
import type { StoragePort } from '../effects/storage/port.ts';
import { nodeCryptoPrimitives } from '../effects/node/node-crypto.ts';
import { rewrapDataKeys, rotateDataKey } from '../service/key-rotation.ts';
import { parseCommandLine } from './args.ts';
import { cliLog, type Writer } from './jsonl.ts';
import { generateKeyEntry, loadKeys } from './keys-config.ts';
import { CliExit, EXIT, openService } from './open-service.ts';

export const KEYS_USAGE = `secretref keys generate [--kid KID] [--inactive]
secretref keys rotate                       (rewrap every data key under the active SECRETS_MASTER_KEYS key)
secretref keys rotate-data --workspace W    (new data key for W, and re-encryption of its values)`;

/** Opens the store (which checks the keys against it) and a keyring for the configured master keys. */
const withKeyring = async (
  env: NodeJS.ProcessEnv,
  io: { readonly stderr: Writer },
  body: (storage: StoragePort, keyring: Keyring) => Promise<number>,
): Promise<number> => {
  const { storage } = await openService(env, io.stderr);
  try {
    const master = parseKeySet('SECRETS_MASTER_KEYS', loadKeys(env).masterKeys);
    if (E.isLeft(master)) throw new CliExit(EXIT.unusable, master.left.message);
    return await body(storage, await makeKeyring(nodeCryptoPrimitives, { master: master.right }));
  } finally {
    await storage.close();
  }
};

export const keysCommand = async (argv: readonly string[], env: NodeJS.ProcessEnv, io: { readonly stdout: Writer; readonly stderr: Writer }): Promise<number> => {
  const parsed = parseCommandLine(
    argv,
    { kid: { type: 'string' }, inactive: { type: 'boolean', default: false }, workspace: { type: 'string' } },
    (e) => `${e.message}\nusage:\n${KEYS_USAGE}`,
  );
  const [action, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new CliExit(EXIT.unusable, `usage:\n${KEYS_USAGE}`);
  const progress = (what: string) => (done: number, total: number) => {
    if (done === total || done % 100 === 0) cliLog(io.stderr, 'info', `${what}: ${done}/${total}`);
  };

  switch (action) {
    case 'generate': {
      const kid = parsed.values.kid ?? `kek-${new Date().toISOString().slice(0, 10)}`;
      if (!KID_PATTERN.test(kid)) throw new CliExit(EXIT.unusable, '--kid: 1 to 64 characters among A-Z a-z 0-9 _ -');
      io.stdout.write(`${JSON.stringify(generateKeyEntry(kid, !parsed.values.inactive))}\n`);
      return EXIT.ok;
    }
    case 'rotate':
      return withKeyring(env, io, async (storage, keyring) => {
        const r = await rewrapDataKeys(storage, keyring, progress('rewrapping data keys'));
        if (E.isLeft(r)) throw new CliExit(EXIT.failed, errorMessage(r.left));
        io.stdout.write(`${JSON.stringify({ activeMasterKid: keyring.activeMasterKid, ...r.right })}\n`);
        const removable = r.right.unusedMasterKids.filter((k) => k !== keyring.activeMasterKid);
        cliLog(
          io.stderr,
          'info',
          removable.length > 0
            ? `every data key is wrapped with "${keyring.activeMasterKid}". ${removable.map((k) => `"${k}"`).join(', ')} no longer wraps any data key: remove it from SECRETS_MASTER_KEYS once the references it sealed have expired (300 s by default).`
            : `every data key is wrapped with "${keyring.activeMasterKid}".`,
        );
        return EXIT.ok;
      });
    case 'rotate-data': {
      const workspace = parsed.values.workspace;
      if (!workspace) throw new CliExit(EXIT.unusable, 'rotate-data needs --workspace W');
      return withKeyring(env, io, async (storage, keyring) => {
        const r = await rotateDataKey(storage, keyring, systemClock, workspace, progress(`re-encrypting ${workspace}`));
        if (E.isLeft(r) && r.left._tag === 'InvalidInput') throw new CliExit(EXIT.unusable, `--workspace: ${r.left.problems.map((p) => p.expected).join('; ')}`);
        if (E.isLeft(r)) throw new CliExit(EXIT.failed, errorMessage(r.left));
        io.stdout.write(`${JSON.stringify({ workspace, ...r.right })}\n`);
        if (r.right.unreadable.length === 0) return EXIT.ok;
        cliLog(io.stderr, 'error', `${r.right.unreadable.length} secret(s) of ${workspace} do not open (altered in the store?) and stay under their old data key: ${r.right.unreadable.join(', ')}`);
        return EXIT.failed;
      });
    }
    default:
      throw new CliExit(EXIT.unusable, `usage:\n${KEYS_USAGE}`);
  }
};
