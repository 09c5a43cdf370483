// Request substitution, pure: every reference of a fetch request replaced by its value, typed where a field is exactly one reference.
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from './json-value.ts';
import { REFERENCE_PREFIX, referenceEndAt } from './reference.ts';
import { child, fieldAt, valueAsText, type Field } from './request-fields.ts';
import type { AuthParts, ReferenceSpan, RequestParts, RequestScan } from './request-resolution.ts';
import { substituteUrl, type UrlAuthority, type UrlDotSegment } from './url-text.ts';

/** Where the reference starting at `start` ends, or -1 (reference.ts). */
const referenceEnd = referenceEndAt;

/** A reference the substitution found no value for. */
export interface MissingValue {
  readonly _tag: 'MissingValue';
  readonly reference: string;
  readonly field: string;
}

export type SubstitutionError = MissingValue | UrlAuthority | UrlDotSegment;

type Lookup = (reference: string, parent: Field, key: string | number | undefined) => JsonValue;

/** What a substitution needs: the value of a reference, and where the references of a text are. */
interface Substitution {
  readonly value: Lookup;
  readonly find: (text: string) => readonly ReferenceSpan[];
}

const NO_SPANS: readonly ReferenceSpan[] = [];

/** The well-formed references of a text, in order (`$secret:` text that is not one is skipped). */
const findSpans = (text: string): readonly ReferenceSpan[] => {
  let at = text.indexOf(REFERENCE_PREFIX);
  if (at < 0) return NO_SPANS;
  const out: ReferenceSpan[] = [];
  while (at >= 0) {
    const end = referenceEnd(text, at);
    if (end < 0) at = text.indexOf(REFERENCE_PREFIX, at + 1);
    else {
      out.push({ at, end, reference: text.slice(at, end) });
      at = text.indexOf(REFERENCE_PREFIX, end);
    }
  }
  return out;
};

/** References inside text become text; text without any is returned as is. */
const textOf = (text: string, parent: Field, key: string | number | undefined, sub: Substitution, spans = sub.find(text)): string => {
  if (spans.length === 0) return text;
  let out = '';
  let done = 0;
  for (const s of spans) {
    out += text.slice(done, s.at) + valueAsText(sub.value(s.reference, parent, key));
    done = s.end;
  }
  return out + text.slice(done);
};

/** A string that is exactly one reference becomes the value with its type; references inside longer text become text. */
const typedOf = (text: string, parent: Field, key: string | number | undefined, sub: Substitution): JsonValue => {
  const spans = sub.find(text);
  const only = spans.length === 1 ? spans[0]! : undefined;
  return only !== undefined && only.at === 0 && only.end === text.length ? sub.value(only.reference, parent, key) : textOf(text, parent, key, sub, spans);
};

/** Substitutes inside a JSON value; a subtree without references comes back as the same object. */
const jsonOf = (value: JsonValue, parent: Field, key: string | number | undefined, sub: Substitution): JsonValue => {
  if (typeof value === 'string') return typedOf(value, parent, key, sub);
  if (typeof value !== 'object' || value === null) return value;
  const here = child(parent, key);
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as JsonValue;
      const next = jsonOf(v, here, i, sub);
      if (next !== v) out ??= value.slice(0, i);
      out?.push(next);
    }
    return out ?? value;
  }
  const o = value as { readonly [k: string]: JsonValue };
  const keys = Object.keys(o);
  let out: Record<string, JsonValue> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const nk = textOf(k, here, k, sub);
    const nv = jsonOf(o[k]!, here, k, sub);
    if (out === undefined && (nk !== k || nv !== o[k])) {
      out = {};
      for (let j = 0; j < i; j++) put(out, keys[j]!, o[keys[j]!]!);
    }
    if (out !== undefined) put(out, nk, nv);
  }
  return out ?? value;
};

/** Sets an own enumerable property, `__proto__` included (never the prototype). */
const put = (o: Record<string, JsonValue>, k: string, v: JsonValue): void => {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
};

/** Maps entries, returning the same array when no entry changed. */
const mapEntries = <V>(entries: readonly (readonly [string, V])[], f: (e: readonly [string, V]) => readonly [string, V]): readonly (readonly [string, V])[] => {
  let out: (readonly [string, V])[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const n = f(e);
    if (out === undefined && (n[0] !== e[0] || n[1] !== e[1])) out = entries.slice(0, i);
    out?.push(n);
  }
  return out ?? entries;
};

const authOf = (a: AuthParts, sub: Substitution): AuthParts => {
  if (a.kind === 'basic')
    return { kind: 'basic', username: textOf(a.username, 'auth.basic', 'username', sub), password: textOf(a.password, 'auth.basic', 'password', sub) };
  const opt = (k: 'sessionToken' | 'region' | 'service') => {
    const v = a[k];
    return v === undefined ? {} : { [k]: textOf(v, 'auth.awsv4', k, sub) };
  };
  return {
    kind: 'awsv4',
    accessKeyId: textOf(a.accessKeyId, 'auth.awsv4', 'accessKeyId', sub),
    secretAccessKey: textOf(a.secretAccessKey, 'auth.awsv4', 'secretAccessKey', sub),
    ...opt('sessionToken'),
    ...opt('region'),
    ...opt('service'),
  };
};

/**
 * Replaces every reference with its value. The body and query values keep the type of a value
 * placed as a whole field; headers and auth are text (strings as is, other values as JSON); the url is
 * text encoded by where it sits (see substituteUrl). Total: a reference without a value is a Left naming it and
 * its field, as is a value that would make a dot segment of the URL path. `spans`, from scanRequest of the same
 * request, saves looking for the references again.
 */
export const substituteRequest = (
  req: RequestParts,
  values: ReadonlyMap<string, JsonValue>,
  spans?: RequestScan['spans'],
): E.Either<SubstitutionError, RequestParts> => {
  const url = substituteUrl(req.url, (reference) => {
    const v = values.get(reference);
    return v === undefined ? undefined : valueAsText(v);
  });
  if (E.isLeft(url)) return url;
  let missing: MissingValue | undefined;
  const sub: Substitution = {
    value: (reference, parent, key) => {
      const v = values.get(reference);
      if (v !== undefined) return v;
      missing ??= { _tag: 'MissingValue', reference, field: fieldAt(parent, key) };
      return null;
    },
    // the scan of this very request already knows where its references are
    find: spans === undefined ? findSpans : (text) => spans.get(text) ?? NO_SPANS,
  };
  const out: RequestParts = {
    url: url.right,
    method: req.method,
    headers: mapEntries(req.headers, ([n, v]) => [textOf(n, 'headers', n, sub), textOf(v, 'headers', n, sub)] as const),
    query: mapEntries(req.query, ([k, v]) => [textOf(k, 'query', k, sub), jsonOf(v, 'query', k, sub)] as const),
    body: req.body === undefined ? undefined : jsonOf(req.body, 'body', undefined, sub),
    auth: req.auth === undefined ? undefined : authOf(req.auth, sub),
  };
  return missing === undefined ? E.right(out) : E.left(missing);
};
