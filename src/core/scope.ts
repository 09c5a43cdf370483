// Scopes and secret identity: who may read a secret, and the key it is stored under.
import * as t from 'io-ts';

export const ScopeC = t.keyof({ workspace: null, user: null }, 'Scope');
export type Scope = t.TypeOf<typeof ScopeC>;

/** (workspaceId, scope, ownerId, name); ownerId is the user id in user scope and empty in workspace scope. */
export interface SecretIdentity {
  readonly workspaceId: string;
  readonly scope: Scope;
  readonly ownerId: string;
  readonly name: string;
}

/** Keys of frozen identities (a reference's claims, opened once per run and read at every resolution): they cannot change. */
const keysOfFrozen = new WeakMap<SecretIdentity, string>();

/**
 * An unambiguous map key for an identity: workspace and owner length-prefixed, the scope (one of two words,
 * neither a prefix of the other) between them, the name last. Read on every store access, so it is a concatenation.
 */
export const identityKey = (id: SecretIdentity): string => {
  const frozen = Object.isFrozen(id);
  const known = frozen ? keysOfFrozen.get(id) : undefined;
  if (known !== undefined) return known;
  const key = `${id.workspaceId.length}:${id.workspaceId}${id.scope}${id.ownerId.length}:${id.ownerId}${id.name}`;
  if (frozen) keysOfFrozen.set(id, key);
  return key;
};

export const sameIdentity = (a: SecretIdentity, b: SecretIdentity): boolean =>
  a.workspaceId === b.workspaceId && a.scope === b.scope && a.ownerId === b.ownerId && a.name === b.name;
