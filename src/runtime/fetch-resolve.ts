// Resolution inside fetch: every reference of the request resolved through the run's resolver, masked, audited, substituted — or the request stops, fail closed.
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage, type SecretsError } from '../core/errors.ts';
import type { JsonValue } from '../core/json-value.ts';
import type { ResolveFailure } from '../core/reference.ts';
import { REFERENCE_PREFIX } from '../core/reference.ts';
import { valueAsText } from '../core/request-fields.ts';
import { distinctReferences, leftoverMarker, scanRequest, type RequestParts } from '../core/request-resolution.ts';
import { substituteRequest } from '../core/request-substitution.ts';
import type { Scope } from '../core/scope.ts';
import { hostFromReference, markerInWrittenAuthority, substituteUrl, urlForms } from '../core/url-text.ts';
import { EVENT } from './events.ts';
import { InstructionError } from './instruction-error.ts';
import type { ReferenceResolver, ResolutionFailure } from './reference-resolver.ts';
import type { RunEnv } from './run-env.ts';

/** A secret the request carries, and where it may go. */
export interface CarriedSecret {
  readonly name: string;
  readonly scope: Scope;
  readonly allowedHosts: readonly string[] | null;
}

export interface ResolvedRequest {
  /** The request with every reference replaced. */
  readonly request: RequestParts;
  readonly secrets: readonly CarriedSecret[];
  /** The resolved values (each distinct reference once). */
  readonly values: readonly JsonValue[];
  /** Which fields held references: decides which derived strings are masked. */
  readonly secretIn: { readonly url: boolean; readonly query: boolean; readonly body: boolean };
  /** The URL starts with a reference, so its host comes from a secret value: never named in events, logs or errors. */
  readonly secretHost: boolean;
}

/** The audit record of one reference (`runtime.secrets.resolved`); never a value. */
export interface ResolutionAudit {
  readonly name: string | null;
  readonly scope: Scope | null;
  readonly outcome: string;
  readonly host: string | null;
}

const safeUrl = (text: string): URL | null => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
};

/** The URL once its own references are known, built as the request's will be (null while any is missing or it does not parse). */
const urlOf = (url: string, values: ReadonlyMap<string, JsonValue>): URL | null => {
  const text = substituteUrl(url, (reference) => {
    const v = values.get(reference);
    return v === undefined ? undefined : valueAsText(v);
  });
  return E.isRight(text) ? safeUrl(text.right) : null;
};


/** How a message names a destination: its host, or this phrase when the host came from a secret value. */
export const SECRET_HOST = "the secret URL's host";

/** The host as messages name it. */
export const hostLabel = (url: URL, secretHost: boolean): string => (secretHost ? SECRET_HOST : url.hostname);

/** The host as audit events, logs and error details record it: null when it came from a secret value. */
export const reportedHost = (url: URL | null, secretHost: boolean): string | null => (secretHost || url === null ? null : url.hostname);

/**
 * May a secret with this allow-list go to `url`? Without an allow-list, anywhere; with one, only over
 * https, to the default port, of a listed host.
 */
export const allowedDestination = (s: CarriedSecret, url: URL | null): boolean =>
  s.allowedHosts === null || (url !== null && url.protocol === 'https:' && url.port === '' && s.allowedHosts.includes(url.hostname));

/** Why a reference with text written right after it fails as `tampered`: the text is read as part of it. */
const ADJACENT_TEXT_HINT =
  'a reference ends at the first character outside A-Z a-z 0-9 _ -, so text written right after it is read as part of it; put a separator after it';

/** `reference_<code>` for the request field `at` (e.g. `headers.Authorization`); `opened` says whether a reference was there to open. */
const referenceError = (path: string, at: string, opened: boolean, code: string, reason: string, name: string | undefined): InstructionError => {
  const field = `${path}.fetch.${at}`;
  const what = name === undefined ? `the secret reference in ${field}` : `secret "${name}" (referenced in ${field})`;
  const unnamed = name === undefined && opened ? ' (the reference does not open, so the secret cannot be named)' : '';
  const hint = opened && code === 'tampered' ? `; ${ADJACENT_TEXT_HINT}` : '';
  return new InstructionError(
    `reference_${code}`,
    `${what} did not resolve (${code}): ${reason}${unnamed}${hint}; the request was not sent`,
    path,
    { field, reason: code, ...(name === undefined ? {} : { secret: name }) },
  );
};

/** The failure's own message without the service's trailing `(secret "NAME")`, which the error states once itself. */
const reasonOf = (e: ResolveFailure | SecretsError): string => (e._tag === 'ResolveFailure' ? e.message.replace(/ \(secret ".*"\)$/, '') : errorMessage(e));

/**
 * Resolves every reference of `written` (each distinct one once, concurrently), registers each value with
 * the masks before anything is built, audits each outcome, and substitutes. Throws `reference_<reason>`
 * for the first failing reference in walk order, `reference_malformed` for `$secret:` text that is not a
 * reference, `reference_unresolved` for `$secret:` text left after substitution, and `host_not_allowed`
 * when a secret's allow-list excludes the URL's host. Nothing is sent in any of these cases.
 */
export const resolveRequest = async (written: RequestParts, env: RunEnv, resolver: ReferenceResolver, path: string): Promise<ResolvedRequest> => {
  // A reference in the host or credentials would put the value into DNS, logs and audit hosts.
  if (markerInWrittenAuthority(written.url))
    throw referenceError(path, 'url', false, 'in_url_authority', 'a secret cannot be part of the URL\'s host or credentials (put it in a header, the query or the body)', undefined);
  // Header names are named in errors and logs; a secret there could not be kept out of them.
  if (written.headers.some(([name]) => name.includes(REFERENCE_PREFIX)))
    throw referenceError(path, 'headers', false, 'in_header_name', 'a secret cannot be a header name', undefined);
  const scan = scanRequest(written);
  if (scan.stray !== undefined)
    throw referenceError(path, scan.stray, false, 'malformed', 'this $secret: text is not a well-formed reference', undefined);
  if (scan.sites.length === 0) return { request: written, secrets: [], values: [], secretIn: { url: false, query: false, body: false }, secretHost: false };

  const refs = distinctReferences(scan.sites);
  const outcomes = await Promise.all(refs.map((r) => resolver.resolve(r.reference)));

  const inUrl = new Set(scan.sites.filter((s) => s.part === 'url').map((s) => s.reference));
  const values = new Map<string, JsonValue>();
  const secrets: CarriedSecret[] = [];
  outcomes.forEach((o, i) => {
    if (E.isLeft(o)) return;
    const reference = refs[i]!.reference;
    env.masks.addSecret(o.right.value);
    // The percent-encoded form placed in the URL, whatever the mask set derives from the value itself.
    if (inUrl.has(reference)) for (const form of urlForms(valueAsText(o.right.value))) env.masks.addExact(form);
    values.set(reference, o.right.value);
    secrets.push({ name: o.right.identity.name, scope: o.right.identity.scope, allowedHosts: o.right.allowedHosts });
  });

  const destination = urlOf(written.url, values);
  const secretHost = hostFromReference(written.url);
  if (secretHost && destination !== null && destination.hostname !== '') env.masks.addExact(destination.hostname);
  const host = reportedHost(destination, secretHost);
  const refused = (s: CarriedSecret) => !allowedDestination(s, destination);
  const audit = (a: ResolutionAudit) => env.output.emit(EVENT.secretResolved, a);
  outcomes.forEach((o) => {
    if (E.isRight(o)) {
      const { name, scope } = o.right.identity;
      audit({ name, scope, outcome: refused({ name, scope, allowedHosts: o.right.allowedHosts }) ? 'host_not_allowed' : 'resolved', host });
    } else audit({ name: o.left.name ?? null, scope: o.left.scope ?? null, outcome: o.left.error.code, host });
  });

  const failed = outcomes.findIndex(E.isLeft);
  if (failed >= 0) {
    const f = (outcomes[failed] as E.Left<ResolutionFailure>).left;
    throw referenceError(path, refs[failed]!.field, true, f.error.code, reasonOf(f.error), f.name);
  }

  const substituted = substituteRequest(written, values, scan.spans);
  if (E.isLeft(substituted)) {
    const f = substituted.left;
    if (f._tag === 'UrlAuthority')
      throw referenceError(path, 'url', false, 'in_url_authority', 'a secret cannot be part of the URL\'s host or credentials: a whole-URL secret is followed by another reference before any path (add a "/" after it)', undefined);
    if (f._tag === 'UrlDotSegment')
      throw referenceError(path, 'url', false, 'in_url_dot_segment', 'a secret placed in the URL path cannot make a "." or ".." segment (it would change the path)', undefined);
    throw referenceError(path, f.field, false, 'unresolved', 'no value was resolved for this reference', undefined);
  }
  const left = leftoverMarker(substituted.right);
  if (left !== undefined)
    throw referenceError(path, left, false, 'unresolved', '$secret: text is left in the request after resolution', undefined);

  const blocked = secrets.find(refused);
  if (blocked !== undefined) throw hostNotAllowed(path, blocked, destination, secretHost);

  const parts = new Set(scan.sites.map((s) => s.part));
  return {
    request: substituted.right,
    secrets,
    values: [...values.values()],
    secretIn: { url: parts.has('url'), query: parts.has('query'), body: parts.has('body') },
    secretHost,
  };
};

/**
 * `host_not_allowed` for a secret whose allow-list does not admit the destination. With `secretHost` (the host
 * came from a secret value) neither the host nor the allow-list (which may list that very host) is named.
 */
export const hostNotAllowed = (path: string, s: CarriedSecret, url: URL | null, secretHost: boolean): InstructionError => {
  const where =
    url === null ? 'this URL' : secretHost ? SECRET_HOST : url.protocol === 'https:' && url.port === '' ? url.hostname : `${url.protocol}//${url.host}`;
  const listed = secretHost ? '' : ` (${s.allowedHosts?.join(', ') ?? ''})`;
  return new InstructionError(
    'host_not_allowed',
    `secret "${s.name}" may only be sent over https to its allowed hosts${listed}; ${where} is not one of them; the request was not sent`,
    path,
    { secret: s.name, host: reportedHost(url, secretHost) },
  );
};

/** The first carried secret that may not go to `url`, if any. */
export const firstRefused = (secrets: readonly CarriedSecret[], url: URL): CarriedSecret | undefined =>
  secrets.find((s) => !allowedDestination(s, url));
