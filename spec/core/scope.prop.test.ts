// The identity key is what the stores index by: two identities share a key exactly when they are the same identity.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { identityKey, sameIdentity, type SecretIdentity } from '../../src/core/scope.ts';

// A small alphabet with digits, ':' and the scope words' letters, so that parts can run into each other.
const part = fc.string({ unit: fc.constantFrom('a', 'b', '1', '2', ':', 'u', 's', 'e', 'r', 'w'), maxLength: 6 });
const identity: fc.Arbitrary<SecretIdentity> = fc.record({
  workspaceId: part,
  scope: fc.constantFrom('workspace' as const, 'user' as const),
  ownerId: part,
  name: part,
});

/** Two identities whose parts, written one after another, read the same: a key that only concatenates confuses them. */
const splitTwice = (text: string, cuts: readonly [number, number], scope: SecretIdentity['scope']): SecretIdentity => {
  const [i, j] = [Math.min(...cuts) % (text.length + 1), Math.max(...cuts) % (text.length + 1)];
  const [lo, hi] = i <= j ? [i, j] : [j, i];
  return { workspaceId: text.slice(0, lo), scope, ownerId: text.slice(lo, hi), name: text.slice(hi) };
};
const scopeWord = fc.constantFrom('workspace' as const, 'user' as const);
const lookalikes = fc
  .record({ text: fc.string({ unit: fc.constantFrom('a', '1', ':', 'user', 'workspace', '2:'), maxLength: 8 }), a: fc.tuple(fc.nat(), fc.nat()), b: fc.tuple(fc.nat(), fc.nat()), sa: scopeWord, sb: scopeWord })
  .map(({ text, a, b, sa, sb }) => [splitTwice(text, a, sa), splitTwice(text, b, sb)] as const);

describe('identityKey', () => {
  test.prop([lookalikes], { numRuns: 3000 })('identities whose parts read the same one after another still have different keys, unless they are the same', ([a, b]) => {
    expect(identityKey(a) === identityKey(b)).toBe(sameIdentity(a, b));
  });

  test.prop([identity, identity], { numRuns: 3000 })('two identities have the same key exactly when they are the same identity', (a, b) => {
    expect(identityKey(a) === identityKey(b)).toBe(sameIdentity(a, b));
  });
});

describe('identityKey examples', () => {
  it('parts that run into each other stay apart', () => {
    const a: SecretIdentity = { workspaceId: 'w', scope: 'user', ownerId: '', name: 'bc' };
    const b: SecretIdentity = { workspaceId: 'w', scope: 'user', ownerId: 'b', name: 'c' };
    const c: SecretIdentity = { workspaceId: 'w1:', scope: 'user', ownerId: '', name: 'x' };
    const d: SecretIdentity = { workspaceId: 'w', scope: 'user', ownerId: '1:', name: 'x' };
    expect(new Set([a, b, c, d].map(identityKey)).size).toBe(4);
  });

  it('found by the property against a key without length prefixes: an owner "2:" and an owner "2" with the name ":"', () => {
    const a: SecretIdentity = { workspaceId: '', scope: 'user', ownerId: '2:', name: '' };
    const b: SecretIdentity = { workspaceId: '', scope: 'user', ownerId: '2', name: ':' };
    expect(identityKey(a)).not.toBe(identityKey(b));
  });

  it('found by the property against a key without an owner length: the name "a" and the owner "a"', () => {
    const a: SecretIdentity = { workspaceId: '', scope: 'workspace', ownerId: '', name: 'a' };
    const b: SecretIdentity = { workspaceId: '', scope: 'workspace', ownerId: 'a', name: '' };
    expect(identityKey(a)).not.toBe(identityKey(b));
  });
});
