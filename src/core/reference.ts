// Secret references: wire form `$secret:v1.<kid>.<base64url>`, sealed claims, and why one fails to resolve.
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { ScopeC, type SecretIdentity } from './scope.ts';
import { base64urlDecode, base64urlEncode, concatBytes, utf8Decode, utf8Encode } from './bytes.ts';
import { parseJson } from './json-value.ts';

// ---------------------------------------------------------------------------------------------
// model

export const REFERENCE_PREFIX = '$secret:';
export const REFERENCE_VERSION = 'v1';
/** Default reference lifetime in seconds (design §4). */
export const DEFAULT_REFERENCE_TTL_SECONDS = 300;

/** Byte lengths inside the sealed payload: workspace tag, run tag, nonce, then ciphertext and GCM tag. */
export const TAG_BYTES = 8;
export const NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** What a reference says, sealed: the secret it points to and when it stops opening. Never the value. */
export interface ReferenceClaims {
  readonly identity: SecretIdentity;
  /** Epoch milliseconds from which the reference no longer opens. */
  readonly expiresAt: number;
}

/** The parts of a reference after the prefix. */
export interface ReferenceParts {
  readonly kid: string;
  readonly workspaceTag: Uint8Array;
  readonly runTag: Uint8Array;
  readonly nonce: Uint8Array;
  readonly sealed: Uint8Array;
}

export type ResolveFailureCode =
  | 'malformed'
  | 'unknown_key'
  | 'tampered'
  | 'other_workspace'
  | 'other_run'
  | 'expired'
  | 'user_mismatch'
  | 'not_found';

/** Why a reference did not yield a value. The message names the reason and the secret, never the value. */
export interface ResolveFailure {
  readonly _tag: 'ResolveFailure';
  readonly code: ResolveFailureCode;
  readonly message: string;
}

const MESSAGES: Record<ResolveFailureCode, string> = {
  malformed: 'the text is not a secret reference',
  unknown_key: 'the reference was sealed with a key this runtime does not hold',
  tampered: 'the reference has been altered or was not issued by this runtime',
  other_workspace: 'the reference belongs to another workspace (or was sealed by a runtime holding different bytes under the same reference key id)',
  other_run: 'the reference belongs to another run; call secrets.get in this run',
  expired: 'the reference has expired; call secrets.get right before using it',
  user_mismatch: 'the reference points to another user\'s secret',
  not_found: 'the secret behind the reference no longer exists (deleted or expired)',
};

export const resolveFailure = (code: ResolveFailureCode, detail?: string): ResolveFailure => ({
  _tag: 'ResolveFailure',
  code,
  message: detail === undefined ? MESSAGES[code] : `${MESSAGES[code]} (${detail})`,
});

/** Key ids are restricted so that the wire form splits unambiguously on dots. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Finds every well-formed reference inside a text. Use with matchAll or replace. */
export const REFERENCE_IN_TEXT = /\$secret:v1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]+/g;

// REFERENCE_IN_TEXT, sticky, tried at one position (no match array is allocated).
const REFERENCE_AT = new RegExp(REFERENCE_IN_TEXT.source, 'y');

/** End (exclusive) of the well-formed reference starting exactly at `start`, or -1 if none starts there. */
export const referenceEndAt = (text: string, start: number): number => {
  REFERENCE_AT.lastIndex = start;
  return REFERENCE_AT.test(text) ? REFERENCE_AT.lastIndex : -1;
};

// ---------------------------------------------------------------------------------------------
// codecs

const ClaimsWireC = t.type({
  w: t.string,
  s: ScopeC,
  o: t.string,
  n: t.string,
  e: t.number,
});

export const encodeClaims = (c: ReferenceClaims): Uint8Array =>
  utf8Encode(
    JSON.stringify({ w: c.identity.workspaceId, s: c.identity.scope, o: c.identity.ownerId, n: c.identity.name, e: c.expiresAt }),
  );

export const decodeClaims = (bytes: Uint8Array): E.Either<ResolveFailure, ReferenceClaims> => {
  const text = utf8Decode(bytes);
  const json = text === undefined ? undefined : parseJson(text);
  const r = ClaimsWireC.decode(json);
  if (E.isLeft(r)) return E.left(resolveFailure('tampered'));
  const w = r.right;
  return E.right({ identity: Object.freeze({ workspaceId: w.w, scope: w.s, ownerId: w.o, name: w.n }), expiresAt: w.e });
};

/** The associated data that binds a reference to its key id, workspace, run and public tags. */
export const referenceAad = (kid: string, workspaceId: string, correlationId: string, workspaceTag: Uint8Array, runTag: Uint8Array): Uint8Array =>
  concatBytes(utf8Encode(JSON.stringify(['secretref/ref/v1', kid, workspaceId, correlationId])), workspaceTag, runTag);

/** Writes the wire form. */
export const formatReference = (p: ReferenceParts): string =>
  `${REFERENCE_PREFIX}${REFERENCE_VERSION}.${p.kid}.${base64urlEncode(concatBytes(p.workspaceTag, p.runTag, p.nonce, p.sealed))}`;

/** Splits the wire form; anything not exactly of that shape is `malformed`. */
export const parseReference = (text: string): E.Either<ResolveFailure, ReferenceParts> => {
  if (!text.startsWith(REFERENCE_PREFIX)) return E.left(resolveFailure('malformed'));
  const parts = text.slice(REFERENCE_PREFIX.length).split('.');
  if (parts.length !== 3 || parts[0] !== REFERENCE_VERSION) return E.left(resolveFailure('malformed'));
  const kid = parts[1]!;
  if (!KID_PATTERN.test(kid)) return E.left(resolveFailure('malformed'));
  const bytes = base64urlDecode(parts[2]!);
  const head = 2 * TAG_BYTES + NONCE_BYTES;
  if (!bytes || bytes.length < head + GCM_TAG_BYTES + 1) return E.left(resolveFailure('tampered'));
  return E.right({
    kid,
    workspaceTag: bytes.subarray(0, TAG_BYTES),
    runTag: bytes.subarray(TAG_BYTES, 2 * TAG_BYTES),
    nonce: bytes.subarray(2 * TAG_BYTES, head),
    sealed: bytes.subarray(head),
  });
};

/** True if the text contains anything that looks like a reference, well-formed or not. */
export const containsReferenceMarker = (text: string): boolean => text.includes(REFERENCE_PREFIX);
