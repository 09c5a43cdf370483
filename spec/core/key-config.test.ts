// SECRETS_MASTER_KEYS parsing: every malformed shape names the field, and no message ever quotes key material.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseKeySet } from '../../src/core/key-config.ts';
import type { KeyFailure } from '../../src/core/errors.ts';
import { generatedKeyHex } from '../support/keys.ts';

const VAR = 'SECRETS_MASTER_KEYS';

const failureOf = (text: string): KeyFailure => {
  const r = parseKeySet(VAR, text);
  if (E.isRight(r)) throw new Error('expected the key configuration to be refused');
  return r.left;
};

/** The key texts a case carries, so we can check none of them (nor a long piece of one) reaches the message. */
const expectNoKeyMaterial = (failure: KeyFailure, keys: readonly string[]) => {
  const text = JSON.stringify(failure);
  for (const k of keys) {
    for (const variant of [k, k.toLowerCase(), k.toUpperCase()]) {
      // Any 16-character window of a key would be a leak.
      for (let i = 0; i + 16 <= variant.length; i++) expect(text.includes(variant.slice(i, i + 16)), 'a piece of key material is in the error').toBe(false);
    }
  }
};

interface Case {
  readonly label: string;
  readonly text: (k: string, k2: string) => string;
  readonly field: string;
  readonly says: RegExp;
}

const entry = (o: Record<string, unknown>) => o;
const J = (u: unknown) => JSON.stringify(u);

const cases: readonly Case[] = [
  { label: 'text that is not JSON', text: () => 'kek-v1=abc', field: `${VAR}:`, says: /not valid JSON/ },
  { label: 'a JSON object instead of a list', text: (k) => J({ kid: 'kek-v1', key: k, active: true }), field: `${VAR}:`, says: /non-empty JSON list/ },
  { label: 'a JSON string', text: (k) => J(k), field: `${VAR}:`, says: /non-empty JSON list/ },
  { label: 'an empty list', text: () => '[]', field: `${VAR}:`, says: /non-empty JSON list/ },
  { label: 'an item that is not an object', text: (k) => J([k]), field: `${VAR}[0]:`, says: /must be an object/ },
  { label: 'an item that is a list', text: (k) => J([[k]]), field: `${VAR}[0]:`, says: /must be an object/ },
  { label: 'an item that is null', text: () => '[null]', field: `${VAR}[0]:`, says: /must be an object/ },
  {
    label: 'an unknown field',
    text: (k) => J([entry({ kid: 'kek-v1', key: k, active: true, primary: true })]),
    field: `${VAR}[0].primary:`,
    says: /unknown field/,
  },
  { label: 'a missing kid', text: (k) => J([entry({ key: k, active: true })]), field: `${VAR}[0].kid:`, says: /must be a string/ },
  { label: 'a kid that is a number', text: (k) => J([entry({ kid: 1, key: k, active: true })]), field: `${VAR}[0].kid:`, says: /must be a string/ },
  { label: 'an empty kid', text: (k) => J([entry({ kid: '', key: k, active: true })]), field: `${VAR}[0].kid:`, says: /A-Z a-z 0-9/ },
  { label: 'a kid with a dot', text: (k) => J([entry({ kid: 'kek.v1', key: k, active: true })]), field: `${VAR}[0].kid:`, says: /A-Z a-z 0-9/ },
  { label: 'a kid with a space', text: (k) => J([entry({ kid: 'kek v1', key: k, active: true })]), field: `${VAR}[0].kid:`, says: /A-Z a-z 0-9/ },
  { label: 'a kid longer than 64 characters', text: (k) => J([entry({ kid: 'k'.repeat(65), key: k, active: true })]), field: `${VAR}[0].kid:`, says: /1 to 64/ },
  {
    label: 'a duplicate kid',
    text: (k, k2) => J([entry({ kid: 'kek-v1', key: k, active: false }), entry({ kid: 'kek-v1', key: k2, active: true })]),
    field: `${VAR}[1].kid:`,
    says: /duplicate kid "kek-v1"/,
  },
  { label: 'a missing key', text: () => J([entry({ kid: 'kek-v1', active: true })]), field: `${VAR}[0].key:`, says: /64 hexadecimal/ },
  { label: 'a key that is a number', text: () => J([entry({ kid: 'kek-v1', key: 1234, active: true })]), field: `${VAR}[0].key:`, says: /64 hexadecimal/ },
  {
    label: 'a key with a non-hex character',
    text: (k) => J([entry({ kid: 'kek-v1', key: `${k.slice(0, 63)}g`, active: true })]),
    field: `${VAR}[0].key:`,
    says: /exactly 64 hexadecimal/,
  },
  { label: 'a key one character short', text: (k) => J([entry({ kid: 'kek-v1', key: k.slice(1), active: true })]), field: `${VAR}[0].key:`, says: /has 63 characters/ },
  { label: 'a key one character long', text: (k) => J([entry({ kid: 'kek-v1', key: `${k}0`, active: true })]), field: `${VAR}[0].key:`, says: /has 65 characters/ },
  { label: 'a key in base64', text: (k) => J([entry({ kid: 'kek-v1', key: Buffer.from(k, 'hex').toString('base64'), active: true })]), field: `${VAR}[0].key:`, says: /64 hexadecimal/ },
  { label: 'an active flag that is a string', text: (k) => J([entry({ kid: 'kek-v1', key: k, active: 'true' })]), field: `${VAR}[0].active:`, says: /true or false/ },
  { label: 'an active flag that is a number', text: (k) => J([entry({ kid: 'kek-v1', key: k, active: 1 })]), field: `${VAR}[0].active:`, says: /true or false/ },
  { label: 'no active key', text: (k) => J([entry({ kid: 'kek-v1', key: k, active: false })]), field: `${VAR}:`, says: /exactly one key must have "active": true \(found 0\)/ },
  { label: 'no active flag at all', text: (k) => J([entry({ kid: 'kek-v1', key: k })]), field: `${VAR}:`, says: /found 0/ },
  {
    label: 'two active keys',
    text: (k, k2) => J([entry({ kid: 'kek-v1', key: k, active: true }), entry({ kid: 'kek-v2', key: k2, active: true })]),
    field: `${VAR}:`,
    says: /found 2/,
  },
  {
    label: 'a broken second item after a good one',
    text: (k, k2) => J([entry({ kid: 'kek-v1', key: k, active: true }), entry({ kid: 'kek-v2', key: k2.slice(2), active: false })]),
    field: `${VAR}[1].key:`,
    says: /has 62 characters/,
  },
];

describe('SECRETS_MASTER_KEYS', () => {
  test.each(cases)('$label is refused with a message naming the field', ({ text, field, says }) => {
    const k = generatedKeyHex();
    const k2 = generatedKeyHex();
    const failure = failureOf(text(k, k2));
    expect(failure.code).toBe('invalid_key_config');
    expect(failure.message.slice(0, field.length)).toBe(field);
    expect(failure.message).toMatch(says);
    expectNoKeyMaterial(failure, [k, k2]);
  });

  test.each([0, 1, 10, 30, 50, 63, 64])('JSON broken in the middle of a key (cut after %i key characters) does not quote the key', (cut) => {
    const k = generatedKeyHex();
    const whole = J([{ kid: 'kek-v1', key: k, active: true }]);
    const at = whole.indexOf(k) + cut;
    for (const text of [whole.slice(0, at), `${whole.slice(0, at)}\n${whole.slice(at)}`, whole.replace(k, `${k.slice(0, cut)}\\x${k.slice(cut)}`)]) {
      const failure = failureOf(text);
      expect(failure.message).toMatch(/^SECRETS_MASTER_KEYS: is not valid JSON$/);
      expectNoKeyMaterial(failure, [k]);
    }
    // Closed right after the cut, the text is JSON again and the truncated key is refused by its length only.
    const closed = failureOf(`${whole.slice(0, at)}"}]`);
    if (cut < 64) expect(closed.message.slice(0, 'SECRETS_MASTER_KEYS[0].key:'.length)).toBe('SECRETS_MASTER_KEYS[0].key:');
    expectNoKeyMaterial(closed, [k]);
  });

  test('a key with a stray quote after it does not reach the message', () => {
    const k = generatedKeyHex();
    const failure = failureOf(`[{"kid":"kek-v1","key":"${k}"",active:true}]`);
    expectNoKeyMaterial(failure, [k]);
  });

  test('the variable name given by the caller is the one named (SECRETS_REF_KEYS)', () => {
    const r = parseKeySet('SECRETS_REF_KEYS', '[]');
    expect(E.isLeft(r) && r.left.message.startsWith('SECRETS_REF_KEYS:')).toBe(true);
  });

  test('a well-formed list parses into its entries and its one active key', () => {
    const k1 = generatedKeyHex();
    const k2 = generatedKeyHex().toUpperCase();
    const r = parseKeySet(VAR, J([{ kid: 'kek-v1', key: k1, active: false }, { kid: 'kek_V2', key: k2, active: true }]));
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.entries.map((e) => [e.kid, e.active])).toEqual([
      ['kek-v1', false],
      ['kek_V2', true],
    ]);
    expect(Buffer.from(r.right.entries[0]!.key).toString('hex')).toBe(k1);
    expect(Buffer.from(r.right.active.key).toString('hex')).toBe(k2.toLowerCase());
    expect(r.right.active.kid).toBe('kek_V2');
  });

  test('an inactive key may leave out the active flag', () => {
    const r = parseKeySet(VAR, J([{ kid: 'old', key: generatedKeyHex() }, { kid: 'new', key: generatedKeyHex(), active: true }]));
    expect(E.isRight(r) && r.right.active.kid).toBe('new');
  });

  test('a kid of exactly 64 allowed characters is accepted', () => {
    const kid = `${'A'.repeat(29)}_${'z'.repeat(30)}-012`;
    expect(kid).toHaveLength(64);
    expect(E.isRight(parseKeySet(VAR, J([{ kid, key: generatedKeyHex(), active: true }])))).toBe(true);
  });

  test('a field named __proto__ is an unknown field, not a prototype', () => {
    const k = generatedKeyHex();
    const failure = failureOf(`[{"kid":"kek-v1","key":"${k}","active":true,"__proto__":{"active":true}}]`);
    expect(failure.message).toMatch(/^SECRETS_MASTER_KEYS\[0\]\.__proto__: unknown field/);
    expectNoKeyMaterial(failure, [k]);
  });
});
