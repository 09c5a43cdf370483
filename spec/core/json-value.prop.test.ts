// JSON values: the codec accepts every JSON value, its guard agrees with its decoder, and values round-trip with their type.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { JsonValueC, parseJson, serializeJson, type JsonValue } from '../../src/core/json-value.ts';
import { jsonValueArb } from '../support/arbitraries.ts';

/** What JSON itself does to a value: -0 becomes 0; everything else is kept. Own keys only, so "__proto__" stays a key. */
const throughJson = (v: JsonValue): JsonValue => {
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(throughJson);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, throughJson(x as JsonValue)]));
};

/** Type tags all the way down, so a number that came back as a string (or 0 as false) is caught. */
const shape = (v: unknown): unknown => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
};

describe('JsonValueC', () => {
  test.prop([jsonValueArb])('accepts every JSON value', (v) => {
    expect(JsonValueC.is(v)).toBe(true);
    expect(JsonValueC.decode(v)).toEqual(E.right(v));
  });

  test.prop([fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true })])(
    'the guard and the decoder agree on anything',
    (u) => {
      expect(JsonValueC.is(u)).toBe(E.isRight(JsonValueC.decode(u)));
    },
  );

  test.prop([fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withBoxedValues: true, withSparseArray: true })])(
    'whatever it accepts, JSON.stringify writes and JSON.parse reads back to the same text',
    (u) => {
      if (!JsonValueC.is(u)) return;
      const text = JSON.stringify(u);
      expect(typeof text).toBe('string');
      expect(JSON.stringify(JSON.parse(text))).toBe(text);
    },
  );
});

describe('serializeJson / parseJson', () => {
  test.prop([jsonValueArb])('a value comes back with its type (only -0 comes back as 0)', (v) => {
    const back = parseJson(serializeJson(v));
    expect(back).toEqual(throughJson(v));
    expect(shape(back)).toEqual(shape(v));
  });

  test.prop([jsonValueArb])('serialising is stable: a value that came back serialises to the same text', (v) => {
    const text = serializeJson(v);
    expect(serializeJson(parseJson(text)!)).toBe(text);
  });

  test('-0 is stored as 0, as JSON writes it', () => {
    expect(Object.is(parseJson(serializeJson(-0)), 0)).toBe(true);
    expect(parseJson(serializeJson({ a: [-0] }))).toEqual({ a: [0] });
  });

  test('a "__proto__" key comes back as an ordinary key, not as a prototype', () => {
    const v = JSON.parse('{"__proto__":{"polluted":true}}') as JsonValue;
    expect(JsonValueC.is(v)).toBe(true);
    const back = parseJson(serializeJson(v)) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test.each(['', '{', 'undefined', 'NaN', "{'a':1}", '[1,]', '01'])('parseJson refuses text that is not JSON (%j)', (text) => {
    expect(parseJson(text)).toBeUndefined();
  });

  test('the largest and smallest doubles and long strings round-trip', () => {
    for (const v of [Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_SAFE_INTEGER, 0.1 + 0.2, '\u0000\u2028\ud83d\ude00', '\ud800']) {
      expect(parseJson(serializeJson(v))).toBe(v);
    }
  });
});
