// Independent oracles and arbitraries for the redactor specs: encodings built with Node's own codecs, a naive masker, secrets and split points.
import fc from 'fast-check';
import { REDACTED, type Utf8StreamDecoder } from '../../src/core/redactor.ts';

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const METACHARS = [...'"\\/\'.*+?^$|()[]{}<>&%#=;:,! \t\n\r\u0000\u001f\u007f\u2028\u2029'];

/** One character: any code point, printable ASCII, a JSON/regex/HTML/URL metacharacter or, rarely, a lone surrogate. */
export const charArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...METACHARS) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '€', '日', '😀', '\u0301') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

/** A secret value of 8 to 64 code points (two generated lone surrogates may pair up into one). */
export const secretArb: fc.Arbitrary<string> = fc.string({ unit: charArb, minLength: 8, maxLength: 64 }).filter((s) => [...s].length >= 8);

/** A short secret value: 4 to 7 code points, masked inside text like a long one (over-masking accepted). */
export const shortSecretArb: fc.Arbitrary<string> = fc
  .string({ unit: charArb, minLength: 4, maxLength: 7 })
  .filter((s) => [...s].length >= 4 && [...s].length <= 7);

/** A tiny secret value: 1 to 3 code points, masked only where a whole string equals it. */
export const tinySecretArb: fc.Arbitrary<string> = fc.string({ unit: charArb, minLength: 1, maxLength: 3 }).filter((s) => [...s].length <= 3);

/** Any secret masked inside text: long, or (a third of the time) short. */
export const textSecretArb: fc.Arbitrary<string> = fc.oneof({ weight: 2, arbitrary: secretArb }, { weight: 1, arbitrary: shortSecretArb });

/** Random surrounding text. */
export const textArb: fc.Arbitrary<string> = fc.string({ unit: charArb, maxLength: 80 });

/** A log-like line around an insertion point. */
export const contextArb: fc.Arbitrary<readonly [string, string]> = fc.tuple(textArb, textArb);

/** Sorted distinct cut points strictly inside [0, length]. */
export const cutsArb = (length: number): fc.Arbitrary<number[]> =>
  length < 2
    ? fc.constant([])
    : fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: Math.min(length - 1, 24) }).map((xs) => [...xs].sort((a, b) => a - b));

/** Draws one value from an arbitrary, reproducibly. */
export const sampleOf = <A>(arb: fc.Arbitrary<A>, seed: number): A => fc.sample(arb, { seed, numRuns: 1 })[0]!;

// ---------------------------------------------------------------------------
// The length rule and the leaves of a value, modelled independently
// ---------------------------------------------------------------------------

/** Whether a value (a string, or a leaf's text) is masked inside text: 4 code points or more, lone surrogates counting one each. */
export const masksInText = (text: string): boolean => [...text].length >= 4;

/** Whether a value is masked only where a whole string equals it: 1 to 3 code points. */
export const masksStructurally = (text: string): boolean => text.length > 0 && [...text].length < 4;

/**
 * The leaves of an object secret that must each be masked on their own, as the text an echo would show:
 * strings as they are, numbers and bigints of 4 characters or more as String() writes them; booleans and null
 * are not secrets.
 */
export const oracleLeaves = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  // a number leaf under 4 characters (a port, a count) is configuration, not masked anywhere
  if (typeof value === 'number' || typeof value === 'bigint') return `${value}`.length >= 4 ? [`${value}`] : [];
  if (Array.isArray(value)) return value.flatMap(oracleLeaves);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(oracleLeaves);
  return [];
};

// ---------------------------------------------------------------------------
// Oracle encodings, built with Node's codecs
// ---------------------------------------------------------------------------

/** The string as UTF-8 would carry it: lone surrogates become U+FFFD. */
export const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** JSON.stringify's escapes with every non-ASCII unit as \uXXXX too; upper-case hex in every \u escape if asked. */
const escapeNonAscii = (json: string, upper: boolean): string => {
  const ascii = json.replace(/[^\u0000-\u007f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return upper ? ascii.replace(/\\(?:u[0-9a-f]{4}|[^u])/g, (m) => (m.length === 6 ? '\\u' + m.slice(2).toUpperCase() : m)) : ascii;
};

export const simpleHtmlEscape = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** The encodings of a value a remote service may echo, each as it would appear when the value is encoded alone. */
export const oracleForms = (value: string): Record<string, string> => {
  const json = JSON.stringify(value).slice(1, -1);
  const bytes = Buffer.from(value, 'utf8');
  const b64 = bytes.toString('base64');
  return {
    raw: value,
    json,
    jsonSlash: json.replaceAll('/', '\\/'),
    jsonAsciiLower: escapeNonAscii(json, false),
    jsonAsciiUpper: escapeNonAscii(json, true),
    jsonInJson: JSON.stringify(json).slice(1, -1),
    uriComponent: encodeURIComponent(wellFormed(value)),
    uriComponentLower: encodeURIComponent(wellFormed(value)).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    form: new URLSearchParams({ k: value }).toString().slice(2),
    base64: b64,
    base64Unpadded: b64.replace(/=+$/, ''),
    base64url: bytes.toString('base64url'),
    hex: bytes.toString('hex'),
    hexUpper: bytes.toString('hex').toUpperCase(),
    html: simpleHtmlEscape(value),
    htmlDecimal: [...value].map((c) => `&#${c.codePointAt(0)};`).join(''),
  };
};

/**
 * A value's bytes inside a larger base64 blob: the blob's encoding, and the characters of it that depend only on
 * the value's bytes (6-bit groups wholly inside them).
 */
export const base64Blob = (value: string, prefix: Uint8Array, suffix: Uint8Array, url: boolean): { blob: string; middle: string } => {
  const bytes = Buffer.from(value, 'utf8');
  const blob = Buffer.concat([prefix, bytes, suffix]).toString(url ? 'base64url' : 'base64');
  const firstBit = prefix.length * 8;
  const endBit = firstBit + bytes.length * 8;
  const middle = blob.slice(Math.ceil(firstBit / 6), Math.floor(endBit / 6));
  return { blob, middle };
};

// ---------------------------------------------------------------------------
// Naive masker and output inspection
// ---------------------------------------------------------------------------

/** Masks the union of every occurrence of every pattern, one token per run of masked characters. */
export const naiveRedact = (text: string, patterns: Iterable<string>): string => {
  const masked = new Uint8Array(text.length);
  for (const p of patterns) {
    if (p.length === 0) continue;
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) masked.fill(1, i, i + p.length);
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (masked[i] === 0) out += text[i];
    else if (i === 0 || masked[i - 1] === 0) out += REDACTED;
  }
  return out;
};

/** The parts of a redacted output that are not the token: what a reader of the output actually learns. */
export const unmaskedPieces = (output: string): string[] => output.split(REDACTED);

/** Splits bytes at the given sorted cut points. */
export const chunksAt = (bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
};

/** The decoder port a Node or browser runtime passes: TextDecoder in stream mode. */
export const textDecoderPort = (): Utf8StreamDecoder => {
  const d = new TextDecoder('utf-8', { fatal: false });
  return { decode: (bytes) => d.decode(bytes, { stream: true }), flush: () => d.decode() };
};
