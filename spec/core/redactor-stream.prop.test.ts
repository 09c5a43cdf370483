// Properties of the redaction stream: any split of the bytes gives the output of redacting the whole input, short patterns included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRedactor } from '../../src/core/redactor.ts';
import { utf8StreamDecoder } from '../../src/core/redact-utf8.ts';
import { chunksAt, cutsArb, naiveRedact, oracleForms, textArb, textDecoderPort, textSecretArb, wellFormed } from '../support/redaction-oracle.ts';

const familyArb = fc.constantFrom(...Object.keys(oracleForms('x')));

/** Secrets and a text holding some of their encodings, repeated and side by side. */
const scenarioArb = fc.array(textSecretArb, { minLength: 1, maxLength: 3 }).chain((secrets) =>
  fc.tuple(
    fc.constant(secrets),
    fc
      .array(fc.oneof(textArb, fc.tuple(fc.constantFrom(...secrets), familyArb).map(([s, f]) => oracleForms(s)[f]!)), { maxLength: 8 })
      .map((parts) => parts.join('')),
  ),
);

/** Bytes of a text and cut points over them. */
const withCuts = <A extends readonly [readonly string[], string]>(arb: fc.Arbitrary<A>) =>
  arb.chain(([secrets, text]) => {
    const bytes = new TextEncoder().encode(text);
    return fc.tuple(fc.constant(secrets), fc.constant(text), fc.constant(bytes), cutsArb(bytes.length));
  });

const runStream = (r: ReturnType<typeof createRedactor>, chunks: readonly (Uint8Array | string)[]): string => {
  const s = r.stream();
  let out = '';
  for (const c of chunks) out += s.write(c);
  return out + s.end();
};

describe('stream', () => {
  it('gives, for any split of the UTF-8 bytes, the output of redacting the whole text', () => {
    fc.assert(
      fc.property(withCuts(scenarioArb), ([secrets, text, bytes, cuts]) => {
        const r = createRedactor();
        for (const s of secrets) r.addSecret(s);
        expect(runStream(r, chunksAt(bytes, cuts))).toBe(r.redactText(wellFormed(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives, for any split of arbitrary bytes holding secrets, the redaction of their WHATWG decoding', () => {
    const bytesArb = fc.array(textSecretArb, { minLength: 1, maxLength: 2 }).chain((secrets) =>
      fc.tuple(
        fc.constant(secrets),
        fc
          .array(fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.constantFrom(...secrets).map((s) => new TextEncoder().encode(s))), { maxLength: 6 })
          .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p]))),
      ),
    );
    fc.assert(
      fc.property(
        bytesArb.chain(([secrets, bytes]) => fc.tuple(fc.constant(secrets), fc.constant(bytes), cutsArb(bytes.length))),
        ([secrets, bytes, cuts]) => {
          const r = createRedactor();
          for (const s of secrets) r.addSecret(s);
          expect(runStream(r, chunksAt(bytes, cuts))).toBe(r.redactText(new TextDecoder().decode(bytes)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same output with the TextDecoder port as with the built-in decoder', () => {
    const scenario = textSecretArb.chain((secret) =>
      fc
        .array(fc.oneof(fc.uint8Array({ maxLength: 12 }), textArb.map((t) => new TextEncoder().encode(t)), fc.constant(new TextEncoder().encode(secret))), {
          maxLength: 6,
        })
        .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])))
        .chain((bytes) => fc.tuple(fc.constant(secret), fc.constant(bytes), cutsArb(bytes.length))),
    );
    fc.assert(
      fc.property(scenario, ([secret, bytes, cuts]) => {
        const pure = createRedactor();
        const port = createRedactor({ decoder: textDecoderPort });
        pure.addSecret(secret);
        port.addSecret(secret);
        expect(runStream(port, chunksAt(bytes, cuts))).toBe(runStream(pure, chunksAt(bytes, cuts)));
      }),
    );
  });

  it('gives, for any split of the text into string chunks, the output of redacting the whole text', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain(([secrets, text]) => fc.tuple(fc.constant(secrets), fc.constant(text), cutsArb(text.length))),
        ([secrets, text, cuts]) => {
          const r = createRedactor();
          for (const s of secrets) r.addSecret(s);
          const chunks = [...cuts, text.length].map((c, i, all) => text.slice(i === 0 ? 0 : all[i - 1], c));
          expect(runStream(r, chunks)).toBe(r.redactText(text));
        },
      ),
    );
  });
});

describe('stream with short patterns', () => {
  it('gives, for any split, the naive masking of short and indexed patterns mixed over a two-letter alphabet', () => {
    const abArb = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('a', 'b'), minLength: min, maxLength: max });
    fc.assert(
      fc.property(
        fc.tuple(fc.array(abArb(4, 12), { minLength: 1, maxLength: 6 }), abArb(0, 80)).chain(([patterns, text]) =>
          fc.tuple(fc.constant(patterns), fc.constant(text), cutsArb(text.length)),
        ),
        ([patterns, text, cuts]) => {
          const r = createRedactor();
          for (const p of patterns) r.addExact(p);
          const chunks = [...cuts, text.length].map((c, i, all) => text.slice(i === 0 ? 0 : all[i - 1], c));
          expect(runStream(r, chunks)).toBe(naiveRedact(text, patterns));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('utf8StreamDecoder', () => {
  it('decodes any bytes, split anywhere, as TextDecoder does', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).chain((bytes) => fc.tuple(fc.constant(bytes), cutsArb(bytes.length))),
        ([bytes, cuts]) => {
          const d = utf8StreamDecoder();
          let out = '';
          for (const c of chunksAt(bytes, cuts)) out += d.decode(c);
          expect(out + d.flush()).toBe(new TextDecoder().decode(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });
});
