// Rotation under load and faults: rotate-data against a slow writer, two rotations at once, an unreadable value, a refused key.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseKeySet } from '../../src/core/key-config.ts';
import type { StoredSecret } from '../../src/core/store.ts';
import { makeKeyring, type Keyring } from '../../src/effects/crypto/keyring.ts';
import { webCryptoPrimitives } from '../../src/effects/crypto/webcrypto.ts';
import { memoryStorage } from '../../src/effects/storage/memory.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import { rotateDataKey } from '../../src/service/key-rotation.ts';
import { openSecrets } from '../../src/service/open.ts';
import { generated } from '../support/msw-env.ts';
import { generatedKeyHex, masterKeysText } from '../support/keys.ts';
import { ctx, openHarness, right, type Harness } from '../support/service.ts';

const keyringOf = async (h: Harness): Promise<Keyring> => makeKeyring(webCryptoPrimitives, { master: right(parseKeySet('SECRETS_MASTER_KEYS', h.masterKeys)) });

/** The data key each live secret of the workspace is sealed under. */
const sealedUnder = async (h: Harness, keyring: Keyring): Promise<string[]> => {
  const metas = right(await h.storage.list({ workspaceId: 'ws-1' }, h.clock.now()));
  const ids: string[] = [];
  for (const m of metas) {
    const r = right(await h.storage.read(m.identity, h.clock.now()));
    ids.push(keyring.valueDataKeyId(r.secret!.payload)!);
  }
  return ids;
};

/** A storage whose next write waits until released: a writer caught between sealing and writing. */
const pausingStorage = (inner: StoragePort) => {
  let gate: { readonly reached: () => void; readonly release: Promise<void> } | undefined;
  const storage: StoragePort = {
    ...inner,
    write: async (secret: StoredSecret, expected: number) => {
      const g = gate;
      if (g) {
        gate = undefined;
        g.reached();
        await g.release;
      }
      return inner.write(secret, expected);
    },
  };
  const pauseNextWrite = () => {
    let reached!: () => void;
    let release!: () => void;
    const atWrite = new Promise<void>((r) => (reached = r));
    gate = { reached, release: new Promise<void>((r) => (release = r)) };
    return { atWrite, release: () => release() };
  };
  return { storage, pauseNextWrite };
};

describe('keys rotate-data', () => {
  it('refuses a workspace that has no data key (a typo), naming workspaceId, and writes no data key', async () => {
    const h = await openHarness();
    const keyring = await keyringOf(h);
    right(await h.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace' }));
    const before = right(await h.storage.listDataKeys());
    const r = await rotateDataKey(h.storage, keyring, h.clock, 'ws-l');
    expect(E.isLeft(r) && r.left._tag === 'InvalidInput' ? r.left.problems.map((p) => p.path) : r).toEqual(['workspaceId']);
    expect(right(await h.storage.listDataKeys())).toEqual(before);
    expect(right(await h.storage.activeDataKey('ws-l'))).toBeNull();
  });

  it('a writer caught between sealing and writing while the key rotates ends up under the new key', async () => {
    const inner = memoryStorage();
    const { storage, pauseNextWrite } = pausingStorage(inner);
    const h = await openHarness({ storage });
    const keyring = await keyringOf(h);
    right(await h.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace' }));
    const pause = pauseNextWrite();
    const writing = h.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace' });
    await pause.atWrite;
    const report = right(await rotateDataKey(inner, keyring, h.clock, 'ws-1'));
    pause.release();
    right(await writing);
    expect(await sealedUnder(h, keyring)).toEqual([report.dataKeyId]);
  });

  it('a secret created while the key rotates, written after the rotation listed the workspace, is sealed again under the new key', async () => {
    const inner = memoryStorage();
    const { storage, pauseNextWrite } = pausingStorage(inner);
    const h = await openHarness({ storage });
    const keyring = await keyringOf(h);
    right(await h.service.set(ctx(), { name: 'first', value: generated(), scope: 'workspace' }));
    right(await h.service.delete(ctx(), { name: 'first', scope: 'workspace' }));
    const pause = pauseNextWrite();
    const writing = h.service.set(ctx(), { name: 'late', value: generated(), scope: 'workspace' });
    await pause.atWrite;
    const report = right(await rotateDataKey(inner, keyring, h.clock, 'ws-1'));
    expect(report.reencrypted).toBe(0);
    pause.release();
    right(await writing);
    expect(await sealedUnder(h, keyring)).toEqual([report.dataKeyId]);
  });

  it('a write that lands, then sees the key switched and a later writer, does not write itself again over the later value', async () => {
    const inner = memoryStorage();
    // After A's write lands and before A looks at the active key again: a rotation, then writer B.
    let between: (() => Promise<void>) | undefined;
    const storage: StoragePort = {
      ...inner,
      write: async (secret, expected) => {
        const r = await inner.write(secret, expected);
        const hook = between;
        between = undefined;
        if (hook && E.isRight(r)) await hook();
        return r;
      },
    };
    const a = await openHarness({ storage });
    const b = await openHarness({ storage: inner, masterKeys: a.masterKeys });
    const keyring = await keyringOf(a);
    right(await a.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace' }));
    const later = generated();
    between = async () => {
      right(await rotateDataKey(inner, keyring, a.clock, 'ws-1'));
      right(await b.service.set(ctx(), { name: 'k', value: later, scope: 'workspace' }));
    };
    right(await a.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace' }));
    expect(between).toBeUndefined();
    const ref = right(await a.service.get(ctx(), { name: 'k', scope: 'workspace' })) as string;
    expect(right(await a.service.resolve(ctx(), ref)).value === later, 'the later value is the current one').toBe(true);
    // versions: A 1, A 2, rotation moves it to 3, B 4; nothing after
    expect(right(await inner.read({ workspaceId: 'ws-1', scope: 'workspace', ownerId: '', name: 'k' }, a.clock.now())).version).toBe(4);
  });

  it('two rotations at once: one reports an error, and every value ends under the active key', async () => {
    const h = await openHarness();
    const keyring = await keyringOf(h);
    for (let i = 0; i < 20; i++) right(await h.service.set(ctx(), { name: `s${i}`, value: generated(), scope: 'workspace' }));
    const results = await Promise.all([rotateDataKey(h.storage, keyring, h.clock, 'ws-1'), rotateDataKey(h.storage, keyring, h.clock, 'ws-1')]);
    expect(results.filter(E.isLeft).map((r) => r.left.code)).toEqual(['unknown_key']);
    const winner = results.find(E.isRight)!.right;
    expect(new Set(await sealedUnder(h, keyring))).toEqual(new Set([winner.dataKeyId]));
    expect(right(await h.storage.activeDataKey('ws-1'))?.id).toBe(winner.dataKeyId);
  });

  it('a value that no longer opens is reported and the others are still moved', async () => {
    const h = await openHarness();
    const keyring = await keyringOf(h);
    right(await h.service.set(ctx(), { name: 'a-bad', value: generated(), scope: 'workspace' }));
    right(await h.service.set(ctx(), { name: 'b-good', value: generated(), scope: 'workspace' }));
    const bad = right(await h.storage.read({ workspaceId: 'ws-1', scope: 'workspace', ownerId: '', name: 'a-bad' }, h.clock.now())).secret!;
    right(await h.storage.write({ ...bad, version: bad.version + 1, allowedHosts: ['evil.example.com'] }, bad.version));
    const report = right(await rotateDataKey(h.storage, keyring, h.clock, 'ws-1'));
    expect(report.unreadable).toEqual(['workspace/a-bad']);
    expect(report.reencrypted).toBe(1);
    const good = right(await h.service.get(ctx(), { name: 'b-good', scope: 'workspace' })) as string;
    expect(E.isRight(await h.service.resolve(ctx(), good))).toBe(true);
  });
});

describe('start-up key checks', () => {
  it('a process refused for a wrong key records nothing, so the right roll-out still starts', async () => {
    const storage = memoryStorage();
    const v1 = generatedKeyHex();
    const v2 = generatedKeyHex();
    const entry = (kid: string, key: string, active: boolean) => ({ kid, key, active });
    right(await openSecrets({ storage, masterKeys: JSON.stringify([entry('kek-v1', v1, true)]) }));
    const wrong = await openSecrets({ storage, masterKeys: JSON.stringify([entry('kek-v2', v2, true), entry('kek-v1', generatedKeyHex(), false)]) });
    expect(wrong).toMatchObject({ left: { code: 'wrong_master_key' } });
    expect(right(await storage.keyCheck('kek-v2'))).toBeNull();
    const rollout = await openSecrets({ storage, masterKeys: JSON.stringify([entry('kek-v1', v1, false), entry('kek-v2', v2, true)]) });
    expect(E.isRight(rollout)).toBe(true);
  });

  it('a storage failure while recording a key check is reported as such, not as a wrong key', async () => {
    const inner = memoryStorage();
    const storage: StoragePort = { ...inner, ensureKeyCheck: async () => E.left({ _tag: 'StorageFailure', code: 'storage_unavailable', message: 'read-only' }) };
    expect(await openSecrets({ storage, masterKeys: masterKeysText() })).toMatchObject({ left: { code: 'storage_unavailable' } });
  });
});
