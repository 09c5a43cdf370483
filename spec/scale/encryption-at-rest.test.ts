// Encryption at rest, at scale: many random values set through the service leave neither their plaintext, nor any encoding
// of it, nor any data key or master key in clear, in the SQLite file and its WAL or in the PostgreSQL tables.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodedForms } from '../../src/core/encodings.ts';
import { serializeJson, type JsonValue } from '../../src/core/json-value.ts';
import { parseKeySet } from '../../src/core/key-config.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import { makeKeyring } from '../../src/effects/crypto/keyring.ts';
import { webCryptoPrimitives } from '../../src/effects/crypto/webcrypto.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import { openSecrets } from '../../src/service/open.ts';
import { masterKeysText } from '../support/keys.ts';
import { findNeedles, messageOf, openStoreSpec } from '../support/scale-stores.ts';
import { adminSql, pgFixture, pgTarget } from '../support/storage-pg.ts';
import { rawBytesOfSqlite, rawRowsOfPostgres } from '../support/storage-raw.ts';

const VALUES_PER_STORE = 150;
const WORKSPACES = ['ws-rest-a', 'ws-rest-b', 'ws-rest-c'] as const;
const MIN_FORM = 8;

type Needle = { readonly label: string; readonly bytes: Buffer };

/** A random token, so every generated value has enough entropy that none of its forms occurs in a store by chance. */
const token = () => randomBytes(9).toString('base64url');

/** Unicode text around a random token: graphemes (emoji, combining marks, CJK) or any code point. */
const textArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.string({ unit: 'grapheme', maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 24 }), fc.string({ maxLength: 24 })),
    fc.oneof(fc.string({ unit: 'grapheme', maxLength: 24 }), fc.constant(''), fc.string({ unit: 'grapheme-ascii', maxLength: 24 })),
  )
  .map(([a, b]) => `${a}${token()}${b}`);

const objectArb: fc.Arbitrary<JsonValue> = fc.dictionary(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }),
  fc.oneof(textArb, fc.dictionary(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), textArb, { minKeys: 1, maxKeys: 3 })),
  { minKeys: 1, maxKeys: 4 },
);

const stringLeaves = (v: JsonValue): string[] =>
  typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap((x) => stringLeaves(x as JsonValue)) : [];

/** Needles for one value: every encoded form (length ≥ 8) of the value, or for an object of its JSON and of each string leaf. */
const valueNeedles = (i: number, v: JsonValue): Needle[] => {
  const texts = typeof v === 'string' ? [v] : [serializeJson(v), ...stringLeaves(v)];
  return texts.flatMap((text, t) =>
    encodedForms(text)
      .filter((f) => f.length >= MIN_FORM)
      .map((f, k) => ({ label: `value #${i} text #${t} form #${k}`, bytes: Buffer.from(f, 'utf8') }))
      .filter((n) => n.bytes.length >= MIN_FORM),
  );
};

/** Needles for raw key bytes: the bytes themselves and their hex, base64 and base64url texts. */
const keyNeedles = (label: string, raw: Uint8Array): Needle[] => {
  const b = Buffer.from(raw);
  return [
    { label: `${label} raw bytes`, bytes: b },
    { label: `${label} hex`, bytes: Buffer.from(b.toString('hex')) },
    { label: `${label} HEX`, bytes: Buffer.from(b.toString('hex').toUpperCase()) },
    { label: `${label} base64`, bytes: Buffer.from(b.toString('base64')) },
    { label: `${label} base64url`, bytes: Buffer.from(b.toString('base64url')) },
  ];
};

/**
 * rawRowsOfPostgres prints each row in PostgreSQL's composite text form, where a quoted field doubles `"` and `\`:
 * each needle is also searched for as it would read there.
 */
const asInRowText = (needles: readonly Needle[]): Needle[] =>
  needles.flatMap((n) => {
    const text = n.bytes.toString('utf8');
    const escaped = text.replaceAll('\\', '\\\\').replaceAll('"', '""');
    return escaped === text ? [n] : [n, { label: `${n.label} (row text)`, bytes: Buffer.from(escaped, 'utf8') }];
  });

interface Filled {
  readonly storage: StoragePort;
  readonly valueNeedles: Needle[];
  readonly keyNeedles: () => Promise<Needle[]>;
  /** Stored ciphertexts of the live secrets: the positive control that the raw dump holds the rows. */
  readonly payloads: () => Promise<Needle[]>;
}

/** Sets generated values through the service (some overwritten, some deleted) into three workspaces. */
const fill = async (storage: StoragePort): Promise<Filled> => {
  const masterKeys = masterKeysText(['kek-old', 'kek-new']);
  const opened = await openSecrets({ masterKeys, storage });
  if (E.isLeft(opened)) throw new Error(`test setup: ${messageOf(opened.left)}`);
  const service = opened.right;
  const values = fc.sample(fc.oneof(textArb, objectArb), VALUES_PER_STORE);
  const names: { ctx: RunContext; name: string }[] = [];
  for (const [i, value] of values.entries()) {
    const ctx: RunContext = { workspaceId: WORKSPACES[i % WORKSPACES.length]!, correlationId: 'run-rest', trigger: 'manual', userId: 'u1' };
    // Every fourth value overwrites an earlier name, so old versions' pages and WAL frames are part of what is scanned.
    const name = i % 4 === 3 ? `s${i - 2}` : `s${i}`;
    const set = await service.set(ctx, { name, value, scope: i % 5 === 0 ? 'user' : 'workspace' });
    if (E.isLeft(set) || typeof set.right !== 'string') throw new Error(`test setup: set #${i} failed`);
    names.push({ ctx, name });
    if (i % 10 === 9) await service.delete(ctx, { name: `s${i - 1}`, scope: (i - 1) % 5 === 0 ? 'user' : 'workspace' });
  }
  const keySet = parseKeySet('SECRETS_MASTER_KEYS', masterKeys);
  if (E.isLeft(keySet)) throw new Error('test setup: key set');
  const keyring = await makeKeyring(webCryptoPrimitives, { master: keySet.right });
  return {
    storage,
    valueNeedles: values.flatMap((v, i) => valueNeedles(i, v)),
    keyNeedles: async () => {
      const records = await storage.listDataKeys();
      if (E.isLeft(records)) throw new Error('test setup: listDataKeys');
      const needles: Needle[] = keySet.right.entries.flatMap((e) => keyNeedles(`master key ${e.kid}`, e.key));
      for (const r of records.right) {
        const raw = await keyring.unwrapDataKeyRaw(r.workspaceId, r.id, r.wrapped);
        if (E.isLeft(raw)) throw new Error(`test setup: data key ${r.id} did not unwrap`);
        needles.push(...keyNeedles(`data key ${r.id}`, raw.right));
      }
      return needles;
    },
    payloads: async () => {
      const out: Needle[] = [];
      for (const ws of WORKSPACES) {
        const listed = await storage.list({ workspaceId: ws }, Date.now());
        if (E.isLeft(listed)) throw new Error('test setup: list');
        for (const m of listed.right) {
          const r = await storage.read(m.identity, Date.now());
          if (E.isRight(r) && r.right.secret)
            out.push({ label: `payload of ${JSON.stringify([ws, m.identity.scope, m.identity.ownerId, m.identity.name])}`, bytes: Buffer.from(r.right.secret.payload) });
        }
      }
      return out;
    },
  };
};

describe('encryption at rest on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-rest-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'store', 'secrets.db');
  let filled: Filled;
  let keys: Needle[];
  let payloads: Needle[];
  beforeAll(async () => {
    filled = await fill(await openStoreSpec({ kind: 'sqlite', path }));
    keys = await filled.keyNeedles();
    payloads = await filled.payloads();
  }, 60_000);

  it('the database file and its WAL, read while the store is open, hold no value, no encoding of one and no key in clear', () => {
    expect(keys.length).toBeGreaterThanOrEqual(2 * 5 + WORKSPACES.length * 5);
    const raw = rawBytesOfSqlite(path);
    // Control: the dump really holds the stored rows.
    expect(findNeedles(raw, payloads)).toHaveLength(payloads.length);
    expect(findNeedles(raw, filled.valueNeedles)).toEqual([]);
    expect(findNeedles(raw, keys)).toEqual([]);
  });

  it('after the store is closed (WAL checkpointed into the file) the file still holds no value, no encoding of one and no key in clear', async () => {
    await filled.storage.close();
    const raw = rawBytesOfSqlite(path);
    expect(findNeedles(raw, payloads)).toHaveLength(payloads.length);
    expect(findNeedles(raw, filled.valueNeedles)).toEqual([]);
    expect(findNeedles(raw, keys)).toEqual([]);
  }, 60_000);

  it('the scan does find a value written in clear through the raw port, in the WAL while open and in the file after close', async () => {
    const p = join(dir, 'control', 'secrets.db');
    const s = await openStoreSpec({ kind: 'sqlite', path: p });
    const value = `${fc.sample(textArb, 1)[0]!}`;
    const id = { workspaceId: 'ws-control', scope: 'workspace' as const, ownerId: '', name: 'clear' };
    const w = await s.write({ identity: id, version: 1, payload: value, createdAt: 0, updatedAt: 0, expiresAt: null, allowedHosts: null }, 0);
    expect(E.isRight(w)).toBe(true);
    expect(findNeedles(rawBytesOfSqlite(p), valueNeedles(0, value)).length).toBeGreaterThan(0);
    await s.close();
    expect(findNeedles(rawBytesOfSqlite(p), valueNeedles(0, value)).length).toBeGreaterThan(0);
  });
});

const target = await pgTarget();
if (target.url === undefined) console.warn(target.reason);

describe.skipIf(target.url === undefined)('encryption at rest on PostgreSQL', () => {
  const url = target.url ?? '';
  const fx = pgFixture(url);
  const admin = adminSql(url);
  afterAll(async () => {
    await admin.end({ timeout: 5 });
    await fx.cleanup();
  }, 60_000);

  it('the rows of every table hold no value, no encoding of one and no key in clear', async () => {
    const schema = fx.freshSchema();
    const filled = await fill(await openStoreSpec({ kind: 'postgres', url, schema }));
    try {
      const keys = await filled.keyNeedles();
      const payloads = await filled.payloads();
      expect(keys.length).toBeGreaterThanOrEqual(2 * 5 + WORKSPACES.length * 5);
      const raw = Buffer.from(await rawRowsOfPostgres(admin, schema), 'utf8');
      expect(findNeedles(raw, payloads)).toHaveLength(payloads.length);
      expect(findNeedles(raw, asInRowText(filled.valueNeedles))).toEqual([]);
      expect(findNeedles(raw, asInRowText(keys))).toEqual([]);
    } finally {
      await filled.storage.close();
    }
  }, 60_000);

  it('the scan does find a value written in clear through the raw port', async () => {
    const schema = fx.freshSchema();
    const s = await openStoreSpec({ kind: 'postgres', url, schema });
    try {
      // A quote and a backslash, which the row text form escapes.
      const value = `"${fc.sample(textArb, 1)[0]!}\\`;
      const id = { workspaceId: 'ws-control', scope: 'workspace' as const, ownerId: '', name: 'clear' };
      const w = await s.write({ identity: id, version: 1, payload: value, createdAt: 0, updatedAt: 0, expiresAt: null, allowedHosts: null }, 0);
      expect(E.isRight(w)).toBe(true);
      expect(findNeedles(Buffer.from(await rawRowsOfPostgres(admin, schema), 'utf8'), asInRowText(valueNeedles(0, value))).length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
