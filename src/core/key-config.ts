// Parses SECRETS_MASTER_KEYS / SECRETS_REF_KEYS: a JSON list of {kid, key (64 hex), active}; errors never echo key material.
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { hexDecode } from './bytes.ts';
import { keyFailure, type KeyFailure } from './errors.ts';
import { KID_PATTERN } from './reference.ts';

/** One configured key. */
export interface KeyEntry {
  readonly kid: string;
  readonly key: Uint8Array;
  readonly active: boolean;
}

/** A validated key set: every entry, and the one that encrypts new data. */
export interface KeySet {
  readonly entries: readonly KeyEntry[];
  readonly active: KeyEntry;
}

const EntryC = t.intersection([t.type({ kid: t.string, key: t.string }), t.partial({ active: t.boolean })]);

const fail = (variable: string, message: string): E.Either<KeyFailure, never> =>
  E.left(keyFailure('invalid_key_config', `${variable}: ${message}`));

/** Validates already-parsed configuration (a list of entries). */
export const decodeKeySet = (variable: string, u: unknown): E.Either<KeyFailure, KeySet> => {
  if (!Array.isArray(u) || u.length === 0)
    return fail(variable, 'must be a non-empty JSON list like [{"kid":"kek-v1","key":"<64 hex characters>","active":true}]');
  const entries: KeyEntry[] = [];
  for (let i = 0; i < u.length; i++) {
    const item: unknown = u[i];
    const at = `${variable}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(at, 'must be an object with kid, key and active');
    const extra = Object.keys(item).filter((k) => k !== 'kid' && k !== 'key' && k !== 'active');
    if (extra.length > 0) {
      // A field name is echoed only when it is short and identifier-like: it cannot then be key material.
      const shown = extra[0]!;
      return fail(/^[A-Za-z_$][A-Za-z0-9_$]{0,31}$/.test(shown) ? `${at}.${shown}` : at, 'unknown field (allowed: kid, key, active)');
    }
    if (!EntryC.is(item)) {
      const o = item as Record<string, unknown>;
      if (typeof o['kid'] !== 'string') return fail(`${at}.kid`, 'must be a string');
      if (typeof o['key'] !== 'string') return fail(`${at}.key`, 'must be a string of 64 hexadecimal characters');
      return fail(`${at}.active`, 'must be true or false');
    }
    if (!KID_PATTERN.test(item.kid)) return fail(`${at}.kid`, 'must be 1 to 64 characters among A-Z a-z 0-9 _ -');
    const key = item.key.length === 64 ? hexDecode(item.key) : undefined;
    if (!key) return fail(`${at}.key`, `must be exactly 64 hexadecimal characters (32 bytes); this one has ${item.key.length} characters`);
    if (entries.some((e) => e.kid === item.kid)) return fail(`${at}.kid`, `duplicate kid "${item.kid}"`);
    entries.push({ kid: item.kid, key, active: item.active === true });
  }
  const active = entries.filter((e) => e.active);
  if (active.length !== 1) return fail(variable, `exactly one key must have "active": true (found ${active.length})`);
  return E.right({ entries, active: active[0]! });
};

/** Parses the JSON text of a key variable. The JSON parser's own message is dropped: it can quote the input. */
export const parseKeySet = (variable: string, text: string): E.Either<KeyFailure, KeySet> => {
  let u: unknown;
  try {
    u = JSON.parse(text);
  } catch {
    return fail(variable, 'is not valid JSON');
  }
  return decodeKeySet(variable, u);
};
