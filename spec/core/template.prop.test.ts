// Template properties: text without {{ is untouched, a whole reference returns the value itself, text agrees with an oracle.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { printPath, type Path, type PathSegment } from '../../src/core/path.ts';
import { isExactTemplate, renderTemplate, secretNamesIn, type TemplateScope } from '../../src/core/template.ts';

const identifierArb = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,6}$/);
const segmentArb: fc.Arbitrary<PathSegment> = fc.oneof(identifierArb, fc.string({ unit: 'binary', maxLength: 8 }), fc.nat({ max: 20 }));
const pathArb: fc.Arbitrary<Path> = fc.record({ root: identifierArb.filter((r) => r !== 'secret'), rest: fc.array(segmentArb, { maxLength: 4 }) });
const secretNameArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 });
/** Text that cannot open a reference, alone or next to one. */
const plainTextArb = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('{{') && !s.endsWith('{'));
const noBracesJsonArb = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('{{'));

const constantScope = (value: unknown): TemplateScope => ({ lookup: () => value });

describe('template properties', () => {
  test.prop([fc.string({ unit: 'binary' }).filter((s) => !s.includes('{{')), fc.jsonValue()])(
    'a string without {{ renders to itself',
    (text, anything) => {
      expect(renderTemplate(text, constantScope(anything))).toEqual(E.right(text));
    },
  );

  test.prop([noBracesJsonArb])('a value without {{ comes back as the same value', (value) => {
    const r = renderTemplate(value, constantScope('x'));
    expect(E.isRight(r) && r.right).toBe(value);
  });

  test.prop([pathArb, fc.jsonValue(), fc.boolean()])(
    'a whole {{path}} renders to exactly the value looked up at that path',
    (path, value, spaced) => {
      const seen: [string, readonly PathSegment[]][] = [];
      const scope: TemplateScope = { lookup: (root, rest) => (seen.push([root, rest]), value) };
      const text = spaced ? `{{ ${printPath(path)} }}` : `{{${printPath(path)}}}`;
      const r = renderTemplate(text, scope);
      expect(E.isRight(r) && r.right).toBe(value);
      expect(seen).toEqual([[path.root, path.rest]]);
    },
  );

  test.prop([
    fc.array(fc.oneof(plainTextArb.map((text) => ({ text })), fc.record({ value: fc.oneof(fc.jsonValue(), fc.constant(undefined)) })), { maxLength: 6 }),
  ])('text with references agrees with the insertion oracle', (chunks) => {
    const values = new Map<string, unknown>();
    let text = '';
    let expected = '';
    chunks.forEach((c, i) => {
      if ('text' in c) {
        text += c.text;
        expected += c.text;
      } else {
        values.set(`v${i}`, c.value);
        text += `{{v${i}}}`;
        expected += c.value === undefined || c.value === null ? '' : typeof c.value === 'string' ? c.value : JSON.stringify(c.value);
      }
    });
    fc.pre(!isExactTemplate(text));
    const scope: TemplateScope = { lookup: (root) => values.get(root) };
    expect(renderTemplate(text, scope)).toEqual(E.right(expected));
  });

  test.prop([fc.array(fc.tuple(secretNameArb, plainTextArb, fc.boolean()), { maxLength: 6 }), noBracesJsonArb])(
    'secretNamesIn finds exactly the secret names written anywhere in a value',
    (uses, filler) => {
      const strings = uses.map(([name, text, bracket]) => `${text}{{ ${bracket ? `secret[${JSON.stringify(name)}]` : printPath({ root: 'secret', rest: [name] })} }}`);
      const template = { filler, list: strings, nested: { again: strings.slice(0, 1) } };
      expect(secretNamesIn(template)).toEqual(new Set(uses.map(([name]) => name)));
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom('{', '}', 'a', '.', '[', ']', '"', '\\', ' ', 's', '0'), maxLength: 24 })])(
    'rendering never throws, and an error points inside the text',
    (text) => {
      const r = renderTemplate(text, constantScope(1));
      if (E.isLeft(r)) {
        expect(r.left.position).toBeGreaterThanOrEqual(0);
        expect(r.left.position).toBeLessThanOrEqual(text.length);
      }
      expect(secretNamesIn(text)).toBeInstanceOf(Set);
    },
  );
});
