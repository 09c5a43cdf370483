// Request resolution, pure: find every `$secret:` reference in a fetch request as written, substitute resolved values, find what is left.
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from './json-value.ts';
import { REFERENCE_IN_TEXT, REFERENCE_PREFIX, referenceEndAt } from './reference.ts';
import { substituteUrl, type UrlAuthority, type UrlDotSegment } from './url-text.ts';

// ---------------------------------------------------------------------------------------------
// model

/** Basic credentials as text. */
export interface BasicAuthParts {
  readonly kind: 'basic';
  readonly username: string;
  readonly password: string;
}

/** AWS SigV4 credentials and scope as text; region and service may be inferred from the URL later. */
export interface AwsV4AuthParts {
  readonly kind: 'awsv4';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region?: string;
  readonly service?: string;
}

export type AuthParts = BasicAuthParts | AwsV4AuthParts;

/**
 * A fetch request after templating and type checks, references still in place (or, after
 * substitution, replaced). Header values and auth fields are text; query values and the body are JSON.
 */
export interface RequestParts {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly (readonly [name: string, value: string])[];
  readonly query: readonly (readonly [key: string, value: JsonValue])[];
  /** `undefined` when the request has no body. */
  readonly body: JsonValue | undefined;
  readonly auth: AuthParts | undefined;
}

/** The top-level part of a request a field belongs to. */
export type RequestPart = 'url' | 'headers' | 'query' | 'body' | 'auth';

/** One occurrence of a reference: the reference text and the field it sits in, e.g. `headers.Authorization`. */
export interface ReferenceSite {
  readonly reference: string;
  readonly field: string;
  readonly part: RequestPart;
}

/** What a scan of a request finds: every reference occurrence, and the first field holding `$secret:` text that is not a reference. */
export interface RequestScan {
  readonly sites: readonly ReferenceSite[];
  readonly stray: string | undefined;
  /** Where the references of each text that holds any are, for substituteRequest (it need not look again). */
  readonly spans: ReadonlyMap<string, readonly ReferenceSpan[]>;
}

/** One well-formed reference inside a text: [at, end) and the reference itself. */
export interface ReferenceSpan {
  readonly at: number;
  readonly end: number;
  readonly reference: string;
}

// ---------------------------------------------------------------------------------------------
// utils

const EXACT_REFERENCE = new RegExp(`^(?:${REFERENCE_IN_TEXT.source})$`);

/** True when the whole text is one well-formed reference (it then receives the value with its type). */
export const isExactReference = (text: string): boolean => EXACT_REFERENCE.test(text);

/** A resolved value placed inside text: strings as they are, anything else as JSON. */
export const valueAsText = (value: JsonValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
/** `parent.key` for plain keys, `parent["k y"]` otherwise. */
export const fieldPath = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : SIMPLE_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

/** A field path built lazily: only rendered when something is found there. */
type Field = string | { readonly parent: Field; readonly key: string | number };
const render = (f: Field): string => (typeof f === 'string' ? f : fieldPath(render(f.parent), f.key));
const child = (parent: Field, key: string | number | undefined): Field => (key === undefined ? parent : { parent, key });
const fieldAt = (parent: Field, key: string | number | undefined): string => render(child(parent, key));
const partOf = (f: Field): RequestPart => {
  let root = f;
  while (typeof root !== 'string') root = root.parent;
  return root.startsWith('auth') ? 'auth' : (root as RequestPart);
};

/** A site whose field path is rendered only when asked for (errors), not on every scan. */
class Site implements ReferenceSite {
  #field: string | undefined;
  constructor(
    readonly reference: string,
    private readonly at: Field,
    readonly part: RequestPart,
  ) {}
  get field(): string {
    return (this.#field ??= render(this.at));
  }
}

/** Where the reference starting at `start` ends, or -1 (reference.ts). */
const referenceEnd = referenceEndAt;

/** Sink for a walk over every string of a request: the text, and where it sits (a parent field and a key). */
type Visit = (text: string, parent: Field, key: string | number | undefined) => void;

const walkJson = (value: JsonValue, parent: Field, key: string | number | undefined, visit: Visit): void => {
  if (typeof value === 'string') visit(value, parent, key);
  else if (typeof value === 'object' && value !== null) {
    const here = child(parent, key);
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) walkJson(value[i] as JsonValue, here, i, visit);
    else {
      const o = value as { readonly [k: string]: JsonValue };
      for (const k of Object.keys(o)) {
        visit(k, here, k);
        walkJson(o[k]!, here, k, visit);
      }
    }
  }
};

const AWS_FIELDS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'region', 'service'] as const;

/** Visits url, header names and values, query keys and values, the body (keys and strings) and every auth field. */
const walkRequest = (req: RequestParts, visit: Visit): void => {
  visit(req.url, 'url', undefined);
  for (const [name, value] of req.headers) {
    visit(name, 'headers', name);
    visit(value, 'headers', name);
  }
  for (const [key, value] of req.query) {
    visit(key, 'query', key);
    walkJson(value, 'query', key, visit);
  }
  if (req.body !== undefined) walkJson(req.body, 'body', undefined, visit);
  const a = req.auth;
  if (a?.kind === 'basic') {
    visit(a.username, 'auth.basic', 'username');
    visit(a.password, 'auth.basic', 'password');
  } else if (a?.kind === 'awsv4')
    for (const k of AWS_FIELDS) {
      const v = a[k];
      if (v !== undefined) visit(v, 'auth.awsv4', k);
    }
};

// ---------------------------------------------------------------------------------------------
// scan

/** Every reference occurrence in walk order, and the first field with `$secret:` text that is not a well-formed reference. */
export const scanRequest = (req: RequestParts): RequestScan => {
  const sites: ReferenceSite[] = [];
  const spans = new Map<string, ReferenceSpan[]>();
  let stray: string | undefined;
  walkRequest(req, (text, parent, key) => {
    let at = text.indexOf(REFERENCE_PREFIX);
    if (at < 0) return;
    const field = child(parent, key);
    const part = partOf(field);
    const found: ReferenceSpan[] = [];
    while (at >= 0) {
      const end = referenceEnd(text, at);
      if (end < 0) {
        stray ??= render(field);
        at = text.indexOf(REFERENCE_PREFIX, at + 1);
      } else {
        const reference = text.slice(at, end);
        sites.push(new Site(reference, field, part));
        found.push({ at, end, reference });
        at = text.indexOf(REFERENCE_PREFIX, end);
      }
    }
    if (found.length > 0 && !spans.has(text)) spans.set(text, found);
  });
  return { sites, stray, spans };
};

/** The distinct references of a scan, each with the first field it appears in. */
export const distinctReferences = (sites: readonly ReferenceSite[]): readonly ReferenceSite[] => {
  const seen = new Map<string, ReferenceSite>();
  for (const s of sites) if (!seen.has(s.reference)) seen.set(s.reference, s);
  return [...seen.values()];
};

/** The first field that still holds `$secret:` text anywhere (after substitution this must be none). */
export const leftoverMarker = (req: RequestParts): string | undefined => {
  let field: string | undefined;
  walkRequest(req, (text, parent, key) => {
    if (field === undefined && text.includes(REFERENCE_PREFIX)) field = fieldAt(parent, key);
  });
  return field;
};

// ---------------------------------------------------------------------------------------------
// substitution

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

/** Query entries as text pairs: arrays become repeated keys, null is left out, objects become JSON. */
export const queryPairs = (query: RequestParts['query']): readonly (readonly [string, string])[] => {
  const out: (readonly [string, string])[] = [];
  const one = (k: string, v: JsonValue) => {
    if (v !== null) out.push([k, valueAsText(v)]);
  };
  for (const [k, v] of query) {
    if (Array.isArray(v)) for (const item of v as readonly JsonValue[]) one(k, item);
    else one(k, v);
  }
  return out;
};
