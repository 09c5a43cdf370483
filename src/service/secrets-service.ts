// The secrets service: set / get / delete of the specification and reference resolution, over clock, keyring and storage ports.
import * as E from 'fp-ts/lib/Either.js';
import { utf8Decode, utf8Encode } from '../core/bytes.ts';
import { invalidField, keyFailure, storageFailure, type SecretsError } from '../core/errors.ts';
import { parseJson, serializeJson, type JsonValue } from '../core/json-value.ts';
import { decodeNameScopeParams, decodeSetParams, type NameScopeParams } from '../core/params.ts';
import { DEFAULT_REFERENCE_TTL_SECONDS, resolveFailure, type ReferenceClaims, type ResolveFailure } from '../core/reference.ts';
import { decodeRunContext, type RunContext } from '../core/run-context.ts';
import type { Scope, SecretIdentity } from '../core/scope.ts';
import type { SecretMetadata, StoredSecret } from '../core/store.ts';
import { systemClock, type Clock } from '../effects/clock.ts';
import type { Keyring } from '../effects/crypto/keyring.ts';
import type { StoragePort } from '../effects/storage/port.ts';
import { makeDataKeys, type DataKeys } from './data-keys.ts';
import {
  deletedResult,
  notFoundResult,
  userRequiredResult,
  type DeleteOutcome,
  type GetOutcome,
  type SetOutcome,
} from './outcomes.ts';

export interface SecretsServiceOptions {
  readonly storage: StoragePort;
  readonly keyring: Keyring;
  readonly clock?: Clock;
  /** Lifetime of a reference in seconds (default 300); never beyond the secret's own expiry. */
  readonly referenceTtlSeconds?: number;
}

/** What a secret's current row says about an opened reference, read without decrypting. */
export interface SecretPeek {
  readonly identity: SecretIdentity;
  readonly version: number;
  readonly allowedHosts: readonly string[] | null;
}

/** A resolved reference: the current value and what the caller needs to decide where it may go. */
export interface Resolved {
  readonly value: JsonValue;
  readonly identity: SecretIdentity;
  readonly version: number;
  readonly allowedHosts: readonly string[] | null;
}

export interface SecretsService {
  set(ctx: RunContext, params: unknown): Promise<E.Either<SecretsError, SetOutcome>>;
  get(ctx: RunContext, params: unknown): Promise<E.Either<SecretsError, GetOutcome>>;
  delete(ctx: RunContext, params: unknown): Promise<E.Either<SecretsError, DeleteOutcome>>;
  /** Opens a reference in a run and reads the secret now: delete and expiry revoke outstanding references. */
  resolve(ctx: RunContext, reference: string): Promise<E.Either<ResolveFailure | SecretsError, Resolved>>;
  /** The crypto half of resolve: opens a reference's claims in a run (stable for a given text, so a run may keep them). */
  openReference(ctx: RunContext, reference: string): Promise<E.Either<ResolveFailure | SecretsError, ReferenceClaims>>;
  /**
   * The store half of resolve without decrypting: checks opened claims now (expiry, user) and reads the
   * secret's current version. Only claims this service's openReference returned are accepted.
   */
  peek(ctx: RunContext, claims: ReferenceClaims): Promise<E.Either<ResolveFailure | SecretsError, SecretPeek>>;
  /**
   * Metadata (never values) of the live secrets the context may read: its workspace's shared secrets and its
   * own user's, never another user's; ordered by scope, owner and name.
   */
  list(ctx: RunContext, query?: { readonly scope?: Scope }): Promise<E.Either<SecretsError, readonly SecretMetadata[]>>;
  /** Drops expired payloads from the store; returns how many. */
  sweep(): Promise<E.Either<SecretsError, number>>;
}

const MAX_WRITE_ATTEMPTS = 32;
/** The specification's references live "a few minutes": at most 15. */
const MAX_REFERENCE_TTL_SECONDS = 900;

const identityOf = (ctx: RunContext, p: NameScopeParams): SecretIdentity | undefined =>
  p.scope === 'user'
    ? ctx.userId === undefined
      ? undefined
      : { workspaceId: ctx.workspaceId, scope: 'user', ownerId: ctx.userId, name: p.name }
    : { workspaceId: ctx.workspaceId, scope: 'workspace', ownerId: '', name: p.name };

/**
 * Opens the service: validates options and checks every configured master key against the
 * key checks in the store, so a wrong master key is refused up front rather than later as garbage.
 */
export const openSecretsService = async (options: SecretsServiceOptions): Promise<E.Either<SecretsError, SecretsService>> => {
  const refTtl = options.referenceTtlSeconds ?? DEFAULT_REFERENCE_TTL_SECONDS;
  if (!(Number.isFinite(refTtl) && refTtl > 0 && refTtl <= MAX_REFERENCE_TTL_SECONDS))
    return E.left(invalidField('referenceTtlSeconds', `a number of seconds greater than 0 and at most ${MAX_REFERENCE_TTL_SECONDS}`));
  const { storage, keyring } = options;
  const clock = options.clock ?? systemClock;

  // Verify every key check that exists before recording any: a refused process must leave the store unchanged.
  const wrongKey = (kid: string) =>
    E.left(keyFailure('wrong_master_key', `SECRETS_MASTER_KEYS: key "${kid}" is not the key this store was written with (wrong master key)`));
  const missing: string[] = [];
  for (const kid of keyring.masterKids) {
    const existing = await storage.keyCheck(kid);
    if (E.isLeft(existing)) return existing;
    if (existing.right === null) missing.push(kid);
    else if (!(await keyring.verifyKeyCheck(kid, existing.right))) return wrongKey(kid);
  }
  for (const kid of missing) {
    // Insert-if-absent, then verify what is stored: of two processes starting with different bytes for a new kid, one is refused.
    const made = await storage.ensureKeyCheck(kid, await keyring.makeKeyCheck(kid));
    if (E.isLeft(made)) return made;
    if (!(await keyring.verifyKeyCheck(kid, made.right))) return wrongKey(kid);
  }
  return E.right(makeService(storage, keyring, clock, refTtl * 1000, makeDataKeys(storage, keyring, clock)));
};

const makeService = (storage: StoragePort, keyring: Keyring, clock: Clock, refTtlMs: number, dataKeys: DataKeys): SecretsService => {
  const mint = (ctx: RunContext, id: SecretIdentity, secretExpiresAt: number | null, now: number) => {
    const limit = now + refTtlMs;
    const expiresAt = secretExpiresAt === null ? limit : Math.min(limit, secretExpiresAt);
    return keyring.sealReference({ identity: id, expiresAt }, ctx.workspaceId, ctx.correlationId);
  };

  /** Frozen contexts this service has validated: they cannot have changed since, so they are not decoded again. */
  const validContexts = new WeakSet<RunContext>();
  const checkContext = (ctx: RunContext): E.Either<SecretsError, RunContext> => {
    if (validContexts.has(ctx)) return E.right(ctx);
    const r = decodeRunContext(ctx);
    if (E.isRight(r) && Object.isFrozen(ctx)) validContexts.add(ctx);
    return r;
  };

  /** Claims this service opened; peek accepts no others, so nobody can probe the store with made-up claims. */
  const issued = new WeakSet<ReferenceClaims>();

  const openReference = async (rawCtx: RunContext, reference: string): Promise<E.Either<ResolveFailure | SecretsError, ReferenceClaims>> => {
    const ctx = checkContext(rawCtx);
    if (E.isLeft(ctx)) return ctx;
    if (typeof reference !== 'string') return E.left(resolveFailure('malformed'));
    const claims = await keyring.openReference(reference, ctx.right.workspaceId, ctx.right.correlationId);
    if (E.isRight(claims)) issued.add(claims.right);
    return claims;
  };

  /** Reference expiry, user, then the store read at this moment: delete and expiry revoke at once. */
  const peekSecret = async (ctx: RunContext, { identity, expiresAt }: ReferenceClaims): Promise<E.Either<ResolveFailure | SecretsError, StoredSecret>> => {
    const now = clock.now();
    if (now >= expiresAt) return E.left(resolveFailure('expired', `secret "${identity.name}"`));
    if (identity.scope === 'user' && identity.ownerId !== ctx.userId) return E.left(resolveFailure('user_mismatch', `secret "${identity.name}"`));
    const r = await storage.read(identity, now);
    if (E.isLeft(r)) return r;
    return r.right.secret ? E.right(r.right.secret) : E.left(resolveFailure('not_found', `secret "${identity.name}"`));
  };

  return {
    set: async (rawCtx, params) => {
      const ctx = checkContext(rawCtx);
      if (E.isLeft(ctx)) return ctx;
      const p = decodeSetParams(params);
      if (E.isLeft(p)) return p;
      const id = identityOf(ctx.right, p.right);
      if (!id) return E.right(userRequiredResult());
      const plaintext = utf8Encode(serializeJson(p.right.value));
      const allowedHosts = p.right.allowedHosts ?? null;
      let gaveUp: SecretsError = storageFailure(`the data key of workspace ${id.workspaceId} kept changing during the write`);
      /** This call's write once it landed: a later attempt only reseals it, and only while it is still the current version. */
      let wrote: { readonly version: number; readonly expiresAt: number | null } | undefined;
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        // The active data key is read at every attempt: `keys rotate-data` may have switched it meanwhile.
        const dk = await dataKeys.active(id.workspaceId);
        if (E.isLeft(dk)) return dk;
        const now = clock.now();
        const current = await storage.read(id, now);
        if (E.isLeft(current)) return current;
        // Written, and something came after it (another writer, a delete, the rotation moving it): this write
        // stands, superseded as last-writer-wins orders it; writing it again would undo the later one.
        if (wrote !== undefined && current.right.version !== wrote.version) return E.right(await mint(ctx.right, id, wrote.expiresAt, now));
        const version = current.right.version + 1;
        const expiresAt = wrote !== undefined ? wrote.expiresAt : p.right.ttl === undefined ? null : now + Math.ceil(p.right.ttl * 1000);
        const binding = { identity: id, version, expiresAt, allowedHosts };
        const secret: StoredSecret = {
          ...binding,
          payload: await keyring.sealValue(dk.right, binding, plaintext),
          createdAt: current.right.secret?.createdAt ?? now,
          updatedAt: now,
        };
        const written = await storage.write(secret, current.right.version);
        if (E.isLeft(written)) {
          if (written.left._tag !== 'VersionConflict') return written;
          gaveUp = written.left;
          continue;
        }
        wrote = { version, expiresAt };
        // A rotation that activated a new key while this write was in flight lists secrets only after
        // activating, but may have read this one before the write: seal it again under the new key.
        const after = await storage.activeDataKey(id.workspaceId);
        if (E.isLeft(after)) return after;
        if (after.right === null || after.right.id === dk.right.id) return E.right(await mint(ctx.right, id, expiresAt, now));
      }
      return E.left(gaveUp);
    },

    get: async (rawCtx, params) => {
      const ctx = checkContext(rawCtx);
      if (E.isLeft(ctx)) return ctx;
      const p = decodeNameScopeParams(params);
      if (E.isLeft(p)) return p;
      const id = identityOf(ctx.right, p.right);
      if (!id) return E.right(userRequiredResult());
      const now = clock.now();
      const r = await storage.read(id, now);
      if (E.isLeft(r)) return r;
      if (!r.right.secret) return E.right(notFoundResult());
      return E.right(await mint(ctx.right, id, r.right.secret.expiresAt, now));
    },

    delete: async (rawCtx, params) => {
      const ctx = checkContext(rawCtx);
      if (E.isLeft(ctx)) return ctx;
      const p = decodeNameScopeParams(params);
      if (E.isLeft(p)) return p;
      const id = identityOf(ctx.right, p.right);
      if (!id) return E.right(userRequiredResult());
      const r = await storage.remove(id, clock.now());
      if (E.isLeft(r)) return r;
      return E.right(r.right.removed ? deletedResult() : notFoundResult());
    },

    resolve: async (rawCtx, reference) => {
      const claims = await openReference(rawCtx, reference);
      if (E.isLeft(claims)) return claims;
      const ctx = rawCtx;
      const { identity } = claims.right;
      const found = await peekSecret(ctx, claims.right);
      if (E.isLeft(found)) return found;
      const secret = found.right;
      const dkId = keyring.valueDataKeyId(secret.payload);
      if (dkId === undefined) return E.left(keyFailure('decrypt_failed', `the stored value of "${identity.name}" is not a sealed value`));
      const dk = await dataKeys.byId(identity.workspaceId, dkId);
      if (E.isLeft(dk)) return dk;
      const plain = await keyring.openValue(dk.right, secret, secret.payload);
      if (E.isLeft(plain)) return plain;
      const text = utf8Decode(plain.right);
      const value = text === undefined ? undefined : parseJson(text);
      if (value === undefined) return E.left(keyFailure('decrypt_failed', `the stored value of "${identity.name}" is not JSON`));
      return E.right({ value, identity, version: secret.version, allowedHosts: secret.allowedHosts });
    },

    openReference,

    peek: async (rawCtx, claims) => {
      const ctx = checkContext(rawCtx);
      if (E.isLeft(ctx)) return ctx;
      if (!issued.has(claims)) return E.left(resolveFailure('tampered', 'claims that this service did not open'));
      const found = await peekSecret(ctx.right, claims);
      return E.isLeft(found) ? found : E.right({ identity: claims.identity, version: found.right.version, allowedHosts: found.right.allowedHosts });
    },

    list: async (rawCtx, query = {}) => {
      const ctx = checkContext(rawCtx);
      if (E.isLeft(ctx)) return ctx;
      const { workspaceId, userId } = ctx.right;
      const now = clock.now();
      // User secrets are private to their user: only the context's own are listed, none without a user.
      const mine = async (): Promise<E.Either<SecretsError, readonly SecretMetadata[]>> =>
        userId === undefined ? E.right([]) : storage.list({ workspaceId, scope: 'user', ownerId: userId }, now);
      if (query.scope === 'user') return mine();
      const shared = await storage.list({ workspaceId, scope: 'workspace' }, now);
      if (query.scope === 'workspace' || E.isLeft(shared)) return shared;
      const own = await mine();
      return E.isLeft(own) ? own : E.right([...own.right, ...shared.right]);
    },

    sweep: () => storage.sweep(clock.now()),
  };
};
