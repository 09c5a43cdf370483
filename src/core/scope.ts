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

/**
 * An unambiguous map key for an identity: workspace and owner length-prefixed, the scope (one of two words,
 * neither a prefix of the other) between them, the name last. A concatenation: the store remembers the key of
 * a frozen identity (store.ts), so this runs once per reference, not per resolution.
 */
export const identityKey = (id: SecretIdentity): string =>
  `${id.workspaceId.length}:${id.workspaceId}${id.scope}${id.ownerId.length}:${id.ownerId}${id.name}`;

export const sameIdentity = (a: SecretIdentity, b: SecretIdentity): boolean =>
  a.workspaceId === b.workspaceId && a.scope === b.scope && a.ownerId === b.ownerId && a.name === b.name;
