// Properties of the encoded forms: every encoding Node's own codecs produce is among them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodedForms, exactForms } from '../../src/core/encodings.ts';
import { base64Blob, oracleForms, secretArb } from '../support/redaction-oracle.ts';

const bytesArb = fc.uint8Array({ maxLength: 5 });

describe('encodedForms, compared with Node codecs', () => {
  it('holds every whole-value encoding of any value', () => {
    fc.assert(
      fc.property(secretArb, (v) => {
        const forms = new Set(encodedForms(v));
        const exact = new Set(exactForms(v));
        for (const f of Object.values(oracleForms(v))) {
          expect(forms.has(f)).toBe(true);
          expect(exact.has(f)).toBe(true);
        }
      }),
    );
  });

  it('holds the value-only characters of any base64 or base64url blob the value sits in', () => {
    fc.assert(
      fc.property(secretArb, bytesArb, bytesArb, fc.boolean(), (v, prefix, suffix, url) => {
        const { middle } = base64Blob(v, prefix, suffix, url);
        expect(encodedForms(v)).toContain(middle);
      }),
    );
  });

  it('gives only what exactForms gives, plus base64 slices', () => {
    fc.assert(
      fc.property(secretArb, (v) => {
        const forms = new Set(encodedForms(v));
        for (const f of exactForms(v)) expect(forms.has(f)).toBe(true);
      }),
    );
  });
});
