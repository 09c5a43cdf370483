// Examples of the redactor on text and on JSON-like values: every encoding family, longest match, merging, short and tiny values, number leaves, failing closed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_SECRET_LENGTH, MIN_TEXT_MASK_LENGTH, REDACTED, createRedactor, safeRedact } from '../../src/core/redactor.ts';
import { base64Blob, oracleForms, sampleOf, secretArb, unmaskedPieces } from '../support/redaction-oracle.ts';

const tokenArb = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), minLength: min, maxLength: max });
const token = (seed: number, length = 24): string => sampleOf(tokenArb(length, length), seed);
/** 4 to 7 code points: masked inside text. */
const shortValue = (seed: number): string => sampleOf(tokenArb(MIN_TEXT_MASK_LENGTH, MIN_SECRET_LENGTH - 1), seed);
/** 1 to 3 code points: masked only structurally. */
const tinyValue = (seed: number): string => sampleOf(tokenArb(1, MIN_TEXT_MASK_LENGTH - 1), seed);
const digits = (seed: number, length: number): number =>
  sampleOf(fc.integer({ min: 10 ** (length - 1), max: 10 ** length - 1 }), seed);

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('redactText masks every encoding family', () => {
  for (let seed = 1; seed <= 12; seed++)
    it(`masks each Node-built encoding of generated secret #${seed}`, () => {
      const r = createRedactor();
      const v = sampleOf(secretArb, seed);
      expect(r.addSecret(v).short).toBe(false);
      for (const [family, form] of Object.entries(oracleForms(v))) {
        const out = r.redactText(`{"level":"info","msg":"echo ${'\u{1F4A1}'}${form}${'\u{1F4A1}'} done"}`);
        expect({ family, leaked: unmaskedPieces(out).some((p) => p.includes(form) || p.includes(v)) }).toEqual({ family, leaked: false });
        expect({ family, tokens: count(out, REDACTED) }).toEqual({ family, tokens: 1 });
      }
    });

  it('masks the value inside a base64 or base64url blob at every byte offset, padded or not', () => {
    const r = createRedactor();
    const v = sampleOf(secretArb, 21);
    r.addSecret(v);
    for (let before = 0; before < 6; before++)
      for (let after = 0; after < 4; after++)
        for (const url of [false, true]) {
          const { blob, middle } = base64Blob(v, new Uint8Array(before).fill(0x41), new Uint8Array(after).fill(0x42), url);
          const out = r.redactText(`data=${blob};`);
          expect({ before, after, url, leaked: unmaskedPieces(out).some((p) => p.includes(middle)) }).toEqual({ before, after, url, leaked: false });
        }
  });

  it('returns text that holds no secret unchanged, and the same string', () => {
    const r = createRedactor();
    r.addSecret(token(1));
    const text = `{"ts":"2024-05-01T10:00:00Z","msg":"${token(2)}"}`;
    expect(r.redactText(text)).toBe(text);
  });
});

describe('regions', () => {
  it('lets the longest match win: a secret that extends another is masked whole', () => {
    const r = createRedactor();
    const a = token(3);
    const b = a + token(4, 10);
    r.addSecret(a);
    r.addSecret(b);
    expect(r.redactText(`x ${b} y`)).toBe(`x ${REDACTED} y`);
    expect(r.redactText(`x ${a} y`)).toBe(`x ${REDACTED} y`);
  });

  it('merges overlapping matches into one region', () => {
    const r = createRedactor();
    const [p, m, q] = [token(5, 10), token(6, 10), token(7, 10)];
    r.addSecret(p + m);
    r.addSecret(m + q);
    expect(r.redactText(`<${p}${m}${q}>`)).toBe(`<${REDACTED}>`);
  });

  it('merges adjacent matches into one region', () => {
    const r = createRedactor();
    const [a, b] = [token(8), token(9)];
    r.addSecret(a);
    r.addSecret(b);
    expect(r.redactText(`(${a}${b}${a}) (${b})`)).toBe(`(${REDACTED}) (${REDACTED})`);
  });

  it('writes the same token whatever the length of the secret', () => {
    const outputs = [MIN_TEXT_MASK_LENGTH, MIN_SECRET_LENGTH - 1, MIN_SECRET_LENGTH, 20, 64, 300].map((n, i) => {
      const r = createRedactor();
      const v = token(30 + i, n);
      r.addSecret(v);
      return r.redactText(`a ${v} b`);
    });
    expect(new Set(outputs)).toEqual(new Set([`a ${REDACTED} b`]));
  });

  it('lets the longest match win between a short pattern and an indexed one that contains it', () => {
    const r = createRedactor();
    const short = shortValue(60);
    const long = `${token(61, 6)}${short}${token(62, 6)}`;
    r.addSecret(short);
    r.addSecret(long);
    expect(r.redactText(`x ${long} y ${short} z`)).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it('merges a short match that overlaps or touches an indexed one into one region', () => {
    const r = createRedactor();
    const [short, long] = [shortValue(63), token(64, 12)];
    r.addSecret(short);
    r.addSecret(long);
    expect(r.redactText(`<${short}${long}>`)).toBe(`<${REDACTED}>`);
    expect(r.redactText(`<${long}${short}${short}>`)).toBe(`<${REDACTED}>`);
    expect(r.redactText(`<${long.slice(0, -2)}${short}>`)).toBe(`<${long.slice(0, -2)}${REDACTED}>`);
    const tail = token(66, 3);
    r.addExact(long.slice(-2) + tail);
    expect(r.redactText(`<${long}${tail}>`)).toBe(`<${REDACTED}>`);
    expect(r.redactText(`<${long.slice(1)}${tail}>`)).toBe(`<${long.slice(1, -2)}${REDACTED}>`);
  });

  it('masks overlapping occurrences of one short pattern as one region', () => {
    const r = createRedactor();
    const c = token(65, 1);
    r.addExact(c.repeat(4));
    expect(r.redactText(`-${c.repeat(9)}-${c.repeat(3)}-`)).toBe(`-${REDACTED}-${c.repeat(3)}-`);
  });

  it('masks secrets added after earlier output', () => {
    const r = createRedactor();
    const v = token(10);
    expect(r.redactText(v)).toBe(v);
    r.addSecret(v);
    expect(r.redactText(v)).toBe(REDACTED);
  });
});

describe('registration', () => {
  it('adds the exact derived string and nothing else', () => {
    const r = createRedactor();
    const header = `Basic ${Buffer.from(`${token(11, 8)}:${token(12, 16)}`).toString('base64')}`;
    expect(r.addExact(header)).toEqual({ short: false, shortLeaves: 0 });
    expect(r.size).toBe(1);
    expect(r.redactText(`Authorization: ${header}\n`)).toBe(`Authorization: ${REDACTED}\n`);
    expect(r.redactText(encodeURIComponent(header))).toBe(encodeURIComponent(header));
  });

  it('counts distinct patterns: adding a value twice adds nothing', () => {
    const r = createRedactor();
    r.addSecret(token(13));
    const n = r.size;
    expect(n).toBeGreaterThan(1);
    r.addSecret(token(13));
    expect(r.size).toBe(n);
  });

  it('masks a number as its JSON text', () => {
    const r = createRedactor();
    const n = sampleOf(fc.integer({ min: 10 ** 9, max: 2 ** 31 - 1 }), 14);
    expect(r.addSecret(n).short).toBe(false);
    expect(r.redactText(`pin=${n};`)).toBe(`pin=${REDACTED};`);
    expect(r.redactStructured({ pin: n })).toEqual({ pin: REDACTED });
  });

  it('masks an object as its JSON text and each string leaf of 4 code points or more, and counts its tiny leaves', () => {
    const r = createRedactor();
    const value = { user: tinyValue(15), password: token(16), nested: [token(17)] };
    expect(r.addSecret(value)).toEqual({ short: false, shortLeaves: 1 });
    expect(r.redactText(JSON.stringify(value))).toBe(REDACTED);
    expect(r.redactText(JSON.stringify(value, null, 2))).toBe(REDACTED);
    expect(r.redactText(`p=${value.password} n=${value.nested[0]}`)).toBe(`p=${REDACTED} n=${REDACTED}`);
    expect(r.redactStructured({ who: value.user })).toEqual({ who: REDACTED });
  });

  it('masks a number leaf of an object secret wherever its text appears, as a top-level number is', () => {
    // the confirmed leak: an object secret sent as a body, and a server answering with the number in its text
    const r = createRedactor();
    const value = { user: `svc-${token(40, 8)}`, pin: digits(41, 8) };
    r.addSecret(value);
    expect(r.redactText(`pin=${value.pin}`)).toBe(`pin=${REDACTED}`);
    expect(r.redactText(`{"echo":"${Buffer.from(String(value.pin)).toString('base64')}"}`)).toBe(`{"echo":"${REDACTED}"}`);
    expect(r.redactStructured({ pin: value.pin, text: `got ${value.pin}.` })).toEqual({ pin: REDACTED, text: `got ${REDACTED}.` });
  });

  it('masks number and bigint leaves of 4 characters or more at any depth inside text; a shorter number leaf (a port, a count) nowhere', () => {
    const r = createRedactor();
    const [long, short, tiny, big] = [digits(42, 10), digits(43, 5), digits(44, 2), BigInt(digits(45, 9)) * 1000n];
    expect(r.addSecret({ a: [{ long }], b: { short, tiny }, f: true, n: null })).toEqual({ short: false, shortLeaves: 0 });
    // no JSON text for a bigint, but its leaf is still registered
    r.addSecret({ big });
    expect(r.redactText(`${long} ${short} ${big} ${tiny}`)).toBe(`${REDACTED} ${REDACTED} ${REDACTED} ${tiny}`);
    expect(r.redactStructured([tiny, String(tiny), tiny + 1, true, null])).toEqual([tiny, String(tiny), tiny + 1, true, null]);
  });

  it('a secret with a port and a retry count beside its password leaves status codes and other small numbers alone', () => {
    const r = createRedactor();
    r.addSecret({ host: `db-${token(47, 12)}.internal`, port: 443, retries: 3, timeoutMs: 200 });
    expect(r.redactStructured({ status: 200, attempts: 3, port: 443 })).toEqual({ status: 200, attempts: 3, port: 443 });
  });
});

describe('short values (4 to 7 code points)', () => {
  it('masks a value of 4 to 7 code points inside running text and does not report it short', () => {
    const r = createRedactor();
    const [v, w] = [shortValue(18), shortValue(19)];
    expect(r.addSecret(v)).toEqual({ short: false, shortLeaves: 0 });
    expect(r.addExact(w)).toEqual({ short: false, shortLeaves: 0 });
    expect(r.redactText(`x ${v} y ${w}z`)).toBe(`x ${REDACTED} y ${REDACTED}z`);
  });

  it('masks a 7-character value echoed inside an error message', () => {
    // the confirmed leak: a server answering "Invalid key <value> given"
    const r = createRedactor();
    const v = token(46, 7);
    r.addSecret(v);
    expect(r.redactText(`{"error":"Invalid key ${v} given"}`)).toBe(`{"error":"Invalid key ${REDACTED} given"}`);
    expect(r.redactStructured({ error: { message: `Invalid key ${v} given` } })).toEqual({ error: { message: `Invalid key ${REDACTED} given` } });
  });

  it('masks the encodings of a short value inside text, the short ones and those of 8 units or more', () => {
    const r = createRedactor();
    const v = `${token(47, 3)}/é`;
    r.addSecret(v);
    const forms = oracleForms(v);
    for (const family of ['raw', 'json', 'uriComponent', 'form', 'base64', 'base64url', 'hex', 'html', 'htmlDecimal'] as const) {
      const out = r.redactText(`see (${forms[family]!}) here`);
      expect({ family, out }).toEqual({ family, out: `see (${REDACTED}) here` });
    }
    for (let before = 0; before < 3; before++) {
      const { blob, middle } = base64Blob(v, new Uint8Array(before).fill(0x41), new Uint8Array(2).fill(0x42), false);
      expect({ before, leaked: unmaskedPieces(r.redactText(`data=${blob};`)).some((p) => p.includes(middle)) }).toEqual({ before, leaked: false });
    }
  });

  it('masks every occurrence inside strings and keys of a structure, over-masking unrelated ones', () => {
    const r = createRedactor();
    const v = shortValue(48);
    r.addSecret(v);
    expect(r.redactStructured({ a: v, list: [`x${v}`, `${v}${v}`], [`k${v}`]: 1, n: 'fine' })).toEqual({
      a: REDACTED,
      list: [`x${REDACTED}`, REDACTED],
      [`k${REDACTED}`]: 1,
      n: 'fine',
    });
  });

  it('masks a short number inside text and a number that contains it', () => {
    const r = createRedactor();
    const pin = digits(49, 4);
    r.addSecret(pin);
    expect(r.redactText(`code ${pin}, ref 9${pin}9`)).toBe(`code ${REDACTED}, ref 9${REDACTED}9`);
    expect(r.redactStructured({ pin, ref: Number(`9${pin}`) })).toEqual({ pin: REDACTED, ref: `9${REDACTED}` });
  });
});

describe('tiny values (1 to 3 code points)', () => {
  it(`reports a value under ${MIN_TEXT_MASK_LENGTH} code points as short and leaves it in running text`, () => {
    const r = createRedactor();
    const v = tinyValue(18);
    expect(r.addSecret(v)).toEqual({ short: true, shortLeaves: 0 });
    expect(r.addExact(tinyValue(19)).short).toBe(true);
    expect(r.redactText(`x ${v} y`)).toBe(`x ${v} y`);
  });

  it('counts code points, not UTF-16 units: three astral characters are tiny, four are masked in text', () => {
    const r = createRedactor();
    expect(r.addSecret('\u{1F600}\u{1F601}\u{1F602}').short).toBe(true);
    expect(r.addSecret('\u{1F603}\u{1F604}\u{1F605}\u{1F606}').short).toBe(false);
    expect(r.redactText('a\u{1F600}\u{1F601}\u{1F602}b\u{1F603}\u{1F604}\u{1F605}\u{1F606}c')).toBe(`a\u{1F600}\u{1F601}\u{1F602}b${REDACTED}c`);
  });

  it('counts a lone high and a lone low surrogate that meet as one code point', () => {
    // found by fast-check under the former 8-code-point rule: eight generated units, seven code points
    const r = createRedactor();
    expect(r.addSecret('"\u0000\u0000\ud800\udc00"\u0000\ud800').short).toBe(false);
    expect(r.addSecret('\u0000é\u0000é\u0000"\u0000\u0000').short).toBe(false);
    expect(r.redactText('\u0000é\u0000é\u0000"\u0000\u0000"\u0000\u0000\ud800\udc00"\u0000\ud800')).toBe(REDACTED);
    // the same at the new threshold: four units, three code points
    expect(r.addSecret('\u0000\ud800\udc00\u0000').short).toBe(true);
    expect(r.addSecret('\u0001\udc00\ud800\u0001').short).toBe(false);
    expect(r.redactText('<\u0000\ud800\udc00\u0000><\u0001\udc00\ud800\u0001>')).toBe(`<\u0000\ud800\udc00\u0000><${REDACTED}>`);
  });

  it('masks a string equal to a tiny value, or to one of its whole encodings, wherever it sits in a structure', () => {
    const r = createRedactor();
    const v = `${tinyValue(20).slice(0, 1)}/é`;
    r.addSecret(v);
    const b64 = Buffer.from(v).toString('base64');
    const input = { a: v, list: [v, `x${v}`], [v]: 1, enc: { b64, pct: encodeURIComponent(v) }, flag: true, none: null };
    expect(r.redactStructured(input)).toEqual({
      a: REDACTED,
      list: [REDACTED, `x${v}`],
      [REDACTED]: 1,
      enc: { b64: REDACTED, pct: REDACTED },
      flag: true,
      none: null,
    });
  });

  it('never masks empty strings, booleans or null structurally', () => {
    const r = createRedactor();
    for (const v of ['', true, false, null]) expect(r.addSecret(v).short).toBe(true);
    expect(r.redactStructured({ a: '', b: true, c: false, d: null, e: 'true' })).toEqual({ a: '', b: true, c: false, d: null, e: 'true' });
  });
});

describe('redactStructured', () => {
  it('redacts strings and keys deeply and leaves the input untouched', () => {
    const r = createRedactor();
    const v = token(22);
    r.addSecret(v);
    const input = { [`k-${v}`]: [`t ${v}`, { n: 1, s: v }], ok: 'fine' };
    const copy = structuredClone(input);
    expect(r.redactStructured(input)).toEqual({ [`k-${REDACTED}`]: [`t ${REDACTED}`, { n: 1, s: REDACTED }], ok: 'fine' });
    expect(input).toEqual(copy);
  });

  it('keeps a "__proto__" key as an own key', () => {
    // found by fast-check
    const input = JSON.parse('{"":{"__proto__":null}}') as unknown;
    const out = createRedactor().redactStructured(input);
    expect(out).toEqual(input);
    expect(Object.keys((out as Record<string, object>)[''] ?? {})).toEqual(['__proto__']);
  });

  it('keeps both entries when two keys redact to the same text', () => {
    const r = createRedactor();
    const [a, b] = [token(23), token(24)];
    r.addSecret(a);
    r.addSecret(b);
    expect(r.redactStructured({ [a]: 1, [b]: 2 })).toEqual({ [REDACTED]: 1, [`${REDACTED}#2`]: 2 });
  });

  it('handles cycles, errors, maps, sets, dates and bytes', () => {
    const r = createRedactor();
    const v = token(25);
    r.addSecret(v);
    const cyclic: Record<string, unknown> = { s: v };
    cyclic['self'] = cyclic;
    expect(r.redactStructured(cyclic)).toEqual({ s: REDACTED, self: '[Circular]' });
    const err = r.redactStructured(new Error(`bad ${v}`)) as Record<string, unknown>;
    expect(err['message']).toBe(`bad ${REDACTED}`);
    expect(String(err['stack'])).not.toContain(v);
    expect(r.redactStructured(new Map([[v, v]]))).toEqual([[REDACTED, REDACTED]]);
    expect(r.redactStructured(new Set([v]))).toEqual([REDACTED]);
    expect(r.redactStructured(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(r.redactStructured(new TextEncoder().encode(`b ${v}`))).toBe(`b ${REDACTED}`);
    expect(r.redactStructured({ f: () => v, u: undefined })).toEqual({ f: undefined, u: undefined });
  });
});

describe('failing closed', () => {
  const throwing = (): unknown =>
    Object.defineProperty({}, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter failed');
      },
    });

  it('drops the whole output of a structure that fails midway', () => {
    const r = createRedactor();
    r.addSecret(token(26));
    expect(r.redactStructured({ before: token(26), bad: throwing() })).toBe(REDACTED);
    expect(safeRedact(r, { bad: throwing() })).toBe(REDACTED);
  });

  it('registers what it can of a value that fails midway, reports it short and does not throw', () => {
    const r = createRedactor();
    const v = token(28);
    expect(r.addSecret({ ok: v, bad: throwing() })).toEqual({ short: true, shortLeaves: 0 });
    expect(r.addExact(7 as unknown as string)).toEqual({ short: true, shortLeaves: 0 });
  });

  it('drops text that is not a string instead of passing it through', () => {
    const r = createRedactor();
    expect(r.redactText(42 as unknown as string)).toBe(REDACTED);
  });

  it('sends strings through redactText and anything else through redactStructured', () => {
    const r = createRedactor();
    const v = token(27);
    r.addSecret(v);
    expect(safeRedact(r, `a ${v}`)).toBe(`a ${REDACTED}`);
    expect(safeRedact(r, [v])).toEqual([REDACTED]);
  });
});
