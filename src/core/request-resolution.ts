// Request resolution, pure: the parts of a fetch request, every `$secret:` reference in it as written, and what is left after substitution (request-substitution.ts).
import type { JsonValue } from './json-value.ts';
import { REFERENCE_IN_TEXT, REFERENCE_PREFIX, referenceEndAt } from './reference.ts';
import { child, fieldAt, render, valueAsText, type Field } from './request-fields.ts';

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
