// Examples of the redaction stream: every split point, what it holds back (short patterns included), invalid UTF-8, closing and failing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, createRedactor } from '../../src/core/redactor.ts';
import { oracleForms, sampleOf, secretArb, unmaskedPieces, wellFormed } from '../support/redaction-oracle.ts';

const asciiToken = (seed: number, length: number): string =>
  sampleOf(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: length, maxLength: length }), seed);

const encoder = new TextEncoder();

describe('stream', () => {
  it('gives the whole-text output for every single cut and every chunk size', () => {
    const r = createRedactor();
    const [a, b] = [sampleOf(secretArb, 40), sampleOf(secretArb, 41)];
    r.addSecret(a);
    r.addSecret(b);
    const text = `é ${a}${b} 😀 ${oracleForms(a)['base64']} ${oracleForms(b)['jsonAsciiUpper']}${a} end`;
    const bytes = encoder.encode(text);
    // the bytes carry each lone surrogate as U+FFFD
    const whole = r.redactText(wellFormed(text));
    expect(unmaskedPieces(whole).some((p) => p.includes(wellFormed(a)) || p.includes(wellFormed(b)))).toBe(false);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = r.stream();
      expect({ cut, out: s.write(bytes.subarray(0, cut)) + s.write(bytes.subarray(cut)) + s.end() }).toEqual({ cut, out: whole });
    }
    for (let size = 1; size <= 9; size++) {
      const s = r.stream();
      let out = '';
      for (let i = 0; i < bytes.length; i += size) out += s.write(bytes.subarray(i, i + size));
      expect({ size, out: out + s.end() }).toEqual({ size, out: whole });
    }
  });

  it('holds back only the longest pattern length minus one', () => {
    const r = createRedactor();
    r.addExact(asciiToken(42, 20));
    const s = r.stream();
    expect(s.write('x'.repeat(100))).toBe('x'.repeat(81));
    expect(s.write('y')).toBe('x');
    expect(s.end()).toBe('x'.repeat(18) + 'y');
  });

  it('holds back the longest pattern length minus one when every pattern is short', () => {
    const r = createRedactor();
    r.addExact(asciiToken(45, 6));
    const s = r.stream();
    expect(s.write('x'.repeat(100))).toBe('x'.repeat(95));
    expect(s.end()).toBe('x'.repeat(5));
  });

  it('masks a short value and its short encodings split at every cut, next to a long one', () => {
    const r = createRedactor();
    const [short, long] = [`${asciiToken(46, 4)}é`, asciiToken(47, 12)];
    r.addSecret(short);
    r.addSecret(long);
    const b64 = Buffer.from(short).toString('base64');
    const text = `Invalid key ${short} given; ${long}${short} ${encodeURIComponent(short)} ${b64} ${short}`;
    const whole = r.redactText(text);
    expect(whole).toBe(`Invalid key ${REDACTED} given; ${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED}`);
    const bytes = encoder.encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = r.stream();
      expect({ cut, out: s.write(bytes.subarray(0, cut)) + s.write(bytes.subarray(cut)) + s.end() }).toEqual({ cut, out: whole });
    }
    const s = r.stream();
    let out = '';
    for (const ch of text) out += s.write(ch);
    expect(out + s.end()).toBe(whole);
  });

  it('holds back nothing but an incomplete UTF-8 sequence when no secret is registered', () => {
    const s = createRedactor().stream();
    const euro = encoder.encode('€');
    expect(s.write(Uint8Array.of(0x61, 0x62, euro[0]!, euro[1]!))).toBe('ab');
    expect(s.write(euro.subarray(2))).toBe('€');
    expect(s.write(Uint8Array.of(0xe2))).toBe('');
    expect(s.end()).toBe('\ufffd');
  });

  it('decodes invalid UTF-8 with replacement characters, as TextDecoder does', () => {
    const bytes = Uint8Array.of(0x61, 0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x62);
    const s = createRedactor().stream();
    let out = '';
    for (const b of bytes) out += s.write(Uint8Array.of(b));
    expect(out + s.end()).toBe(new TextDecoder().decode(bytes));
  });

  it('writes one token early for a long run of back-to-back secrets, without holding the run', () => {
    const r = createRedactor();
    const v = asciiToken(43, 16);
    r.addSecret(v);
    const s = r.stream();
    let out = '';
    for (let i = 0; i < 50; i++) out += s.write(v);
    expect(out).toBe(REDACTED);
    expect(s.write(' tail')).toBe('');
    expect(s.end()).toBe(' tail');
  });

  it('returns nothing after end', () => {
    const s = createRedactor().stream();
    expect(s.write('a')).toBe('a');
    expect(s.end()).toBe('');
    expect(s.write('b')).toBe('');
    expect(s.end()).toBe('');
  });

  it('closes on a chunk that is neither bytes nor text: the token once, then nothing', () => {
    const r = createRedactor();
    r.addSecret(asciiToken(44, 12));
    const s = r.stream();
    expect(s.write('held text')).toBe('');
    expect(s.write(42 as unknown as string)).toBe(REDACTED);
    expect(s.write('more')).toBe('');
    expect(s.end()).toBe('');
  });
});
