// The pure store with many identities: every bucket holds several, writes leave earlier states unchanged, and nothing is lost or mixed up.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decodeClaims, encodeClaims } from '../../src/core/reference.ts';
import type { SecretIdentity } from '../../src/core/scope.ts';
import * as store from '../../src/core/store.ts';

const identityArb: fc.Arbitrary<SecretIdentity> = fc
  .record({ workspaceId: fc.constantFrom('ws-a', 'ws-b'), user: fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined }), name: fc.string({ minLength: 1, maxLength: 12 }) })
  .map(({ workspaceId, user, name }) => ({ workspaceId, scope: user === undefined ? 'workspace' : 'user', ownerId: user ?? '', name }));

const secretOf = (identity: SecretIdentity, version: number): store.StoredSecret => ({
  identity,
  version,
  payload: `sealed-${version}`,
  createdAt: 0,
  updatedAt: version,
  expiresAt: null,
  allowedHosts: null,
});

/** Writes version (current + 1) of an identity; the write must succeed. */
const bump = (state: store.StoreState, id: SecretIdentity): store.StoreState => {
  const current = store.read(id, 0)(state).version;
  const next = store.write(secretOf(id, current + 1), current)(state);
  if (E.isLeft(next)) throw new Error('a write at the current version was refused');
  return next.right;
};

describe('the store over many identities', () => {
  // 300 to 700 distinct identities: more than the 256 buckets, so buckets hold several slots
  test.prop([fc.uniqueArray(identityArb, { minLength: 300, maxLength: 700, selector: (i) => JSON.stringify(i) }), fc.nat()], { numRuns: 20 })(
    'each identity reads back the number of writes it received, and the state holds exactly the written identities',
    (ids, seed) => {
      let state = store.emptyStore;
      const writes = new Map<string, number>();
      for (let i = 0; i < ids.length * 2; i++) {
        const id = ids[(i * 7919 + seed) % ids.length]!;
        state = bump(state, id);
        const k = JSON.stringify(id);
        writes.set(k, (writes.get(k) ?? 0) + 1);
      }
      for (const id of ids) expect(store.read(id, 0)(state).version).toBe(writes.get(JSON.stringify(id)) ?? 0);
      expect(store.keysOf(state).length).toBe(writes.size);
      const listed = ['ws-a', 'ws-b'].flatMap((workspaceId) => store.list({ workspaceId }, 0)(state));
      expect(listed.length).toBe(writes.size);
    },
  );

  test.prop([fc.uniqueArray(identityArb, { minLength: 2, maxLength: 400, selector: (i) => JSON.stringify(i) })], { numRuns: 30 })(
    'a write, a remove or a sweep returns a new state and leaves the one it was given as it was',
    (ids) => {
      let state = store.emptyStore;
      for (const id of ids) state = bump(state, id);
      const before = ids.map((id) => store.read(id, 0)(state).version);
      const [first, second] = [ids[0]!, ids[1]!];
      const written = bump(state, first);
      const [removed] = store.remove(second, 0)(written);
      const withExpiry = store.write({ ...secretOf(first, 3), expiresAt: 10 }, 2)(removed);
      if (E.isRight(withExpiry)) store.sweep(20)(withExpiry.right);
      expect(ids.map((id) => store.read(id, 0)(state).version)).toEqual(before);
      expect(store.read(first, 0)(written).version).toBe(2);
      expect(store.read(second, 0)(removed)).toEqual({ version: 2, secret: null });
    },
  );

  test.prop([fc.uniqueArray(identityArb, { minLength: 1, maxLength: 40, selector: (i) => JSON.stringify(i) })], { numRuns: 50 })(
    'a frozen identity, whose location is remembered, reads the slot of its unfrozen copy, in every state asked in turn',
    (ids) => {
      const frozen = ids.map((id) => Object.freeze({ ...id }));
      let state = store.emptyStore;
      for (const [i, id] of ids.entries()) {
        state = bump(state, id);
        for (const [j, f] of frozen.entries()) expect([j, store.read(f, 0)(state).version]).toEqual([j, store.read({ ...ids[j]! }, 0)(state).version]);
        expect(store.read(frozen[i]!, 0)(state).version).toBe(1);
      }
    },
  );

  it('the identity in a reference\'s claims is frozen, so its remembered location cannot go stale', () => {
    const claims = decodeClaims(encodeClaims({ identity: { workspaceId: 'w', scope: 'user', ownerId: 'u', name: 'n' }, expiresAt: 1 }));
    expect(E.isRight(claims) && Object.isFrozen(claims.right.identity)).toBe(true);
  });
});
