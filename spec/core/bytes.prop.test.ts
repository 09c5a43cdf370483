// The pure byte codecs agree with the platform's own (Buffer, TextEncoder, TextDecoder) as oracles.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  bytesEqual,
  concatBytes,
  hexDecode,
  hexEncode,
  utf8Decode,
  utf8Encode,
} from '../../src/core/bytes.ts';

const B64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX_CHARS = '0123456789abcdefABCDEF';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// The oracle keeps a leading BOM, as utf8Decode does: a decoder must not drop a character of a secret.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const oracleDecode = (bytes: Uint8Array): string | undefined => {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
};

/** Bytes that are often almost-valid UTF-8: continuation bytes, lead bytes, overlong and surrogate forms. */
const utf8ishBytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
    ),
    { maxLength: 24 },
  )
  .map((a) => Uint8Array.from(a));

describe('utf8', () => {
  test.prop([fc.string({ unit: 'binary' })])('utf8Encode agrees with TextEncoder, lone surrogates included', (s) => {
    expect(utf8Encode(s)).toEqual(new TextEncoder().encode(s));
  });

  test.prop([fc.string({ unit: 'binary' })])('utf8Encode agrees with Buffer', (s) => {
    expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
  });

  test.prop([fc.string({ unit: 'binary' })])('utf8Decode inverts utf8Encode for well-formed strings', (s) => {
    fc.pre(!LONE_SURROGATE.test(s));
    expect(utf8Decode(utf8Encode(s))).toBe(s);
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 32 }), utf8ishBytes)])(
    'utf8Decode rejects exactly what a fatal TextDecoder rejects, and otherwise agrees with it',
    (bytes) => {
      expect(utf8Decode(bytes)).toBe(oracleDecode(bytes));
    },
  );

  test.each([
    ['an overlong two-byte form', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['an overlong four-byte form', [0xf0, 0x80, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a lead byte followed by ASCII', [0xc3, 0x41]],
    ['the byte 0xFF', [0xff]],
  ])('utf8Decode rejects %s', (_label, bytes) => {
    expect(utf8Decode(Uint8Array.from(bytes))).toBeUndefined();
  });

  test('utf8Decode keeps a leading byte order mark', () => {
    expect(utf8Decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
  });
});

describe('base64', () => {
  test.prop([fc.uint8Array({ maxLength: 300 })])('base64Encode agrees with Buffer', (bytes) => {
    expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  test.prop([fc.uint8Array({ maxLength: 300 })])('base64urlEncode agrees with Buffer', (bytes) => {
    expect(base64urlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
  });

  test.prop([fc.uint8Array({ maxLength: 300 })])('base64urlDecode inverts base64urlEncode', (bytes) => {
    expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
  });

  test.prop([fc.string({ unit: fc.constantFrom(...B64URL_CHARS), maxLength: 64 })])(
    'base64urlDecode accepts a base64url text exactly when it is the canonical encoding of some bytes',
    (text) => {
      const decoded = base64urlDecode(text);
      const oracle = Buffer.from(text, 'base64url');
      const canonical = oracle.toString('base64url') === text;
      if (canonical) expect(decoded).toEqual(new Uint8Array(oracle));
      else expect(decoded).toBeUndefined();
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), fc.nat()])(
    'base64urlDecode rejects any character outside the base64url alphabet',
    (bytes, junk, at) => {
      fc.pre([...junk].some((ch) => !B64URL_CHARS.includes(ch)));
      const text = base64urlEncode(bytes);
      const i = at % (text.length + 1);
      expect(base64urlDecode(text.slice(0, i) + junk + text.slice(i))).toBeUndefined();
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 40 })])('base64urlDecode rejects padding and the standard alphabet', (bytes) => {
    const std = base64Encode(bytes);
    const differs = std !== base64urlEncode(bytes);
    if (differs) expect(base64urlDecode(std)).toBeUndefined();
    expect(base64urlDecode(`${base64urlEncode(bytes)}=`)).toBeUndefined();
  });

  test.each([
    ['one character', 'A'],
    ['five characters', 'AAAAA'],
    ['non-zero unused bits after one byte', 'AB'],
    ['non-zero unused bits after two bytes', 'AAB'],
    ['padding', 'AA=='],
    ['whitespace', 'AA AA'],
  ])('base64urlDecode rejects %s', (_label, text) => {
    expect(base64urlDecode(text)).toBeUndefined();
  });

  test('base64urlDecode decodes the empty text to no bytes', () => {
    expect(base64urlDecode('')).toEqual(new Uint8Array(0));
  });
});

describe('hex', () => {
  test.prop([fc.uint8Array({ maxLength: 300 })])('hexEncode agrees with Buffer', (bytes) => {
    expect(hexEncode(bytes)).toBe(Buffer.from(bytes).toString('hex'));
  });

  test.prop([fc.uint8Array({ maxLength: 300 })])('hexDecode inverts hexEncode and accepts upper case', (bytes) => {
    expect(hexDecode(hexEncode(bytes))).toEqual(bytes);
    expect(hexDecode(hexEncode(bytes).toUpperCase())).toEqual(bytes);
  });

  test.prop([fc.oneof(fc.string({ unit: fc.constantFrom(...HEX_CHARS), maxLength: 40 }), fc.string({ maxLength: 40 }))])(
    'hexDecode accepts exactly even-length hexadecimal and then agrees with Buffer',
    (text) => {
      const valid = text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
      const decoded = hexDecode(text);
      if (valid) expect(decoded).toEqual(new Uint8Array(Buffer.from(text, 'hex')));
      else expect(decoded).toBeUndefined();
    },
  );
});

describe('concatBytes and bytesEqual', () => {
  test.prop([fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 6 })])('concatBytes agrees with Buffer.concat', (parts) => {
    expect(Buffer.from(concatBytes(...parts)).equals(Buffer.concat(parts))).toBe(true);
  });

  test.prop([fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 })])('bytesEqual agrees with Buffer.equals', (a, b) => {
    expect(bytesEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
    expect(bytesEqual(a, Uint8Array.from(a))).toBe(true);
  });
});
