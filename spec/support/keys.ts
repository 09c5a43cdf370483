// Test key material: generated for each run, never committed.
import { randomBytes } from 'node:crypto';

export const generatedKeyHex = (): string => randomBytes(32).toString('hex');

/** A SECRETS_MASTER_KEYS text with one fresh active key (and optionally older inactive ones). */
export const masterKeysText = (kids: readonly string[] = ['kek-v1'], activeKid = kids[kids.length - 1]): string =>
  JSON.stringify(kids.map((kid) => ({ kid, key: generatedKeyHex(), active: kid === activeKid })));

/** Keeps the same key bytes but marks another kid active (rotation: add a new key, keep the old). */
export const withNewActiveKey = (text: string, kid: string): string => {
  const entries = (JSON.parse(text) as { kid: string; key: string; active: boolean }[]).map((e) => ({ ...e, active: false }));
  return JSON.stringify([...entries, { kid, key: generatedKeyHex(), active: true }]);
};
