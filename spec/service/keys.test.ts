// Master keys end to end: a wrong key is refused at start-up, rotation keeps old data readable, a removed key fails clearly.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { openSecrets } from '../../src/service/open.ts';
import { memoryStorage } from '../../src/effects/storage/memory.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import { errorMessage, type SecretsError } from '../../src/core/errors.ts';
import type { ResolveFailure } from '../../src/core/reference.ts';
import { generatedKeyHex, masterKeysText, withNewActiveKey } from '../support/keys.ts';
import { ctx, openHarness, right, type Harness } from '../support/service.ts';

const messageOf = (e: SecretsError | ResolveFailure): string => (e._tag === 'ResolveFailure' ? e.message : errorMessage(e));
const secretText = () => `s-${crypto.randomUUID()}`;
const keyHexes = (text: string): readonly string[] => (JSON.parse(text) as { key: string }[]).map((e) => e.key);
const only = (text: string, kid: string): string => JSON.stringify((JSON.parse(text) as { kid: string }[]).filter((e) => e.kid === kid).map((e) => ({ ...e, active: true })));

const setRef = async (h: Harness, name: string, value: unknown, c: RunContext = ctx(), scope = 'workspace'): Promise<string> => {
  const r = right(await h.service.set(c, { name, value, scope }));
  if (typeof r !== 'string') throw new Error('expected a reference');
  return r;
};
const getRef = async (h: Harness, name: string, c: RunContext = ctx(), scope = 'workspace'): Promise<string> => {
  const r = right(await h.service.get(c, { name, scope }));
  if (typeof r !== 'string') throw new Error('expected a reference');
  return r;
};

const expectNoKeyMaterial = (text: string, keysText: readonly string[]) => {
  for (const k of keysText.flatMap(keyHexes)) expect(text.toLowerCase().includes(k.slice(0, 16)), 'key material in the message').toBe(false);
};

describe('a wrong master key', () => {
  test('opening a store with another key under the same kid fails up front with wrong_master_key', async () => {
    const storage = memoryStorage();
    const h = await openHarness({ storage });
    await setRef(h, 'apiKey', secretText());
    const wrong = masterKeysText(['kek-v1']);
    const r = await openSecrets({ masterKeys: wrong, storage });
    if (E.isRight(r)) throw new Error('expected the service not to open');
    expect(r.left.code).toBe('wrong_master_key');
    expect(errorMessage(r.left)).toMatch(/SECRETS_MASTER_KEYS: key "kek-v1" is not the key this store was written with \(wrong master key\)/);
    expectNoKeyMaterial(JSON.stringify(r.left), [h.masterKeys, wrong]);
  });

  test('a wrong key is refused even before anything was written', async () => {
    const storage = memoryStorage();
    await openHarness({ storage });
    const r = await openSecrets({ masterKeys: masterKeysText(['kek-v1']), storage });
    expect(E.isLeft(r) && r.left.code).toBe('wrong_master_key');
  });

  test('a wrong key for the old, inactive kid of a rotation is refused and named', async () => {
    const storage = memoryStorage();
    const a = masterKeysText(['kek-v1']);
    await openHarness({ storage, masterKeys: a });
    const rotatedWrong = withNewActiveKey(masterKeysText(['kek-v1']), 'kek-v2');
    const r = await openSecrets({ masterKeys: rotatedWrong, storage });
    expect(E.isLeft(r) && r.left.code).toBe('wrong_master_key');
    expect(E.isLeft(r) && errorMessage(r.left)).toMatch(/key "kek-v1"/);
  });

  test('the same key opens the same store again', async () => {
    const storage = memoryStorage();
    const h = await openHarness({ storage });
    const value = secretText();
    const ref = await setRef(h, 'apiKey', value);
    const again = await openHarness({ storage, masterKeys: h.masterKeys });
    expect(right(await again.service.resolve(ctx(), ref)).value).toBe(value);
  });

  test('an invalid key text is refused before the store is touched, without quoting the key', async () => {
    const key = generatedKeyHex();
    const r = await openSecrets({ masterKeys: JSON.stringify([{ kid: 'kek-v1', key: key.slice(1), active: true }]) });
    if (E.isRight(r)) throw new Error('expected the service not to open');
    expect(r.left.code).toBe('invalid_key_config');
    expect(JSON.stringify(r.left).includes(key.slice(1, 17))).toBe(false);
  });
});

describe('rotation end to end', () => {
  const written = async () => {
    const storage: StoragePort = memoryStorage();
    const keysA = masterKeysText(['kek-v1']);
    const h = await openHarness({ storage, masterKeys: keysA });
    const workspaceValue = secretText();
    const userValue = secretText();
    const workspaceRef = await setRef(h, 'apiKey', workspaceValue);
    const userRef = await setRef(h, 'token', userValue, ctx(), 'user');
    return { storage, keysA, workspaceValue, userValue, workspaceRef, userRef };
  };

  test('with [A inactive, B active] on the same store, old values and references resolve and new writes work', async () => {
    const w = await written();
    const rotated = withNewActiveKey(w.keysA, 'kek-v2');
    const h = await openHarness({ storage: w.storage, masterKeys: rotated });

    expect(right(await h.service.resolve(ctx(), w.workspaceRef)).value).toBe(w.workspaceValue);
    expect(right(await h.service.resolve(ctx(), w.userRef)).value).toBe(w.userValue);
    expect(right(await h.service.resolve(ctx(), await getRef(h, 'apiKey'))).value).toBe(w.workspaceValue);

    const fresh = secretText();
    const ref = await setRef(h, 'newKey', fresh);
    expect(ref).toMatch(/^\$secret:v1\.kek-v2\./);
    expect(right(await h.service.resolve(ctx(), ref)).value).toBe(fresh);

    const updated = secretText();
    await setRef(h, 'apiKey', updated);
    expect(right(await h.service.resolve(ctx(), w.workspaceRef)).value).toBe(updated);

    // A workspace first written after the rotation gets a data key wrapped by the new master key.
    const other = ctx({ workspaceId: 'ws-2' });
    const otherValue = secretText();
    expect(right(await h.service.resolve(other, await setRef(h, 'apiKey', otherValue, other))).value).toBe(otherValue);
    const kekOf = async (ws: string) => right(await w.storage.listDataKeys()).filter((k) => k.workspaceId === ws).map((k) => k.kekId);
    expect(await kekOf('ws-1')).toEqual(['kek-v1']);
    expect(await kekOf('ws-2')).toEqual(['kek-v2']);
  });

  test('with only B, data still under A fails clearly with unknown_key naming the missing key', async () => {
    const w = await written();
    const rotated = withNewActiveKey(w.keysA, 'kek-v2');
    const mid = await openHarness({ storage: w.storage, masterKeys: rotated });
    const other = ctx({ workspaceId: 'ws-2' });
    const otherValue = secretText();
    await setRef(mid, 'apiKey', otherValue, other);

    const h = await openHarness({ storage: w.storage, masterKeys: only(rotated, 'kek-v2') });

    // An old reference was sealed with a reference key derived from A.
    const oldRef = await h.service.resolve(ctx(), w.workspaceRef);
    expect(E.isLeft(oldRef) && oldRef.left.code).toBe('unknown_key');

    // A fresh reference opens, but the value's data key is wrapped by A.
    const r = await h.service.resolve(ctx(), await getRef(h, 'apiKey'));
    if (E.isRight(r)) throw new Error('expected old data not to resolve without its master key');
    expect(r.left.code).toBe('unknown_key');
    expect(messageOf(r.left)).toMatch(/wrapped with master key "kek-v1", which SECRETS_MASTER_KEYS does not hold/);
    for (const text of [JSON.stringify(r.left), JSON.stringify(oldRef)]) {
      expect(text.includes(w.workspaceValue)).toBe(false);
      expectNoKeyMaterial(text, [rotated]);
    }

    // Writing into that workspace needs its data key too, and fails the same way rather than forking a second key.
    const write = await h.service.set(ctx(), { name: 'apiKey', value: secretText(), scope: 'workspace' });
    expect(E.isLeft(write) && write.left.code).toBe('unknown_key');

    // Data written under B alone is unaffected.
    expect(right(await h.service.resolve(other, await getRef(h, 'apiKey', other))).value).toBe(otherValue);
  });

  test('with only A again after writes under [A, B], data keys of new workspaces fail with unknown_key', async () => {
    const w = await written();
    const rotated = withNewActiveKey(w.keysA, 'kek-v2');
    const mid = await openHarness({ storage: w.storage, masterKeys: rotated });
    const other = ctx({ workspaceId: 'ws-2' });
    await setRef(mid, 'apiKey', secretText(), other);

    const h = await openHarness({ storage: w.storage, masterKeys: w.keysA });
    expect(right(await h.service.resolve(ctx(), w.workspaceRef)).value).toBe(w.workspaceValue);
    const r = await h.service.resolve(other, await getRef(h, 'apiKey', other));
    expect(E.isLeft(r) && r.left.code).toBe('unknown_key');
    expect(E.isLeft(r) && messageOf(r.left)).toMatch(/master key "kek-v2"/);
  });
});
