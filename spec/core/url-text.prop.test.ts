// Properties of values in URL text: whatever the value, the URL parser reads it back as placed, and it never changes host, query or fragment.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { substituteUrl } from '../../src/core/url-text.ts';
import { secretArb, wellFormed } from '../support/redaction-oracle.ts';

const REF = '$secret:v1.k.AAAAaaaa_-11';

/** Any text, weighted towards the characters that structure a URL. */
const valueArb = fc.oneof(
  secretArb,
  fc.string({ unit: fc.constantFrom(...'/?#&=%+. \\:@;,é日😀\ud800aZ09-_~\'!*()'), maxLength: 24 }),
);

const place = (url: string, value: string) => substituteUrl(url, (r) => (r === REF ? value : undefined));

describe('values in URL text', () => {
  it('in the query: the parameter reads back as the value (as UTF-8 carries it), the rest of the URL is unchanged, and the parser leaves the text as placed', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const out = place(`https://h.example/p?key=${REF}&after=1#f`, value);
        expect(E.isRight(out)).toBe(true);
        if (E.isLeft(out)) return;
        const u = new URL(out.right);
        expect(u.href).toBe(out.right);
        expect([...u.searchParams]).toEqual([
          ['key', wellFormed(value)],
          ['after', '1'],
        ]);
        expect([u.host, u.pathname, u.hash]).toEqual(['h.example', '/p', '#f']);
      }),
      { numRuns: 500 },
    );
  });

  it('in the path: the segments read back as the value split at "/", host, query and fragment are unchanged — or a dot segment is refused', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const out = place(`https://h.example/a/${REF}/z?q=1#f`, value);
        const pieces = wellFormed(value).split('/');
        const dot = pieces.some((p) => p === '.' || p === '..');
        expect(E.isLeft(out)).toBe(dot);
        if (E.isLeft(out)) return;
        const u = new URL(out.right);
        expect(u.href).toBe(out.right);
        expect([u.host, u.search, u.hash]).toEqual(['h.example', '?q=1', '#f']);
        expect(u.pathname.split('/').slice(2, -1).map(decodeURIComponent)).toEqual(pieces);
      }),
      { numRuns: 500 },
    );
  });
});
