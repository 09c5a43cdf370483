// The redactor every output crosses: masks each registered secret and its encodings with one constant token, in one pass, on text, JSON-like values and byte streams.
//
// API
//   createRedactor(options?): Redactor
//     options.decoder      a streaming UTF-8 decoder factory for stream(); the default is a pure one (redact-utf8.ts,
//                          about 0.3-0.6 GB/s); a runtime can pass TextDecoder({ fatal: false }) in stream mode,
//                          which decodes the same (WHATWG) and several times faster.
//     addSecret(value)     registers a resolved or set value and every form encodedForms() derives from it.
//                          Strings as they are; numbers and bigints as their String() text; objects and arrays
//                          as their JSON text (compact and 2-space indented) plus each string leaf and each
//                          number or bigint leaf of 4 characters or more (as its String() text), each by the same
//                          rules as a value on its own. Booleans, null, empty strings and shorter number leaves
//                          (a port, a count: masking every 443 or 3 would destroy outputs) register nothing.
//     addExact(text)       registers a string the runtime derived itself (a Basic header, an encoded query), as is.
//     redactText(text)     every occurrence of any registered pattern -> REDACTED.
//     redactStructured(v)  deep copy of a JSON-like value with every string and key redacted as text, and every
//                          string (or number) exactly equal to a value under MIN_TEXT_MASK_LENGTH or one of its
//                          exactForms() -> REDACTED.
//     stream()             bytes (or text) in, redacted text out; see redact-stream.ts.
//   safeRedact(redactor, value)  a string through redactText, anything else through redactStructured.
//
// Semantics
//   - Matching is one pass over the text (redact-index.ts) whose work per character depends on the shortest
//     pattern of 8 code units or more, not on the number of patterns, plus one native RegExp pass over the
//     shorter patterns (redact-short.ts; there are none unless a value is under 8 code points); docs/benchmarks.md.
//   - The masked text is the union of all occurrences of all patterns; overlapping or adjacent occurrences make
//     one region, so the longest match always wins. Each region becomes REDACTED, whatever its length.
//   - Lengths count code points of the value (a leaf, an addExact string), not of its encoded forms:
//     * MIN_TEXT_MASK_LENGTH = 4 and up: the value and its encodings are masked everywhere in text. Values under
//       MIN_SECRET_LENGTH = 8 over-mask: an unrelated occurrence of a 5-character secret is masked too, which is
//       the safe failure. Their patterns under 8 code units are found apart from the q-gram index but merged
//       with its matches, so the union and longest-match semantics are the same for every pattern.
//     * 1 to 3 code points: masking them inside text would destroy every log, so add* reports them `short` and
//       they are masked only where a whole string (or number) equals the value or one of its whole encodings
//       (structural masking); the runtime warns at set.
//     * Empty strings, booleans and null are never masked (they would replace every "", true and null).
//   - Fail closed: redactText, redactStructured, the stream and safeRedact never throw; on any internal
//     failure (say, a getter that throws) their whole output is REDACTED instead.
//   - Not covered: encodings split by line wrapping (MIME base64), mixed escaping within one value (some
//     characters as entities, others raw), case-folded or truncated copies, other nested encodings.
import { encodedForms, exactForms } from './encodings.ts';
import { Q, createPatternIndex } from './redact-index.ts';
import { createRedactionStream, type RedactionStream } from './redact-stream.ts';
import { utf8StreamDecoder, type Utf8StreamDecoder } from './redact-utf8.ts';

export type { RedactionStream } from './redact-stream.ts';
export type { Utf8StreamDecoder } from './redact-utf8.ts';

export interface RedactorOptions {
  /** Makes the UTF-8 decoder of each stream; it must decode as the WHATWG decoder with replacement does. */
  readonly decoder?: () => Utf8StreamDecoder;
}

/** The one replacement token; it reveals neither the length nor any part of what it replaces. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this many code points are masked only structurally (see the module comment). */
export const MIN_TEXT_MASK_LENGTH = 4;

/** The recommended minimum, in code points: shorter values are masked in text too, but over-mask unrelated text. */
export const MIN_SECRET_LENGTH = 8;

export interface AddResult {
  /** The value as a whole is shorter than MIN_TEXT_MASK_LENGTH (or not registrable): masked only where a whole string equals it. */
  readonly short: boolean;
  /** Non-empty string leaves of an object or array value under MIN_TEXT_MASK_LENGTH, hence masked only structurally. */
  readonly shortLeaves: number;
}

export interface Redactor {
  /** Registers a secret value and all its encodings. */
  readonly addSecret: (value: unknown) => AddResult;
  /** Registers an exact string derived from secrets; no encodings are added. */
  readonly addExact: (text: string) => AddResult;
  readonly redactText: (text: string) => string;
  /** A deep copy of a JSON-like value with every string and object key redacted. */
  readonly redactStructured: (value: unknown) => unknown;
  readonly stream: () => RedactionStream;
  /** Number of distinct text patterns registered. */
  readonly size: number;
}

const codePoints = (s: string): number => {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
};

const structuralOnly = (s: string): boolean => codePoints(s) < MIN_TEXT_MASK_LENGTH;

/**
 * The string leaves of a value, and its number and bigint leaves of MIN_TEXT_MASK_LENGTH characters or more, as
 * text (String()), each object visited once. A shorter number leaf (a port's 443, a count's 3) is configuration
 * beside the secret; masking every such number in every output would destroy them, so it is left out.
 */
const textLeaves = (value: unknown, out: string[], seen: Set<object>): void => {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value);
    if (text.length >= MIN_TEXT_MASK_LENGTH) out.push(text);
  }
  else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) textLeaves(v, out, seen);
  }
};

const tryStringify = (value: unknown, indent?: number): string | undefined => {
  try {
    const s: unknown = JSON.stringify(value, null, indent);
    return typeof s === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
};

const isBinary = (v: object): v is ArrayBufferView | ArrayBuffer => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;

const toBytes = (v: ArrayBufferView | ArrayBuffer): Uint8Array =>
  v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export const createRedactor = (options: RedactorOptions = {}): Redactor => {
  const makeDecoder = options.decoder ?? utf8StreamDecoder;
  const index = createPatternIndex();
  const exact = new Set<string>();

  /** Texts already registered (with or without encodings) and whether they were structural-only: a value resolved again costs a lookup. */
  const registeredEncoded = new Map<string, boolean>();
  const registeredExact = new Map<string, boolean>();
  const registerText = (text: string, withEncodings: boolean): boolean => {
    const registered = withEncodings ? registeredEncoded : registeredExact;
    const known = registered.get(text);
    if (known !== undefined) return known;
    const short = registerNew(text, withEncodings);
    registered.set(text, short);
    return short;
  };

  /** Texts under MIN_TEXT_MASK_LENGTH go to the structural set; others to the index (which keeps forms under 8 units out of its q-gram tables). */
  const registerNew = (text: string, withEncodings: boolean): boolean => {
    if (structuralOnly(text)) {
      if (text.length > 0) for (const f of withEncodings ? exactForms(text) : [text]) exact.add(f);
      return true;
    }
    // a form too short for text matching (none is, from 4 code points up) is still masked structurally
    for (const f of withEncodings ? encodedForms(text) : [text]) if (f.length < Q) exact.add(f); else index.add(f);
    return false;
  };

  const register = (value: unknown): AddResult => {
    if (typeof value === 'string') return { short: registerText(value, true), shortLeaves: 0 };
    if (typeof value === 'number' || typeof value === 'bigint') return { short: registerText(String(value), true), shortLeaves: 0 };
    if (typeof value !== 'object' || value === null) return { short: true, shortLeaves: 0 };
    const compact = tryStringify(value);
    const short = compact === undefined || registerText(compact, true);
    const pretty = tryStringify(value, 2);
    if (pretty !== undefined && pretty !== compact) registerText(pretty, true);
    const leaves: string[] = [];
    textLeaves(value, leaves, new Set());
    let shortLeaves = 0;
    for (const leaf of leaves) if (registerText(leaf, true) && leaf.length > 0) shortLeaves++;
    return { short, shortLeaves };
  };

  /** Never throws: a value that cannot be walked (a throwing getter) keeps what was registered and reports short. */
  const addSecret = (value: unknown): AddResult => {
    try {
      return register(value);
    } catch {
      return { short: true, shortLeaves: 0 };
    }
  };

  const addExact = (text: string): AddResult =>
    typeof text === 'string' ? { short: registerText(text, false), shortLeaves: 0 } : { short: true, shortLeaves: 0 };

  const maskText = (text: string): string => {
    if (typeof text !== 'string') throw new TypeError('redactText takes a string');
    const regions = index.regions(text);
    if (regions.length === 0) return text;
    let out = '';
    let pos = 0;
    for (let i = 0; i < regions.length; i += 2) {
      out += text.slice(pos, regions[i]!) + REDACTED;
      pos = regions[i + 1]!;
    }
    return out + text.slice(pos);
  };

  const maskString = (s: string): string => (exact.has(s) ? REDACTED : maskText(s));

  const walk = (v: unknown, ancestors: Set<object>): unknown => {
    if (typeof v === 'string') return maskString(v);
    if (typeof v === 'number') {
      const m = maskString(String(v));
      return m === String(v) ? v : m;
    }
    if (typeof v === 'bigint') return maskString(String(v));
    if (typeof v !== 'object' || v === null) return typeof v === 'boolean' || v === null || v === undefined ? v : undefined;
    if (ancestors.has(v)) return '[Circular]';
    if (isBinary(v)) {
      const d = utf8StreamDecoder();
      return maskString(d.decode(toBytes(v)) + d.flush());
    }
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => walk(x, ancestors));
      if (v instanceof Map) return [...v.entries()].map(([k, x]) => [walk(k, ancestors), walk(x, ancestors)]);
      if (v instanceof Set) return [...v].map((x) => walk(x, ancestors));
      const rec = v as Record<string, unknown> & { toJSON?: unknown };
      if (typeof rec.toJSON === 'function') return walk((rec.toJSON as () => unknown)(), ancestors);
      const out: Record<string, unknown> = {};
      const put = (key: string, x: unknown): void => {
        let k = maskString(key);
        for (let n = 2; Object.prototype.hasOwnProperty.call(out, k); n++) k = `${maskString(key)}#${n}`;
        // defined, not assigned: a "__proto__" key stays a key
        Object.defineProperty(out, k, { value: walk(x, ancestors), enumerable: true, writable: true, configurable: true });
      };
      if (v instanceof Error) {
        put('name', v.name);
        put('message', v.message);
        if (v.stack !== undefined) put('stack', v.stack);
        if (v.cause !== undefined) put('cause', v.cause);
      }
      for (const key of Object.keys(v)) put(key, rec[key]);
      return out;
    } finally {
      ancestors.delete(v);
    }
  };

  const failClosed =
    <A, B>(f: (a: A) => B) =>
    (a: A): B | typeof REDACTED => {
      try {
        return f(a);
      } catch {
        return REDACTED;
      }
    };

  return {
    addSecret,
    addExact,
    redactText: failClosed(maskText),
    redactStructured: failClosed((v: unknown) => walk(v, new Set())),
    stream: () => createRedactionStream(index, REDACTED, makeDecoder()),
    get size() {
      return index.size();
    },
  };
};

/** A string through redactText, anything else through redactStructured; REDACTED if anything fails. */
export const safeRedact = (redactor: Redactor, value: unknown): unknown => {
  try {
    return typeof value === 'string' ? redactor.redactText(value) : redactor.redactStructured(value);
  } catch {
    return REDACTED;
  }
};
