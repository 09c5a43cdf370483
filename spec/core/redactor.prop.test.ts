// Properties of redactText and redactStructured: nothing registered survives (long, short and number values, object leaves), nothing else changes, and the result equals a naive masker.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodedForms, exactForms } from '../../src/core/encodings.ts';
import { REDACTED, createRedactor } from '../../src/core/redactor.ts';
import {
  base64Blob,
  masksInText,
  masksStructurally,
  naiveRedact,
  oracleForms,
  oracleLeaves,
  secretArb,
  textArb,
  textSecretArb,
  tinySecretArb,
  unmaskedPieces,
  wellFormed,
} from '../support/redaction-oracle.ts';

const familyArb = fc.constantFrom(...Object.keys(oracleForms('x')));

/** A text made of random pieces and encoded secrets, in any order. */
const mixedTextArb = (secrets: readonly string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        textArb,
        fc.tuple(fc.constantFrom(...secrets), familyArb).map(([s, f]) => oracleForms(s)[f]!),
        fc.tuple(fc.constantFrom(...secrets), fc.nat(20)).map(([s, n]) => s.slice(0, n)),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(''));

describe('redactText', () => {
  it('leaves no secret and no encoding of it outside the tokens', () => {
    fc.assert(
      fc.property(fc.array(textSecretArb, { minLength: 1, maxLength: 4 }), textArb, textArb, familyArb, (secrets, pre, post, family) => {
        const r = createRedactor();
        for (const s of secrets) r.addSecret(s);
        const text = pre + secrets.map((s) => oracleForms(s)[family]).join(post) + post;
        const pieces = unmaskedPieces(r.redactText(text));
        for (const s of secrets) for (const form of Object.values(oracleForms(s))) expect(pieces.some((p) => p.includes(form))).toBe(false);
      }),
    );
  });

  it('leaves no secret once the text has been through UTF-8, lone surrogates and all', () => {
    fc.assert(
      fc.property(textSecretArb, textArb, textArb, (v, pre, post) => {
        const r = createRedactor();
        r.addSecret(v);
        const pieces = unmaskedPieces(r.redactText(wellFormed(pre + v + post)));
        expect(pieces.some((p) => p.includes(wellFormed(v)))).toBe(false);
      }),
    );
  });

  it('leaves no value-only base64 characters of a blob the secret sits in', () => {
    fc.assert(
      fc.property(textSecretArb, fc.uint8Array({ maxLength: 7 }), fc.uint8Array({ maxLength: 7 }), fc.boolean(), textArb, (v, before, after, url, pre) => {
        const r = createRedactor();
        r.addSecret(v);
        const { blob, middle } = base64Blob(v, before, after, url);
        expect(unmaskedPieces(r.redactText(`${pre}"${blob}"`)).some((p) => p.includes(middle))).toBe(false);
      }),
    );
  });

  it('changes nothing in a text that holds no registered pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(textSecretArb, tinySecretArb), { maxLength: 4 }), textArb, (secrets, text) => {
        const r = createRedactor();
        for (const s of secrets) r.addSecret(s);
        fc.pre(!secrets.some((s) => masksInText(s) && encodedForms(s).some((f) => text.includes(f))));
        expect(r.redactText(text)).toBe(text);
      }),
    );
  });

  it('equals a naive masker over the registered forms of every value of 4 code points or more', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.oneof({ weight: 4, arbitrary: textSecretArb }, { weight: 1, arbitrary: tinySecretArb }), { minLength: 1, maxLength: 4 })
          .chain((secrets) => fc.tuple(fc.constant(secrets), mixedTextArb(secrets))),
        ([secrets, text]) => {
          const r = createRedactor();
          for (const s of secrets) r.addSecret(s);
          expect(r.redactText(text)).toBe(naiveRedact(text, secrets.filter(masksInText).flatMap((s) => encodedForms(s))));
        },
      ),
    );
  });

  it('equals a naive masker for many overlapping patterns over a two-letter alphabet', () => {
    const abArb = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('a', 'b'), minLength: min, maxLength: max });
    fc.assert(
      fc.property(fc.array(abArb(8, 20), { minLength: 1, maxLength: 12 }), fc.array(abArb(0, 60), { minLength: 1, maxLength: 4 }), (patterns, texts) => {
        const r = createRedactor();
        // registered one by one, scanning in between, so the index grows and is rebuilt as the shortest length drops
        patterns.forEach((p, i) => {
          r.addExact(p);
          for (const t of texts) expect(r.redactText(t)).toBe(naiveRedact(t, patterns.slice(0, i + 1)));
        });
      }),
    );
  });

  it('equals a naive masker for short and indexed patterns mixed over a two-letter alphabet', () => {
    const abArb = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('a', 'b'), minLength: min, maxLength: max });
    fc.assert(
      fc.property(fc.array(abArb(4, 14), { minLength: 1, maxLength: 10 }), fc.array(abArb(0, 60), { minLength: 1, maxLength: 4 }), (patterns, texts) => {
        const r = createRedactor();
        patterns.forEach((p, i) => {
          r.addExact(p);
          for (const t of texts) expect(r.redactText(t)).toBe(naiveRedact(t, patterns.slice(0, i + 1)));
        });
      }),
    );
  });

  it('never changes text for a value under 4 code points, and masks a whole string equal to it', () => {
    fc.assert(
      fc.property(tinySecretArb, textArb, (v, text) => {
        const r = createRedactor();
        expect(r.addSecret(v).short).toBe(true);
        expect(r.redactText(text + v + text)).toBe(text + v + text);
        const inside = `<${text}${v}${text}>`;
        fc.pre(!exactForms(v).includes(inside));
        expect(r.redactStructured([v, { list: [v, inside] }])).toEqual([REDACTED, { list: [REDACTED, inside] }]);
      }),
    );
  });

  it('never lets a region end or start next to another region', () => {
    fc.assert(
      fc.property(
        fc.array(textSecretArb, { minLength: 1, maxLength: 3 }).chain((secrets) => fc.tuple(fc.constant(secrets), mixedTextArb(secrets))),
        ([secrets, text]) => {
          const r = createRedactor();
          for (const s of secrets) r.addSecret(s);
          const out = r.redactText(text);
          fc.pre(!text.includes(REDACTED));
          expect(out.includes(REDACTED + REDACTED)).toBe(false);
        },
      ),
    );
  });
});

describe('object secrets', () => {
  /** A leaf as an object secret may hold it: long, short or tiny strings, numbers of every kind, bigints, booleans, null. */
  const leafArb: fc.Arbitrary<unknown> = fc.oneof(
    textSecretArb,
    tinySecretArb,
    fc.integer(),
    fc.integer({ min: 1000, max: 9_999_999 }),
    fc.double(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
  );
  const objectSecretArb = fc.object({ values: [leafArb], maxDepth: 2, maxKeys: 4 });

  it('masks every string and number leaf of 4 code points or more inside text, in each encoding', () => {
    fc.assert(
      fc.property(objectSecretArb, textArb, textArb, (secret, pre, post) => {
        const r = createRedactor();
        r.addSecret(secret);
        for (const leaf of oracleLeaves(secret).filter(masksInText)) {
          const forms = oracleForms(leaf);
          for (const family of ['raw', 'json', 'uriComponent', 'base64', 'hex'] as const) {
            const form = forms[family]!;
            const leaked = unmaskedPieces(r.redactText(`${pre}${form}${post}`)).some((p) => p.includes(form));
            expect({ leaf, family, leaked }).toEqual({ leaf, family, leaked: false });
          }
        }
      }),
    );
  });

  it('masks a string or number equal to a leaf under 4 code points, wherever it sits in a structure', () => {
    fc.assert(
      fc.property(objectSecretArb, (secret) => {
        const r = createRedactor();
        r.addSecret(secret);
        for (const leaf of oracleLeaves(secret).filter(masksStructurally)) {
          expect(r.redactStructured({ deep: [leaf] })).toEqual({ deep: [REDACTED] });
          if (String(Number(leaf)) === leaf) expect(r.redactStructured([Number(leaf)])).toEqual([REDACTED]);
        }
      }),
    );
  });
});

describe('redactStructured', () => {
  it('leaves no secret in any string or key of a JSON value, at any depth', () => {
    fc.assert(
      fc.property(textSecretArb, fc.jsonValue(), textArb, (v, json, around) => {
        const r = createRedactor();
        r.addSecret(v);
        const value = { [`${around}${v}`]: [json, `${around}${v}${around}`, { deep: v }] };
        const out = JSON.stringify(r.redactStructured(value));
        expect(out.includes(JSON.stringify(v).slice(1, -1))).toBe(false);
      }),
    );
  });

  it('gives a value equal to its input when nothing is registered', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(createRedactor().redactStructured(json)).toEqual(json);
      }),
    );
  });
});
