// Where the CLI's keys come from: SECRETS_MASTER_KEYS / SECRETS_REF_KEYS, or a generated development key under .secretref/.
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export const DEV_KEYS_FILE = '.secretref/dev-master-keys.json';

export interface KeysSource {
  readonly masterKeys: string;
  readonly refKeys?: string;
  /** Set when the keys come from the development key file, so the CLI can warn. */
  readonly warning?: string;
}

/** A new key entry in the SECRETS_MASTER_KEYS shape. */
export const generateKeyEntry = (kid: string, active = true) => ({ kid, key: randomBytes(32).toString('hex'), active });

export const loadKeys = (env: NodeJS.ProcessEnv, devFile = DEV_KEYS_FILE): KeysSource => {
  const master = env['SECRETS_MASTER_KEYS'];
  const ref = env['SECRETS_REF_KEYS'];
  if (master !== undefined && master.trim() !== '') return { masterKeys: master, ...(ref ? { refKeys: ref } : {}) };
  if (!existsSync(devFile)) {
    // Written whole under a private name, then linked into place: processes starting together agree on one key,
    // and none reads a half-written file.
    mkdirSync(dirname(devFile), { recursive: true, mode: 0o700 });
    const tmp = `${devFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify([generateKeyEntry('dev-1')])}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, devFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  return {
    masterKeys: readFileSync(devFile, 'utf8'),
    ...(ref ? { refKeys: ref } : {}),
    warning: `SECRETS_MASTER_KEYS is not set: using the development key in ${devFile}. Do not use it for real secrets; see docs/key-rotation.md.`,
  };
};
