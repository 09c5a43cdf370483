// Path properties: print/parse round trip, lookup agrees with a plain oracle, and prototypes are never reached.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { getPath, parsePath, printPath, type Path, type PathSegment } from '../../src/core/path.ts';

const identifierArb = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,6}$/);
const segmentArb: fc.Arbitrary<PathSegment> = fc.oneof(identifierArb, fc.string({ unit: 'binary', maxLength: 8 }), fc.nat({ max: 20 }));
const pathArb: fc.Arbitrary<Path> = fc.oneof(
  fc.record({ root: identifierArb.filter((r) => r !== 'secret'), rest: fc.array(segmentArb, { maxLength: 5 }) }),
  fc.record({ root: fc.constant('secret'), rest: fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 })) }),
);

/** The lookup a careful reader would write for JSON data. */
const oracle = (value: unknown, segments: readonly PathSegment[]): unknown => {
  let v = value;
  for (const s of segments) {
    if (Array.isArray(v)) v = typeof s === 'number' ? v[s] : undefined;
    else if (v !== null && typeof v === 'object' && !['__proto__', 'constructor', 'prototype'].includes(String(s)) && Object.hasOwn(v, String(s)))
      v = (v as Record<string, unknown>)[String(s)];
    else return undefined;
  }
  return v;
};

describe('path properties', () => {
  test.prop([pathArb])('parsePath reads back what printPath writes', (path) => {
    expect(parsePath(printPath(path))).toEqual(E.right(path));
  });

  test.prop([fc.string({ unit: fc.constantFrom('a', '.', '[', ']', '"', "'", '\\', '0', '1', ' ', '-', 'u'), maxLength: 16 })])(
    'parsePath never throws, and an error points inside the text',
    (text) => {
      const r = parsePath(text);
      if (E.isLeft(r)) {
        expect(r.left.position).toBeGreaterThanOrEqual(0);
        expect(r.left.position).toBeLessThanOrEqual(text.length);
      }
    },
  );

  test.prop([fc.jsonValue(), fc.array(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', '0'), fc.nat({ max: 3 })), { maxLength: 4 })])(
    'getPath agrees with an own-property oracle on JSON data',
    (value, segments) => {
      expect(getPath(value, segments)).toEqual(oracle(value, segments));
    },
  );

  test.prop([fc.array(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'length'), { minLength: 1, maxLength: 4 }), fc.constantFrom<unknown>({}, [], '', 0, () => 0)])(
    'prototype members are never reached',
    (segments, start) => {
      expect(getPath(start, segments)).toBeUndefined();
    },
  );
});
