// Values placed inside URL text, pure: where a reference sits in the URL, and the encoding that keeps its value from changing the URL's structure.
import * as E from 'fp-ts/lib/Either.js';
import { utf8Encode } from './bytes.ts';
import { REFERENCE_PREFIX, referenceEndAt } from './reference.ts';

// ---------------------------------------------------------------------------------------------
// model

/**
 * Where a reference sits in the URL text as written: at the very start (`whole`: a secret base URL or
 * webhook, placed raw), in the path (before the first `?` or `#`), or in the query or fragment (`component`).
 */
export type UrlPosition = 'whole' | 'path' | 'component';

/** A reference of the URL the substitution found no value for. */
export interface UrlMissingValue {
  readonly _tag: 'MissingValue';
  readonly reference: string;
  readonly field: 'url';
}

/** A reference placed where the URL built so far is still in its authority (after a whole-URL value without a path): its value would be part of the host. */
export interface UrlAuthority {
  readonly _tag: 'UrlAuthority';
  readonly reference: string;
  readonly field: 'url';
}

/** A value placed in the URL path that would make a `.` or `..` segment, which the URL parser resolves away. */
export interface UrlDotSegment {
  readonly _tag: 'UrlDotSegment';
  readonly reference: string;
  readonly field: 'url';
}

// ---------------------------------------------------------------------------------------------
// constructors

/** Index of the first `?` or `#` of a text, or its length when it has neither. */
export const queryStart = (text: string): number => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3f || c === 0x23) return i;
  }
  return text.length;
};

// ---------------------------------------------------------------------------------------------
// encodings

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789ABCDEF';

const safeTable = (safe: string): Uint8Array => {
  const t = new Uint8Array(128);
  for (const ch of ALNUM + safe) t[ch.charCodeAt(0)] = 1;
  return t;
};

/** encodeURIComponent's unreserved set. */
const URI_COMPONENT_SAFE = safeTable("-_.!~*'()");
/** encodeURIComponent's unreserved set without `'`, which the URL parser would percent-encode in a query anyway. */
const COMPONENT_SAFE = safeTable('-_.!~*()');
/** encodeURIComponent's unreserved set plus `/`: the value may add path segments, never a query, fragment or `\`. */
const PATH_SAFE = safeTable("-_.!~*'()/");

/** Percent-encodes the UTF-8 bytes of a text (lone surrogates as U+FFFD, as the URL parser does; never throws), upper-case hex. */
const percentEncode = (text: string, safe: Uint8Array): string => {
  let out = '';
  for (const b of utf8Encode(text)) out += b < 128 && safe[b] === 1 ? String.fromCharCode(b) : '%' + HEX[b >> 4]! + HEX[b & 15]!;
  return out;
};

/** encodeURIComponent, total: a lone surrogate is encoded as U+FFFD instead of throwing. */
export const uriComponentText = (text: string): string => percentEncode(text, URI_COMPONENT_SAFE);

/** A value as placed in a URL's query or fragment: encodeURIComponent, with `'` as `%27` too. The URL parser leaves it as it is. */
export const urlComponentText = (text: string): string => percentEncode(text, COMPONENT_SAFE);

/** A value as placed in a URL's path: encodeURIComponent except that `/` stays. The URL parser leaves it as it is. */
export const urlPathText = (text: string): string => percentEncode(text, PATH_SAFE);

/** A value's text as placed at a position of a URL: raw as a whole URL, encoded elsewhere. */
export const urlText = (text: string, position: UrlPosition): string =>
  position === 'whole' ? text : position === 'path' ? urlPathText(text) : urlComponentText(text);

/** The percent-encoded forms a value takes in a URL's text (as placed in the path or a component, and encodeURIComponent's), other than the raw value, each once. */
export const urlForms = (text: string): readonly string[] => {
  const out = new Set([urlPathText(text), urlComponentText(text), uriComponentText(text)]);
  out.delete(text);
  return [...out];
};

// ---------------------------------------------------------------------------------------------
// structure

/** `.` and `..` path segments, also percent-encoded: the URL parser removes them and the segment before. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * The index in `ranges` ([start, end) in `url`, values placed in the path) of a value that makes a `.` or `..`
 * segment of the built URL — the segment holds one of its characters or is delimited by one of its `/` — or -1.
 * The URL parser drops such a segment (and the one before it), so the value would change the path it sits in.
 */
export const dotSegmentFromValue = (url: string, ranges: readonly (readonly [number, number])[]): number => {
  if (ranges.length === 0) return -1;
  // What the parser sees: tabs and line breaks removed anywhere, C0 controls and spaces trimmed at the end.
  let end = queryStart(url);
  if (end === url.length) while (end > 0 && url.charCodeAt(end - 1) <= 0x20) end--;
  let from = 0;
  for (let i = 0; i <= end; i++) {
    if (i < end && url[i] !== '/' && url[i] !== '\\') continue;
    if (DOT_SEGMENT.test(url.slice(from, i).replace(/[\t\n\r]/g, ''))) {
      const hit = ranges.findIndex(([s, e]) => s <= i && e >= from);
      if (hit >= 0) return hit;
    }
    from = i + 1;
  }
  return -1;
};

// ---------------------------------------------------------------------------------------------
// substitution

/** Where the reference starting at `start` ends, or -1 (reference.ts). */
const referenceEnd = referenceEndAt;

/** What the URL parser ignores: tabs and line breaks anywhere, C0 controls and spaces at the start. */
const parserView = (url: string): string => url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');

/** True when text appended to `prefix` would still be part of its scheme's authority (host, port, credentials). */
export const inAuthority = (prefix: string): boolean => /^[a-z][a-z0-9+.-]*:[/\\]*[^/?#\\]*$/i.test(parserView(prefix));

/**
 * True when `$secret:` text (a reference or not) is written inside the host or credentials of a literal URL
 * (`https://{{ref}}.example.com`, `https://u:{{ref}}@host`, also `https:{{ref}}`), checked before anything is
 * resolved. A reference right after a whole-URL value is only known once that value is: substituteUrl refuses it.
 */
export const markerInWrittenAuthority = (url: string): boolean => {
  for (let at = url.indexOf(REFERENCE_PREFIX); at >= 0; at = url.indexOf(REFERENCE_PREFIX, at + 1)) if (at > 0 && inAuthority(url.slice(0, at))) return true;
  return false;
};

/** True when the URL text starts with a reference: a secret base URL or webhook, whose host then comes from the value. */
export const hostFromReference = (url: string): boolean => url.startsWith(REFERENCE_PREFIX) && referenceEnd(url, 0) > 0;

/**
 * The URL with its references replaced (`text` gives a reference's value as text, undefined when it has none),
 * so that no value changes the URL's structure. A reference at the very start is a whole URL: its value goes in
 * raw. Where the URL built so far has a `?` or `#`, a value is percent-encoded as a component; before that, in the
 * path, the same but `/` stays, and the value may not make a `.` or `..` segment; where the URL built so far is
 * still in its authority (a whole-URL value with no path yet), a value would be part of the host: refused.
 * Total: a missing value, a value in the authority or a dot segment is a Left naming the reference.
 */
export const substituteUrl = (
  url: string,
  text: (reference: string) => string | undefined,
): E.Either<UrlMissingValue | UrlAuthority | UrlDotSegment, string> => {
  let at = url.indexOf(REFERENCE_PREFIX);
  if (at < 0) return E.right(url);
  const inPath: [number, number][] = [];
  const pathRefs: string[] = [];
  let out = '';
  let done = 0;
  while (at >= 0) {
    const end = referenceEnd(url, at);
    if (end < 0) at = url.indexOf(REFERENCE_PREFIX, at + 1);
    else {
      const reference = url.slice(at, end);
      const value = text(reference);
      if (value === undefined) return E.left({ _tag: 'MissingValue', reference, field: 'url' });
      out += url.slice(done, at);
      // Where the value lands is decided by the URL built so far (an earlier whole-URL value may hold the query).
      if (at > 0 && inAuthority(out)) return E.left({ _tag: 'UrlAuthority', reference, field: 'url' });
      const position: UrlPosition = at === 0 ? 'whole' : queryStart(out) < out.length ? 'component' : 'path';
      const placed = urlText(value, position);
      if (position === 'path') {
        inPath.push([out.length, out.length + placed.length]);
        pathRefs.push(reference);
      }
      out += placed;
      done = end;
      at = url.indexOf(REFERENCE_PREFIX, end);
    }
  }
  out += url.slice(done);
  const dot = dotSegmentFromValue(out, inPath);
  return dot < 0 ? E.right(out) : E.left({ _tag: 'UrlDotSegment', reference: pathRefs[dot]!, field: 'url' });
};
