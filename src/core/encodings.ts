// Encoded forms of a secret value a remote service may echo back: JSON escapes, percent-encodings, base64 at every alignment, hex, HTML entities.
import { base64Encode, hexEncode, utf8Encode } from './bytes.ts';

// ---------------------------------------------------------------------------
// JSON string escapes
// ---------------------------------------------------------------------------

interface JsonMode {
  /** every code unit above 0x7f as \uXXXX (Python ensure_ascii, PHP json_encode) */
  readonly nonAscii?: boolean;
  /** every code unit as \uXXXX */
  readonly all?: boolean;
  /** upper-case hex digits in \u escapes */
  readonly upper?: boolean;
  /** '/' as '\/' (PHP) */
  readonly slash?: boolean;
  /** '<', '>', '&', U+2028, U+2029 as \u escapes (Go encoding/json) */
  readonly html?: boolean;
}

const hex4 = (c: number, upper: boolean): string => {
  const h = c.toString(16).padStart(4, '0');
  return '\\u' + (upper ? h.toUpperCase() : h);
};

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

const isLoneSurrogate = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = i > 0 ? s.charCodeAt(i - 1) : 0;
    return !(b >= 0xd800 && b <= 0xdbff);
  }
  return false;
};

const jsonEscape = (value: string, mode: JsonMode): string => {
  const upper = mode.upper === true;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (mode.all === true) out += hex4(c, upper);
    else if (SHORT_ESCAPES[c] !== undefined) out += SHORT_ESCAPES[c];
    else if (c < 0x20) out += hex4(c, upper);
    else if (c === 0x2f && mode.slash === true) out += '\\/';
    else if (mode.html === true && (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029)) out += hex4(c, upper);
    else if (c > 0x7f && mode.nonAscii === true) out += hex4(c, upper);
    else if (isLoneSurrogate(value, i)) out += hex4(c, upper);
    else out += value[i]!;
  }
  return out;
};

/** The JSON string escapes of a value, without the quotes. */
const jsonForms = (value: string): string[] => {
  const plain = JSON.stringify(value).slice(1, -1);
  return [
    plain,
    jsonEscape(value, { slash: true }),
    jsonEscape(value, { nonAscii: true }),
    jsonEscape(value, { nonAscii: true, upper: true }),
    jsonEscape(value, { nonAscii: true, slash: true }),
    jsonEscape(value, { nonAscii: true, slash: true, upper: true }),
    jsonEscape(value, { all: true }),
    jsonEscape(value, { all: true, upper: true }),
    jsonEscape(value, { html: true }),
    // a JSON document carried inside a JSON string (logs of logs)
    JSON.stringify(plain).slice(1, -1),
  ];
};

// ---------------------------------------------------------------------------
// Percent-encodings
// ---------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const safeTable = (safe: string): Uint8Array => {
  const t = new Uint8Array(128);
  for (const ch of ALNUM + safe) t[ch.charCodeAt(0)] = 1;
  return t;
};

const URI_COMPONENT = safeTable("-_.!~*'()"); // encodeURIComponent
const URI = safeTable("-_.!~*'();,/?:@&=+$#"); // encodeURI
const FORM = safeTable('*-._'); // URLSearchParams, application/x-www-form-urlencoded
const RFC3986 = safeTable('-._~'); // unreserved only (OAuth, Python quote(safe=''))
const RFC3986_PATH = safeTable('-._~/'); // Python quote() default
const WHATWG_PATH = safeTable("!$%&'()*+,-./:;=@[]^_|~"); // what `new URL` leaves raw in a path
const WHATWG_QUERY = safeTable('!$%&()*+,-./:;=?@[\\]^_`{|}~'); // what `new URL` leaves raw in a special URL's query

const percentEncode = (bytes: Uint8Array, safe: Uint8Array, plusForSpace: boolean, upper: boolean): string => {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = '';
  for (const b of bytes) {
    if (b < 128 && safe[b] === 1) out += String.fromCharCode(b);
    else if (b === 0x20 && plusForSpace) out += '+';
    else out += '%' + digits[b >> 4]! + digits[b & 15]!;
  }
  return out;
};

const percentForms = (bytes: Uint8Array): string[] => {
  const out: string[] = [];
  for (const upper of [true, false]) {
    out.push(
      percentEncode(bytes, URI_COMPONENT, false, upper),
      percentEncode(bytes, FORM, true, upper),
      percentEncode(bytes, RFC3986, false, upper),
      percentEncode(bytes, RFC3986, true, upper),
      percentEncode(bytes, RFC3986_PATH, false, upper),
      percentEncode(bytes, URI, false, upper),
      percentEncode(bytes, WHATWG_PATH, false, upper),
      percentEncode(bytes, WHATWG_QUERY, false, upper),
    );
  }
  return out;
};

// ---------------------------------------------------------------------------
// base64 and base64url at every alignment
// ---------------------------------------------------------------------------

const toUrlAlphabet = (b64: string): string => b64.replaceAll('+', '-').replaceAll('/', '_');

/**
 * For the value at byte offset a (0, 1, 2) of a 3-byte group of a larger blob: the characters that depend only
 * on the value's bytes (the value in the middle of a blob), and the tail to the end of the encoding with and
 * without padding (the value at the end of a blob).
 */
const base64Slices = (bytes: Uint8Array, whole: boolean): string[] => {
  const out: string[] = [];
  for (const a of whole ? [0] : [0, 1, 2]) {
    const blob = new Uint8Array(a + bytes.length);
    blob.set(bytes, a);
    const std = base64Encode(blob);
    const first = Math.ceil((8 * a) / 6);
    const stable = Math.floor((8 * (a + bytes.length)) / 6);
    const tailPadded = std.slice(first);
    const tail = tailPadded.replace(/=+$/, '');
    const forms = whole ? [tailPadded, tail] : [std.slice(first, stable), tailPadded, tail];
    for (const f of forms) out.push(f, toUrlAlphabet(f));
  }
  return out;
};

// ---------------------------------------------------------------------------
// HTML entities
// ---------------------------------------------------------------------------

const htmlEscape = (value: string, entities: Readonly<Record<string, string>>): string => {
  let out = '';
  for (const ch of value) out += entities[ch] ?? ch;
  return out;
};

const htmlNumeric = (value: string, radix: 10 | 16, upper: boolean): string => {
  let out = '';
  for (const ch of value) {
    const n = ch.codePointAt(0)!.toString(radix);
    out += radix === 10 ? `&#${n};` : `&#x${upper ? n.toUpperCase() : n};`;
  }
  return out;
};

const BASE_ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;' } as const;

const htmlForms = (value: string): string[] => [
  htmlEscape(value, { ...BASE_ENTITIES, '"': '&quot;', "'": '&#39;' }),
  htmlEscape(value, { ...BASE_ENTITIES, '"': '&quot;', "'": '&#x27;' }),
  htmlEscape(value, { ...BASE_ENTITIES, '"': '&quot;', "'": '&apos;' }),
  htmlEscape(value, { ...BASE_ENTITIES, '"': '&quot;' }),
  htmlEscape(value, BASE_ENTITIES),
  htmlNumeric(value, 10, false),
  htmlNumeric(value, 16, false),
  htmlNumeric(value, 16, true),
];

// ---------------------------------------------------------------------------
// All forms
// ---------------------------------------------------------------------------

/** The value with each lone surrogate replaced by U+FFFD, as it reads after a trip through UTF-8. */
const wellFormed = (value: string): string => {
  let out = '';
  for (let i = 0; i < value.length; i++) out += isLoneSurrogate(value, i) ? '\ufffd' : value[i]!;
  return out;
};

const collect = (value: string, whole: boolean): readonly string[] => {
  const bytes = utf8Encode(value);
  const hex = hexEncode(bytes);
  const sound = wellFormed(value);
  const forms = [
    value,
    ...(sound === value ? [] : [sound, ...jsonForms(sound), ...htmlForms(sound)]),
    ...jsonForms(value),
    ...percentForms(bytes),
    ...base64Slices(bytes, whole),
    hex,
    hex.toUpperCase(),
    ...htmlForms(value),
  ];
  const seen = new Set<string>();
  for (const f of forms) {
    if (f.length === 0) continue;
    seen.add(f);
    // any form inside a PHP-style JSON string, where '/' is written '\/'
    if (f.includes('/')) seen.add(f.replaceAll('/', '\\/'));
  }
  return [...seen];
};

/**
 * Every string to mask anywhere in text for this value, distinct, the raw value first: the value itself;
 * its JSON string escapes (JSON.stringify without quotes; with '\/'; non-ASCII or every unit as \uXXXX in
 * lower and upper hex; Go's HTML-safe escapes; JSON inside a JSON string); its percent-encodings
 * (encodeURIComponent, encodeURI, form-urlencoded with '+', RFC 3986 unreserved-only with and without '+',
 * Python quote's default, each in upper and lower hex); base64 and base64url of its UTF-8 bytes at byte
 * offsets 0, 1 and 2 of a larger blob (the characters that depend only on the value, plus the tail with and
 * without padding); lower and upper hex of its UTF-8 bytes; HTML escapes (&amp; &lt; &gt; &quot; with &#39;,
 * &#x27;, &apos; or raw quotes; every code point as &#N;, &#xh; or &#xH;); and each of these with '/' as '\/'.
 * Lone surrogates are UTF-8 encoded as U+FFFD; a value with any also gets the raw, JSON and HTML forms of its
 * well-formed version (each lone surrogate as U+FFFD), which is what it reads as after a trip through bytes. Middle slices of base64 are short for very short values.
 */
export const encodedForms = (value: string): readonly string[] => collect(value, false);

/**
 * The forms a string takes when it is this value encoded as a whole (no base64 slices of a larger blob):
 * what structural masking compares whole strings against.
 */
export const exactForms = (value: string): readonly string[] => collect(value, true);
