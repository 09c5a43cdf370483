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

/** An unambiguous map key for an identity (JSON of the four parts in a fixed order). */
export const identityKey = (id: SecretIdentity): string => JSON.stringify([id.workspaceId, id.scope, id.ownerId, id.name]);

export const sameIdentity = (a: SecretIdentity, b: SecretIdentity): boolean =>
  a.workspaceId === b.workspaceId && a.scope === b.scope && a.ownerId === b.ownerId && a.name === b.name;
