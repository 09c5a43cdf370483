// Examples of the encoded forms the redactor registers for a value.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodedForms, exactForms } from '../../src/core/encodings.ts';
import { base64Blob, oracleForms, sampleOf, secretArb } from '../support/redaction-oracle.ts';

const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 12, maxLength: 12 });

describe('encodedForms', () => {
  it('lists the raw value first and every form once', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const v = sampleOf(secretArb, seed);
      const forms = encodedForms(v);
      expect(forms[0]).toBe(v);
      expect(new Set(forms).size).toBe(forms.length);
      expect(forms.every((f) => f.length > 0)).toBe(true);
    }
  });

  it('holds each family built by Node codecs for a value with slashes, quotes, spaces and non-ASCII', () => {
    const base = sampleOf(alnum, 7);
    const v = `${base.slice(0, 4)}/ "'&<>é😀${base.slice(4)}`;
    const forms = new Set(encodedForms(v));
    for (const [family, form] of Object.entries(oracleForms(v))) expect({ family, present: forms.has(form) }).toEqual({ family, present: true });
  });

  it('writes slashes as \\/ in every form that has one, as PHP JSON does', () => {
    const v = `${sampleOf(alnum, 3)}/${sampleOf(alnum, 4)}`;
    const forms = new Set(encodedForms(v));
    expect(forms.has(v.replace('/', '\\/'))).toBe(true);
    const b64 = Buffer.from(v).toString('base64');
    if (b64.includes('/')) expect(forms.has(b64.replaceAll('/', '\\/'))).toBe(true);
  });

  it('has the \\uXXXX form of every character in both hex cases, and the form-urlencoded form with +', () => {
    const v = `${sampleOf(alnum, 5)} é`;
    const forms = new Set(encodedForms(v));
    const all = [...v].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
    expect(forms.has(all)).toBe(true);
    expect(forms.has(all.toUpperCase().replaceAll('\\U', '\\u'))).toBe(true);
    expect(forms.has(new URLSearchParams({ k: v }).toString().slice(2))).toBe(true);
    expect([...forms].some((f) => f.includes('+'))).toBe(true);
  });

  it('has the HTML hex entity forms and the &#x27; quote', () => {
    const v = `${sampleOf(alnum, 9)}'`;
    const forms = new Set(encodedForms(v));
    expect(forms.has(v.replace("'", '&#x27;'))).toBe(true);
    expect(forms.has([...v].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join(''))).toBe(true);
    expect(forms.has([...v].map((c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`).join(''))).toBe(true);
  });

  it('has the stable middle of base64 and base64url at byte offsets 0, 1 and 2', () => {
    const v = sampleOf(secretArb, 11);
    const forms = new Set(encodedForms(v));
    for (const offset of [0, 1, 2, 3, 4, 5])
      for (const url of [false, true]) {
        const { middle } = base64Blob(v, new Uint8Array(offset).fill(0xff), Uint8Array.of(0xfe, 0xfd), url);
        expect({ offset, url, present: forms.has(middle) }).toEqual({ offset, url, present: true });
      }
  });
});

describe('encodedForms, counterexamples fast-check found', () => {
  it('writes control characters and non-ASCII with upper-case hex alike in the upper-case \\u form', () => {
    const v = '\u000e\u0000\u0000\u0000\u0000\u0000é"\u0000';
    expect(encodedForms(v)).toContain('\\u000E\\u0000\\u0000\\u0000\\u0000\\u0000\\u00E9\\"\\u0000');
    for (const f of Object.values(oracleForms(v))) expect(encodedForms(v)).toContain(f);
  });
});

describe('exactForms', () => {
  it('holds the whole-value encodings but no base64 slice of a larger blob', () => {
    const v = sampleOf(alnum, 13) + 'x';
    const exact = new Set(exactForms(v));
    const o = oracleForms(v);
    for (const f of ['raw', 'base64', 'base64Unpadded', 'base64url', 'hex', 'uriComponent']) expect(exact.has(o[f]!)).toBe(true);
    const { middle } = base64Blob(v, Uint8Array.of(1), new Uint8Array(0), false);
    expect(exact.has(middle)).toBe(false);
    expect([...exact].every((f) => encodedForms(v).includes(f))).toBe(true);
  });
});

describe('the encodings a URL parser applies', () => {
  it('includes the value as `new URL` writes it into a path and into a query', () => {
    // (A backslash is no example: in a special URL's path it becomes '/', a change of text, not an encoding.)
    const value = `abc def|ghi^jkl'"<>\`{}x`;
    const path = new URL(`https://h/items/${value}`).pathname.slice('/items/'.length);
    const query = new URL(`https://h/?k=${value}`).search.slice('?k='.length);
    const forms = encodedForms(value);
    expect(forms).toContain(path);
    expect(forms).toContain(query);
  });
});
