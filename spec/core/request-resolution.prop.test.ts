// Request resolution properties: every placed reference is found, substitution is total and leaves nothing, text placement matches a split/join oracle.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json-value.ts';
import { REFERENCE_IN_TEXT, REFERENCE_PREFIX } from '../../src/core/reference.ts';
import { valueAsText } from '../../src/core/request-fields.ts';
import { isExactReference, leftoverMarker, scanRequest, type RequestParts } from '../../src/core/request-resolution.ts';
import { substituteRequest } from '../../src/core/request-substitution.ts';
import { REFERENCE_CHARS } from '../support/arbitraries.ts';

/** References of the wire shape with a random payload; distinct by construction (index in the kid). */
const refsArb = fc
  .array(fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789_-'), minLength: 4, maxLength: 40 }), { minLength: 1, maxLength: 5 })
  .map((payloads) => payloads.map((p, i) => `$secret:v1.k${i}.${p}`));

/** Filler text that cannot extend a reference or start one (no reference alphabet at the edges, no `$`). */
const fillerArb = fc.string({ unit: fc.constantFrom(' ', '/', '?', '=', '&', ',', 'é', '"', '{', '}'), maxLength: 6 });

/** A JSON value that holds no `$secret:` text. */
const plainValueArb: fc.Arbitrary<JsonValue> = (fc.jsonValue() as fc.Arbitrary<JsonValue>).filter((v) => !JSON.stringify(v).includes('$secret:'));

const textWithRefs = (refs: readonly string[]) =>
  fc.array(fc.tuple(fillerArb, fc.nat({ max: refs.length - 1 })), { minLength: 1, maxLength: 4 }).chain((parts) =>
    fillerArb.map((tail) => ({ text: parts.map(([f, i]) => f + refs[i]!).join('') + tail, parts, tail })),
  );

describe('request resolution properties', () => {
  it('finds every placed reference and, with every value known, leaves no $secret: text', () => {
    fc.assert(
      fc.property(
        refsArb.chain((refs) => fc.tuple(fc.constant(refs), textWithRefs(refs), textWithRefs(refs), fc.array(plainValueArb, { minLength: refs.length, maxLength: refs.length }))),
        ([refs, header, bodyText, values]) => {
          const req: RequestParts = {
            url: 'https://h/x',
            method: 'POST',
            headers: [['X-H', header.text]],
            query: [['q', [refs[0]!, header.text]]],
            body: { a: bodyText.text, b: refs[refs.length - 1]! },
            auth: { kind: 'basic', username: 'u', password: bodyText.text },
          };
          const scan = scanRequest(req);
          expect(scan.stray).toBeUndefined();
          expect(scan.sites.length).toBe(header.parts.length * 2 + 1 + bodyText.parts.length * 2 + 1);
          const map = new Map(refs.map((r, i) => [r, values[i]!] as const));
          const out = substituteRequest(req, map);
          expect(E.isRight(out)).toBe(true);
          if (E.isRight(out)) expect(leftoverMarker(out.right)).toBeUndefined();
        },
      ),
    );
  });

  it('places values inside text exactly as a split/join oracle does', () => {
    fc.assert(
      fc.property(
        refsArb.chain((refs) => fc.tuple(fc.constant(refs), textWithRefs(refs), fc.array(plainValueArb, { minLength: refs.length, maxLength: refs.length }))),
        ([refs, t, values]) => {
          const oracle = t.parts.map(([f, i]) => f + valueAsText(values[i]!)).join('') + t.tail;
          const req: RequestParts = { url: 'https://h/', method: 'GET', headers: [['X', t.text]], query: [], body: undefined, auth: undefined };
          const out = substituteRequest(req, new Map(refs.map((r, i) => [r, values[i]!] as const)));
          expect(E.isRight(out) && out.right.headers[0]![1]).toBe(oracle);
        },
      ),
    );
  });

  it('gives a body field that is exactly one reference the value itself, whatever its type', () => {
    fc.assert(
      fc.property(refsArb, plainValueArb, (refs, value) => {
        const req: RequestParts = { url: 'https://h/', method: 'POST', headers: [], query: [], body: { k: [refs[0]!] }, auth: undefined };
        const out = substituteRequest(req, new Map([[refs[0]!, value]]));
        expect(out).toEqual(E.right({ ...req, body: { k: [value] } }));
      }),
    );
  });

  it('substitutes the same with the scan\'s spans as when it looks for the references itself, malformed markers and missing values included', () => {
    const pieces = fc.oneof(
      fc.constantFrom('$secret:', '$secret:v1.', '.', ' ', '$', 'é'),
      fc.string({ unit: fc.constantFrom(...REFERENCE_CHARS), maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        refsArb.chain((refs) =>
          fc.tuple(
            fc.constant(refs),
            fc.array(fc.oneof(fc.constantFrom(...refs), pieces), { maxLength: 8 }).map((p) => p.join('')),
            fc.array(fc.oneof(fc.constantFrom(...refs), pieces), { maxLength: 8 }).map((p) => p.join('')),
            fc.array(plainValueArb, { minLength: refs.length, maxLength: refs.length }),
            fc.nat(),
          ),
        ),
        ([refs, a, b, values, known]) => {
          const req: RequestParts = {
            url: 'https://h/x',
            method: 'POST',
            headers: [[`X-${b.length}`, a]],
            query: [[a, [b, refs[0]!]]],
            body: { [b]: a, same: a, exact: refs[refs.length - 1]!, list: [b, { [a]: b }] },
            auth: { kind: 'basic', username: a, password: b },
          };
          // some references may have no value: both ways must then name the same missing one
          const map = new Map(refs.filter((_, i) => (known >> i) % 2 === 0 || i === 0).map((r) => [r, values[refs.indexOf(r)]!] as const));
          expect(substituteRequest(req, map, scanRequest(req).spans)).toEqual(substituteRequest(req, map));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds exactly what REFERENCE_IN_TEXT finds, and calls stray every other $secret:', () => {
    const pieces = fc.oneof(
      fc.constantFrom('$secret:', '$secret:v1.', 'v1.', '.', 'k', 'x'.repeat(63), 'y'.repeat(64), '-', '_', ' ', '$'),
      fc.string({ unit: fc.constantFrom(...REFERENCE_CHARS), maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 14 }).map((p) => p.join('')), (text) => {
        const req: RequestParts = { url: text, method: 'GET', headers: [], query: [], body: undefined, auth: undefined };
        const scan = scanRequest(req);
        const oracle = [...text.matchAll(REFERENCE_IN_TEXT)].map((m) => m[0]);
        expect(scan.sites.map((s) => s.reference)).toEqual(oracle);
        const markers = text.split(REFERENCE_PREFIX).length - 1;
        expect(scan.stray === undefined).toBe(markers === oracle.length);
        expect(isExactReference(text)).toBe(oracle.length === 1 && oracle[0] === text);
      }),
      { numRuns: 2000 },
    );
  });
});
