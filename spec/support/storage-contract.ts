// The storage contract: one suite, run unchanged against every StoragePort adapter (memory, SQLite, PostgreSQL).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { SecretIdentity } from '../../src/core/scope.ts';
import type { StoredSecret } from '../../src/core/store.ts';
import type { DataKeyRecord, StoragePort } from '../../src/effects/storage/port.ts';
import { checkStorageAgainstModel } from './storage-model.ts';

const T0 = 1_700_000_000_000;

/** The Right of an Either, or a failure that shows the Left. */
export const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got Left ${JSON.stringify(e.left)}`);
  return e.right;
};

/** Stand-in for a sealed value: random, never meaningful. */
export const payloadOf = (): string => `v1.${randomBytes(24).toString('base64url')}`;

export const identityOf = (over: Partial<SecretIdentity> = {}): SecretIdentity => ({
  workspaceId: `ws-${randomUUID()}`,
  scope: 'workspace',
  ownerId: '',
  name: `name-${randomUUID()}`,
  ...over,
});

export const secretOf = (identity: SecretIdentity, version: number, over: Partial<StoredSecret> = {}): StoredSecret => ({
  identity,
  version,
  payload: payloadOf(),
  createdAt: T0,
  updatedAt: T0,
  expiresAt: null,
  allowedHosts: null,
  ...over,
});

export const dataKeyOf = (workspaceId: string, over: Partial<DataKeyRecord> = {}): DataKeyRecord => ({
  workspaceId,
  id: `dk-${randomUUID()}`,
  wrapped: payloadOf(),
  kekId: 'kek-v1',
  active: false,
  createdAt: T0,
  ...over,
});

export interface ContractOptions {
  /** Random sequences in the model-based property; ~100 for SQL adapters keeps the suite quick. */
  readonly modelRuns?: number;
}

/**
 * Registers the contract suite for one adapter. `makeStorage` gives a fresh, empty store each call;
 * the suite closes every store it made, and calls `cleanup` once at the end.
 */
export const storageContract = (
  name: string,
  makeStorage: () => Promise<StoragePort>,
  cleanup: () => Promise<void>,
  options: ContractOptions = {},
): void => {
  describe(`storage contract: ${name}`, () => {
    let s: StoragePort;
    beforeEach(async () => {
      s = await makeStorage();
    });
    afterEach(async () => {
      await s.close();
    });
    afterAll(cleanup);

    describe('secrets', () => {
      it('an identity never written reads as version 0 with no secret', async () => {
        expect(right(await s.read(identityOf(), T0))).toStrictEqual({ version: 0, secret: null });
      });

      it('a write at the expected version is stored and read back whole', async () => {
        const id = identityOf({ scope: 'user', ownerId: 'alice' });
        const secret = secretOf(id, 1, { expiresAt: T0 + 60_000, allowedHosts: ['api.example.com', 'x.test'], updatedAt: T0 + 1 });
        expect(await s.write(secret, 0)).toStrictEqual(E.right(undefined));
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 1, secret });
        const next = secretOf(id, 2);
        expect(await s.write(next, 1)).toStrictEqual(E.right(undefined));
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 2, secret: next });
      });

      it('timestamps anywhere in the safe integer range round-trip exactly', async () => {
        const id = identityOf();
        const secret = secretOf(id, 1, { createdAt: 0, updatedAt: Number.MAX_SAFE_INTEGER, expiresAt: Number.MAX_SAFE_INTEGER });
        right(await s.write(secret, 0));
        expect(right(await s.read(id, Number.MAX_SAFE_INTEGER - 1))).toStrictEqual({ version: 1, secret });
        expect(right(await s.read(id, Number.MAX_SAFE_INTEGER))).toStrictEqual({ version: 1, secret: null });
      });

      it('an empty payload is a live secret, not a tombstone', async () => {
        const id = identityOf();
        const secret = secretOf(id, 1, { payload: '' });
        right(await s.write(secret, 0));
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 1, secret });
      });

      it('a write with a stale expected version is a version conflict naming the actual version, and changes nothing', async () => {
        const id = identityOf();
        const first = secretOf(id, 1);
        right(await s.write(first, 0));
        right(await s.write(secretOf(id, 2), 1));
        expect(await s.write(secretOf(id, 2), 1)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 1, actual: 2 }));
        expect(await s.write(secretOf(id, 1), 0)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 0, actual: 2 }));
        expect(await s.write(secretOf(id, 5), 4)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 4, actual: 2 }));
        expect(right(await s.read(id, T0)).version).toBe(2);
      });

      it('a write whose version is not expected + 1 is a version conflict, even on a fresh identity', async () => {
        const id = identityOf();
        for (const v of [0, 2, 7]) expect(await s.write(secretOf(id, v), 0)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 0, actual: 0 }));
        expect(await s.write(secretOf(id, 2), 1)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 1, actual: 0 }));
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 0, secret: null });
      });

      it('versions keep growing across write, remove and re-create', async () => {
        const id = identityOf();
        right(await s.write(secretOf(id, 1), 0));
        expect(right(await s.remove(id, T0))).toStrictEqual({ removed: true, version: 2 });
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 2, secret: null });
        expect(await s.write(secretOf(id, 1), 0)).toStrictEqual(E.left({ _tag: 'VersionConflict', code: 'version_conflict', expected: 0, actual: 2 }));
        const again = secretOf(id, 3);
        right(await s.write(again, 2));
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 3, secret: again });
      });

      it('a secret is readable before its expiry and unreadable from its expiry on, keeping its version', async () => {
        const id = identityOf();
        const secret = secretOf(id, 1, { expiresAt: T0 + 1000 });
        right(await s.write(secret, 0));
        expect(right(await s.read(id, T0 + 999))).toStrictEqual({ version: 1, secret });
        expect(right(await s.read(id, T0 + 1000))).toStrictEqual({ version: 1, secret: null });
        expect(right(await s.read(id, T0 + 5000))).toStrictEqual({ version: 1, secret: null });
        // Expiry hides, it does not delete: an earlier clock still sees it until a sweep.
        expect(right(await s.read(id, T0))).toStrictEqual({ version: 1, secret });
      });

      it('sweep drops the payloads of expired secrets only, and keeps their versions', async () => {
        const ws = `ws-${randomUUID()}`;
        const gone = identityOf({ workspaceId: ws });
        const stays = identityOf({ workspaceId: ws });
        const forever = identityOf({ workspaceId: ws });
        right(await s.write(secretOf(gone, 1, { expiresAt: T0 + 10 }), 0));
        const staying = secretOf(stays, 1, { expiresAt: T0 + 11 });
        right(await s.write(staying, 0));
        const eternal = secretOf(forever, 1);
        right(await s.write(eternal, 0));
        expect(right(await s.sweep(T0 + 10))).toBe(1);
        expect(right(await s.sweep(T0 + 10))).toBe(0);
        expect(right(await s.read(gone, T0))).toStrictEqual({ version: 1, secret: null });
        expect(right(await s.read(stays, T0 + 10))).toStrictEqual({ version: 1, secret: staying });
        expect(right(await s.read(forever, T0 + 10 ** 9))).toStrictEqual({ version: 1, secret: eternal });
        const back = secretOf(gone, 2);
        right(await s.write(back, 1));
        expect(right(await s.read(gone, T0))).toStrictEqual({ version: 2, secret: back });
      });

      it('removing an absent, removed or expired secret removes nothing and reports the version', async () => {
        const id = identityOf();
        expect(right(await s.remove(id, T0))).toStrictEqual({ removed: false, version: 0 });
        right(await s.write(secretOf(id, 1, { expiresAt: T0 + 5 }), 0));
        expect(right(await s.remove(id, T0 + 5))).toStrictEqual({ removed: false, version: 1 });
        expect(right(await s.remove(id, T0 + 4))).toStrictEqual({ removed: true, version: 2 });
        expect(right(await s.remove(id, T0))).toStrictEqual({ removed: false, version: 2 });
      });

      it('list gives metadata of live secrets only, never payloads, ordered by scope, owner and name', async () => {
        const ws = `ws-${randomUUID()}`;
        const at = (scope: 'workspace' | 'user', ownerId: string, name: string) => identityOf({ workspaceId: ws, scope, ownerId, name });
        const written = [
          secretOf(at('user', 'bob', 'b'), 1, { allowedHosts: ['api.example.com'] }),
          secretOf(at('workspace', '', 'z'), 1, { expiresAt: T0 + 100 }),
          secretOf(at('user', 'alice', 'a'), 1),
          secretOf(at('workspace', '', '😀'), 1),
          secretOf(at('workspace', '', '\uFFFD'), 1),
          secretOf(at('user', 'alice', 'B'), 1),
        ];
        for (const x of written) right(await s.write(x, 0));
        right(await s.write(secretOf(at('workspace', '', 'expired'), 1, { expiresAt: T0 }), 0));
        const removed = at('workspace', '', 'removed');
        right(await s.write(secretOf(removed, 1), 0));
        right(await s.remove(removed, T0));

        const listed = right(await s.list({ workspaceId: ws }, T0));
        for (const m of listed) expect(Object.keys(m)).not.toContain('payload');
        const meta = (x: StoredSecret) => {
          const { payload: _payload, ...rest } = x;
          return rest;
        };
        const [bobB, wsZ, aliceA, wsSmile, wsReplacement, aliceB] = written.map(meta);
        // Order is by UTF-16 code units, as the core store sorts: 'z' < '😀' < '\uFFFD'.
        expect(listed).toStrictEqual([aliceB, aliceA, bobB, wsZ, wsSmile, wsReplacement]);
        expect(right(await s.list({ workspaceId: ws }, T0 + 100))).toStrictEqual([aliceB, aliceA, bobB, wsSmile, wsReplacement]);
      });

      it('list is isolated by workspace and filters by scope and owner', async () => {
        const wsA = `ws-${randomUUID()}`;
        const wsB = `ws-${randomUUID()}`;
        const a1 = secretOf(identityOf({ workspaceId: wsA, name: 'shared' }), 1);
        const a2 = secretOf(identityOf({ workspaceId: wsA, scope: 'user', ownerId: 'alice', name: 'shared' }), 1);
        const a3 = secretOf(identityOf({ workspaceId: wsA, scope: 'user', ownerId: 'bob', name: 'shared' }), 1);
        const b1 = secretOf(identityOf({ workspaceId: wsB, name: 'shared' }), 1);
        for (const x of [a1, a2, a3, b1]) right(await s.write(x, 0));
        const names = async (q: Parameters<StoragePort['list']>[0]) =>
          right(await s.list(q, T0)).map((m) => `${m.identity.workspaceId === wsA ? 'A' : 'B'}/${m.identity.scope}/${m.identity.ownerId}`);
        expect(await names({ workspaceId: wsA })).toEqual(['A/user/alice', 'A/user/bob', 'A/workspace/']);
        expect(await names({ workspaceId: wsB })).toEqual(['B/workspace/']);
        expect(await names({ workspaceId: wsA, scope: 'user' })).toEqual(['A/user/alice', 'A/user/bob']);
        expect(await names({ workspaceId: wsA, scope: 'user', ownerId: 'bob' })).toEqual(['A/user/bob']);
        expect(await names({ workspaceId: wsA, ownerId: '' })).toEqual(['A/workspace/']);
        expect(await names({ workspaceId: `ws-${randomUUID()}` })).toEqual([]);
        // The same name in another scope, owner or workspace is another secret.
        expect(right(await s.read(a2.identity, T0)).secret).toStrictEqual(a2);
        expect(right(await s.read({ ...a2.identity, ownerId: 'carol' }, T0))).toStrictEqual({ version: 0, secret: null });
      });

      it('concurrent writes at the same expected version: exactly one wins, the others conflict', async () => {
        const id = identityOf();
        const results = await Promise.all(Array.from({ length: 12 }, () => s.write(secretOf(id, 1), 0)));
        expect(results.filter(E.isRight)).toHaveLength(1);
        for (const r of results.filter(E.isLeft)) expect(r.left).toStrictEqual({ _tag: 'VersionConflict', code: 'version_conflict', expected: 0, actual: 1 });
      });

      it('concurrent read-and-retry writers lose no update and apply none twice', async () => {
        const id = identityOf();
        const writer = async () => {
          let applied = 0;
          while (applied < 5) {
            const { version } = right(await s.read(id, T0));
            const r = await s.write(secretOf(id, version + 1), version);
            if (E.isRight(r)) applied++;
            else expect(r.left._tag).toBe('VersionConflict');
          }
        };
        await Promise.all(Array.from({ length: 6 }, writer));
        expect(right(await s.read(id, T0)).version).toBe(30);
      });
    });

    describe('data keys', () => {
      it('ensureActiveDataKey stores the first candidate as active and returns it to every later caller', async () => {
        const ws = `ws-${randomUUID()}`;
        expect(right(await s.activeDataKey(ws))).toBeNull();
        const first = dataKeyOf(ws);
        const stored = right(await s.ensureActiveDataKey(first));
        expect(stored).toStrictEqual({ ...first, active: true });
        expect(right(await s.ensureActiveDataKey(dataKeyOf(ws)))).toStrictEqual(stored);
        expect(right(await s.activeDataKey(ws))).toStrictEqual(stored);
        expect(right(await s.dataKey(ws, first.id))).toStrictEqual(stored);
        expect(right(await s.activeDataKey(`ws-${randomUUID()}`))).toBeNull();
      });

      it('concurrent ensureActiveDataKey calls agree on one active key', async () => {
        const ws = `ws-${randomUUID()}`;
        const got = (await Promise.all(Array.from({ length: 12 }, () => s.ensureActiveDataKey(dataKeyOf(ws))))).map(right);
        expect(new Set(got.map((k) => k.id)).size).toBe(1);
        expect(right(await s.activeDataKey(ws))).toStrictEqual(got[0]);
        expect(right(await s.listDataKeys()).filter((k) => k.workspaceId === ws)).toHaveLength(1);
      });

      it('activateDataKey makes the new key active and retires the others, which stay readable by id', async () => {
        const ws = `ws-${randomUUID()}`;
        const other = `ws-${randomUUID()}`;
        const old = right(await s.ensureActiveDataKey(dataKeyOf(ws)));
        const untouched = right(await s.ensureActiveDataKey(dataKeyOf(other)));
        const next = dataKeyOf(ws, { createdAt: T0 + 1 });
        right(await s.activateDataKey(next));
        expect(right(await s.activeDataKey(ws))).toStrictEqual({ ...next, active: true });
        expect(right(await s.dataKey(ws, old.id))).toStrictEqual({ ...old, active: false });
        expect(right(await s.activeDataKey(other))).toStrictEqual(untouched);
        const third = dataKeyOf(ws, { createdAt: T0 + 2 });
        right(await s.activateDataKey(third));
        const mine = right(await s.listDataKeys()).filter((k) => k.workspaceId === ws);
        expect(mine.filter((k) => k.active).map((k) => k.id)).toEqual([third.id]);
        expect(mine).toHaveLength(3);
      });

      it('rewrapDataKey replaces the wrapping only while it is still the expected one', async () => {
        const ws = `ws-${randomUUID()}`;
        const key = right(await s.ensureActiveDataKey(dataKeyOf(ws)));
        const w2 = payloadOf();
        expect(right(await s.rewrapDataKey(ws, key.id, key.wrapped, w2, 'kek-v2'))).toBe(true);
        expect(right(await s.rewrapDataKey(ws, key.id, key.wrapped, payloadOf(), 'kek-v3'))).toBe(false);
        expect(right(await s.rewrapDataKey(ws, 'dk-missing', w2, payloadOf(), 'kek-v3'))).toBe(false);
        expect(right(await s.rewrapDataKey(`ws-${randomUUID()}`, key.id, w2, payloadOf(), 'kek-v3'))).toBe(false);
        expect(right(await s.dataKey(ws, key.id))).toStrictEqual({ ...key, wrapped: w2, kekId: 'kek-v2' });
      });

      it('listDataKeys lists every key of every workspace in a stable order', async () => {
        const keys = [];
        for (const ws of ['ws-b', 'ws-a', 'ws-c']) keys.push(right(await s.ensureActiveDataKey(dataKeyOf(ws, { id: `dk-${ws}` }))));
        right(await s.activateDataKey(dataKeyOf('ws-a', { id: 'dk-a2' })));
        const listed = right(await s.listDataKeys());
        expect(listed.map((k) => `${k.workspaceId}/${k.id}/${k.active}`)).toEqual([
          'ws-a/dk-a2/true',
          'ws-a/dk-ws-a/false',
          'ws-b/dk-ws-b/true',
          'ws-c/dk-ws-c/true',
        ]);
        expect(right(await s.listDataKeys())).toStrictEqual(listed);
      });
    });

    describe('key checks', () => {
      it('ensureKeyCheck stores the first blob and returns it to every later caller', async () => {
        const kid = `kek-${randomUUID()}`;
        expect(right(await s.keyCheck(kid))).toBeNull();
        const blob = payloadOf();
        expect(right(await s.ensureKeyCheck(kid, blob))).toBe(blob);
        expect(right(await s.ensureKeyCheck(kid, payloadOf()))).toBe(blob);
        expect(right(await s.keyCheck(kid))).toBe(blob);
        expect(right(await s.keyCheck(`kek-${randomUUID()}`))).toBeNull();
      });

      it('concurrent ensureKeyCheck calls agree on one blob', async () => {
        const kid = `kek-${randomUUID()}`;
        const got = (await Promise.all(Array.from({ length: 12 }, () => s.ensureKeyCheck(kid, payloadOf())))).map(right);
        expect(new Set(got).size).toBe(1);
        expect(right(await s.keyCheck(kid))).toBe(got[0]);
      });
    });

    describe('against the pure store', () => {
      const runs = options.modelRuns ?? 100;
      it(`agrees with the core store on ${runs} random sequences of write, remove, read, list, sweep and advance`, async () => {
        await checkStorageAgainstModel(makeStorage, runs);
      });
    });
  });
};
