// The per-run reference resolver: opens each reference once per run, reads the store on every resolution, decrypts each (secret, version) once.
import * as E from 'fp-ts/lib/Either.js';
import type { SecretsError } from '../core/errors.ts';
import type { JsonValue } from '../core/json-value.ts';
import type { ReferenceClaims, ResolveFailure } from '../core/reference.ts';
import { decodeRunContext, type RunContext } from '../core/run-context.ts';
import { identityKey, type Scope } from '../core/scope.ts';
import type { Resolved, SecretsService } from '../service/secrets-service.ts';

// ---------------------------------------------------------------------------------------------
// model

/** Why a reference did not resolve, with the secret it points to when the reference opened. */
export interface ResolutionFailure {
  readonly error: ResolveFailure | SecretsError;
  /** The secret's name, when known: the reference opened (expired, user_mismatch, not_found, …). */
  readonly name?: string;
  /** The secret's scope, when the reference opened through the warm path. */
  readonly scope?: Scope;
}

export interface ReferenceResolver {
  resolve(reference: string): Promise<E.Either<ResolutionFailure, Resolved>>;
}

/**
 * A resolver for one run. Every resolution reads the store (`secrets.peek`), so a delete or an
 * expiry revokes at once. It caches, for the run only: the claims of each reference text, and the
 * decrypted value of each (identity, version) — a new version is decrypted again, and a deleted or
 * expired secret fails before the cache is consulted.
 */
export const makeReferenceResolver = (secrets: SecretsService, ctx: RunContext): ReferenceResolver => {
  const checked = decodeRunContext(ctx);
  if (E.isLeft(checked)) return { resolve: async () => E.left({ error: checked.left }) };
  const runCtx = checked.right;

  const claimsByText = new Map<string, { readonly claims: ReferenceClaims; readonly key: string }>();
  // Allowed hosts are taken from the decryption (they are bound into the value's associated data), not from the peek.
  const values = new Map<string, { readonly version: number; readonly value: JsonValue; readonly allowedHosts: readonly string[] | null }>();

  return {
    resolve: async (reference) => {
      let opened = claimsByText.get(reference);
      if (opened === undefined) {
        const c = await secrets.openReference(runCtx, reference);
        if (E.isLeft(c)) return E.left({ error: c.left });
        opened = { claims: c.right, key: identityKey(c.right.identity) };
        claimsByText.set(reference, opened);
      }
      const identity = opened.claims.identity;
      const now = await secrets.peek(runCtx, opened.claims);
      if (E.isLeft(now)) return E.left({ error: now.left, name: identity.name, scope: identity.scope });
      const hit = values.get(opened.key);
      if (hit !== undefined && hit.version === now.right.version)
        return E.right({ value: hit.value, identity, version: hit.version, allowedHosts: hit.allowedHosts });
      const full = await secrets.resolve(runCtx, reference);
      if (E.isLeft(full)) return E.left({ error: full.left, name: identity.name, scope: identity.scope });
      const cur = values.get(opened.key);
      if (cur === undefined || cur.version <= full.right.version)
        values.set(opened.key, { version: full.right.version, value: full.right.value, allowedHosts: full.right.allowedHosts });
      return full;
    },
  };
};
