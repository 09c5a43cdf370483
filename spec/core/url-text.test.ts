// Values in URL text (src/core/url-text.ts): raw as a whole URL, encoded in the path and the query, never able to change the URL's structure.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json-value.ts';
import type { RequestParts } from '../../src/core/request-resolution.ts';
import { substituteRequest } from '../../src/core/request-substitution.ts';
import { hostFromReference, markerInWrittenAuthority, substituteUrl, urlComponentText, urlForms, urlPathText, uriComponentText } from '../../src/core/url-text.ts';

const REF_A = '$secret:v1.kek-v1.AAAAaaaa_-11';
const REF_B = '$secret:v1.ref-v2.BBBBbbbb-_22';
const AWKWARD = 'ab#cd&admin=1%41zz?x=/ +é日😀';

const request = (url: string): RequestParts => ({ url, method: 'GET', headers: [], query: [], body: undefined, auth: undefined });

const placed = (url: string, values: Record<string, string>) =>
  substituteUrl(url, (r) => values[r]);

const urlOut = (url: string, values: Record<string, string>): string => {
  const r = placed(url, values);
  if (E.isLeft(r)) throw new Error(`expected Right, got ${r.left._tag}`);
  return r.right;
};

describe('markerInWrittenAuthority', () => {
  it('is true for $secret: text in the host, port or credentials of a literal URL, as the URL parser reads them', () => {
    for (const url of [`https://${REF_A}.example.com/x`, `https://u:${REF_A}@h/`, `https://h:${REF_A}/`, `https:${REF_A}`, `https:\\\\${REF_A}`, ` https:/${REF_A}`, `ht\ttps://${REF_A}`, 'https://$secret:x.h/'])
      expect([url, markerInWrittenAuthority(url)]).toEqual([url, true]);
  });

  it('is false for references in the path, query or fragment, at the very start, or right after a whole-URL reference', () => {
    for (const url of [`https://h/${REF_A}`, `https://h?${REF_A}`, `https://h#${REF_A}`, `${REF_A}/x`, `${REF_A}${REF_B}`, 'https://h/x'])
      expect([url, markerInWrittenAuthority(url)]).toEqual([url, false]);
  });
});

describe('substituteUrl', () => {
  it('refuses a reference that follows a whole-URL value before any path, where its value would be part of the host', () => {
    for (const url of [`${REF_A}${REF_B}`, `${REF_A}.${REF_B}`, `${REF_A}:${REF_B}`]) {
      const r = placed(url, { [REF_A]: 'https://api.example.com', [REF_B]: '.attacker.example.net' });
      expect(E.isLeft(r) && [r.left._tag, r.left.reference]).toEqual(['UrlAuthority', REF_B]);
    }
    // with a path after the whole-URL value, the next one is a path value
    expect(urlOut(`${REF_A}/${REF_B}`, { [REF_A]: 'https://api.example.com', [REF_B]: 'a b' })).toBe('https://api.example.com/a%20b');
  });

  it('places a value as a component when a whole-URL value before it already holds the query', () => {
    const out = urlOut(`${REF_A}${REF_B}`, { [REF_A]: 'https://api.example.com/p?k=', [REF_B]: "a'b/c" });
    expect(out).toBe('https://api.example.com/p?k=a%27b%2Fc');
    expect(new URL(out).searchParams.get('k')).toBe("a'b/c");
  });

  it('sees dot segments as the URL parser does: tabs and line breaks removed, trailing spaces and controls trimmed', () => {
    const cases: readonly (readonly [string, string])[] = [
      [`https://h/files/${REF_A}\t./admin`, 'x/.'],
      [`https://h/files/${REF_A}\n./admin`, 'x/.'],
      [`https://h/a/.\r${REF_A}/b`, '.'],
      [`https://h/files/${REF_A}. `, 'x/.'],
    ];
    for (const [url, value] of cases) {
      const r = placed(url, { [REF_A]: value });
      expect(E.isLeft(r) && r.left._tag).toBe('UrlDotSegment');
    }
  });

  it('puts a value in the query as encodeURIComponent, so the parameter reads back as the value and adds nothing', () => {
    const out = urlOut(`https://h/p?key=${REF_A}&after=1`, { [REF_A]: AWKWARD });
    expect(out).toBe(`https://h/p?key=${encodeURIComponent(AWKWARD)}&after=1`);
    const u = new URL(out);
    expect([...u.searchParams]).toEqual([
      ['key', AWKWARD],
      ['after', '1'],
    ]);
    expect(u.hash).toBe('');
  });

  it('puts a value in the path percent-encoded except for "/", so it adds segments but no query or fragment', () => {
    const out = urlOut(`https://h/items/${REF_A}/detail`, { [REF_A]: AWKWARD });
    const u = new URL(out);
    expect(u.host).toBe('h');
    expect(u.search).toBe('');
    expect(u.hash).toBe('');
    expect(u.pathname).toBe(`/items/${AWKWARD.split('/').map(encodeURIComponent).join('/')}/detail`);
  });

  it('keeps the slashes of a webhook path secret', () => {
    expect(urlOut(`https://hooks.example.com/services/${REF_A}`, { [REF_A]: 'T000/B000/XXXX' })).toBe('https://hooks.example.com/services/T000/B000/XXXX');
  });

  it('puts a value raw when the url starts with its reference (a whole secret URL), and encodes the references after it', () => {
    expect(urlOut(`${REF_A}/v1/${REF_B}?k=${REF_B}`, { [REF_A]: 'https://hook.example.net/base?t=1', [REF_B]: 'a b&c' })).toBe(
      'https://hook.example.net/base?t=1/v1/a%20b%26c?k=a%20b%26c',
    );
  });

  it('encodes a value in the fragment as a component', () => {
    expect(urlOut(`https://h/p#${REF_A}`, { [REF_A]: 'a#b c' })).toBe('https://h/p#a%23b%20c');
  });

  it('decides path or query by the url as written, not by what a value holds', () => {
    expect(urlOut(`https://h/${REF_A}/${REF_B}`, { [REF_A]: 'x?y', [REF_B]: 'z' })).toBe('https://h/x%3Fy/z');
  });

  it('refuses a value that makes a "." or ".." path segment, naming its reference', () => {
    for (const [url, value] of [
      [`https://h/a/${REF_A}`, '..'],
      [`https://h/a/${REF_A}/b`, 'x/../y'],
      [`https://h/a/${REF_A}`, './y'],
      [`https://h/a/.${REF_A}`, '.'],
      [`https://h/a/..${REF_A}`, '/y'],
      [`https://h/a/%2e${REF_A}`, '.'],
    ] as const)
      expect(placed(url, { [REF_A]: value })).toEqual(E.left({ _tag: 'UrlDotSegment', reference: REF_A, field: 'url' }));
  });

  it('allows dots that do not make a segment of their own, dots written in the url, and dots in the query', () => {
    expect(urlOut(`https://h/a/${REF_A}`, { [REF_A]: '...' })).toBe('https://h/a/...');
    expect(urlOut(`https://h/a/${REF_A}`, { [REF_A]: 'v1.2/..x' })).toBe('https://h/a/v1.2/..x');
    expect(urlOut(`https://h/a/../${REF_A}`, { [REF_A]: 'y' })).toBe('https://h/a/../y');
    expect(urlOut(`https://h/a/${REF_A}/..`, { [REF_A]: 'y' })).toBe('https://h/a/y/..');
    expect(urlOut(`https://h/a?p=${REF_A}`, { [REF_A]: '..' })).toBe('https://h/a?p=..');
    expect(urlOut(`https://h/a/${REF_A}`, { [REF_A]: '%2e%2e' })).toBe('https://h/a/%252e%252e');
  });

  it('is a Left naming the reference when a value is missing', () => {
    expect(placed(`https://h/${REF_A}`, {})).toEqual(E.left({ _tag: 'MissingValue', reference: REF_A, field: 'url' }));
  });

  it('is what substituteRequest puts in the url, and substituteRequest passes its Left on', () => {
    const values = new Map<string, JsonValue>([[REF_A, AWKWARD]]);
    const url = `https://h/${REF_A}?q=${REF_A}`;
    const out = substituteRequest(request(url), values);
    expect(E.isRight(out) && out.right.url).toBe(urlOut(url, { [REF_A]: AWKWARD }));
    expect(substituteRequest(request(`https://h/${REF_A}`), new Map([[REF_A, '..']]))).toEqual(E.left({ _tag: 'UrlDotSegment', reference: REF_A, field: 'url' }));
    const json = substituteRequest(request(`https://h/x?q=${REF_A}`), new Map<string, JsonValue>([[REF_A, { a: [1] }]]));
    expect(E.isRight(json) && json.right.url).toBe(`https://h/x?q=${encodeURIComponent('{"a":[1]}')}`);
  });
});

describe('URL encodings', () => {
  it('match encodeURIComponent, except "/" kept in the path and "\'" encoded in a component', () => {
    const v = "it's (a/b) ~*!-_.";
    expect(uriComponentText(v)).toBe(encodeURIComponent(v));
    expect(urlPathText(v)).toBe(encodeURIComponent(v).replaceAll('%2F', '/'));
    expect(urlComponentText(v)).toBe(encodeURIComponent(v).replaceAll("'", '%27'));
    expect(urlForms(v)).toEqual([urlPathText(v), urlComponentText(v), uriComponentText(v)]);
    expect(urlForms('plain-text')).toEqual([]);
  });

  it('never throw: a lone surrogate is encoded as U+FFFD, as the URL parser does', () => {
    expect(urlComponentText('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(urlPathText('\udc00')).toBe('%EF%BF%BD');
    expect(new URL(`https://h/?k=${urlComponentText('a\ud800b')}`).searchParams.get('k')).toBe('a\ufffdb');
  });
});

describe('hostFromReference', () => {
  it('holds only for a url that starts with a well-formed reference', () => {
    expect(hostFromReference(REF_A)).toBe(true);
    expect(hostFromReference(`${REF_A}/path?x=1`)).toBe(true);
    expect(hostFromReference(`https://h/${REF_A}`)).toBe(false);
    expect(hostFromReference(` ${REF_A}`)).toBe(false);
    expect(hostFromReference('$secret:nothing')).toBe(false);
  });
});
