// Paths: the three segment forms, errors that name the position, and lookups that stay on own data.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { getPath, parsePath, printPath, printSegments, type Path } from '../../src/core/path.ts';
import type { TemplateError } from '../../src/core/template-error.ts';

const ok = (text: string): Path => {
  const r = parsePath(text);
  if (E.isLeft(r)) throw new Error(`expected a path, got ${r.left.message}`);
  return r.right;
};
const err = (text: string): TemplateError => {
  const r = parsePath(text);
  if (E.isRight(r)) throw new Error('expected an error');
  return r.left;
};

describe('parsePath', () => {
  test('dots name properties', () => {
    expect(ok('a.b.c')).toEqual({ root: 'a', rest: ['b', 'c'] });
  });

  test('brackets with digits are array indexes', () => {
    expect(ok('items[0][12]')).toEqual({ root: 'items', rest: [0, 12] });
  });

  test('brackets with double or single quotes take keys with dashes, dots and spaces', () => {
    expect(ok('a["k-ey"]')).toEqual({ root: 'a', rest: ['k-ey'] });
    expect(ok("a['x.y z']")).toEqual({ root: 'a', rest: ['x.y z'] });
  });

  test('quoted keys take escapes, including the other quote and \\u', () => {
    expect(ok(String.raw`a["say \"hi\"\n"]`)).toEqual({ root: 'a', rest: ['say "hi"\n'] });
    expect(ok(String.raw`a['it\'s']`)).toEqual({ root: 'a', rest: ["it's"] });
    expect(ok(String.raw`a["\u00e9"]`)).toEqual({ root: 'a', rest: ['é'] });
  });

  test('whitespace is allowed around the path and inside brackets', () => {
    expect(ok('  a[ 1 ][ "b" ]  ')).toEqual({ root: 'a', rest: [1, 'b'] });
  });

  test('a secret path names exactly one secret', () => {
    expect(ok('secret.clientSecret')).toEqual({ root: 'secret', rest: ['clientSecret'] });
    expect(ok('secret["my-key"]')).toEqual({ root: 'secret', rest: ['my-key'] });
  });

  test.each([
    ['', 'malformed_path', 0],
    ['1a', 'malformed_path', 0],
    ['a.', 'malformed_path', 2],
    ['a..b', 'malformed_path', 2],
    ['a.b-c', 'malformed_path', 3],
    ['a[', 'malformed_path', 2],
    ['a[x]', 'malformed_path', 2],
    ['a[01]', 'malformed_path', 2],
    ['a[-1]', 'malformed_path', 2],
    ['a[1.5]', 'malformed_path', 3],
    ['a[99999999999999999999]', 'malformed_path', 2],
    ['a["k"', 'malformed_path', 5],
    ['a["k', 'unterminated_string', 2],
    [String.raw`a["\q"]`, 'invalid_escape', 3],
    [String.raw`a["\u12"]`, 'invalid_escape', 3],
    ['a b', 'malformed_path', 2],
  ])('the malformed path %j is refused with %s at position %i', (text, code, position) => {
    const e = err(text);
    expect(e.code).toBe(code);
    expect(e.position).toBe(position);
    expect(e.message).toContain(`position ${position}`);
  });

  test.each([
    ['secret', 6],
    ['secret[0]', 6],
    ['secret[""]', 6],
  ])('a secret path without a name (%j) is refused', (text, position) => {
    const e = err(text);
    expect(e.code).toBe('missing_secret_name');
    expect(e.position).toBe(position);
  });

  test('a secret reference has no fields', () => {
    expect(err('secret.a.b')).toMatchObject({ code: 'malformed_path', position: 8 });
  });

  test('the message does not quote the text', () => {
    expect(err('a["unterminated-marker').message).not.toContain('marker');
  });
});

describe('printPath', () => {
  test('prints identifiers with dots and everything else in brackets', () => {
    expect(printPath({ root: 'a', rest: ['b', 0, 'k-ey', '', 'x"y'] })).toBe('a.b[0]["k-ey"][""]["x\\"y"]');
  });

  test('printSegments names a location inside a value', () => {
    expect(printSegments(['body', 'headers', 'X-Api', 2])).toBe('.body.headers["X-Api"][2]');
  });
});

describe('getPath', () => {
  const data = { a: { b: [10, { c: 'deep' }] }, 'k-ey': 1, n: null, '0': 'zero' };

  test('walks properties and indexes', () => {
    expect(getPath(data, ['a', 'b', 1, 'c'])).toBe('deep');
    expect(getPath(data, ['k-ey'])).toBe(1);
    expect(getPath(data, ['n'])).toBeNull();
    expect(getPath(data, [])).toBe(data);
  });

  test('anything missing is undefined', () => {
    expect(getPath(data, ['x', 'y'])).toBeUndefined();
    expect(getPath(data, ['n', 'y'])).toBeUndefined();
    expect(getPath(data, ['a', 'b', 5])).toBeUndefined();
    expect(getPath(undefined, ['a'])).toBeUndefined();
  });

  test('a number on an object reads the key of that number', () => {
    expect(getPath(data, [0])).toBe('zero');
  });

  test('arrays take integer indexes only', () => {
    const arr = ['x', 'y'];
    expect(getPath(arr, ['0'])).toBeUndefined();
    expect(getPath(arr, ['length'])).toBeUndefined();
    expect(getPath(arr, [-1])).toBeUndefined();
    expect(getPath(arr, [0.5])).toBeUndefined();
  });

  test('prototype names are never reached, even as own properties', () => {
    const plain = {};
    expect(getPath(plain, ['__proto__'])).toBeUndefined();
    expect(getPath(plain, ['constructor'])).toBeUndefined();
    expect(getPath(plain, ['constructor', 'prototype'])).toBeUndefined();
    expect(getPath(plain, ['toString'])).toBeUndefined();
    expect(getPath(plain, ['hasOwnProperty'])).toBeUndefined();
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as unknown;
    expect(getPath(parsed, ['__proto__', 'x'])).toBeUndefined();
    expect(getPath(parsed, ['constructor'])).toBeUndefined();
    expect(getPath(() => 0, ['prototype'])).toBeUndefined();
  });

  test('strings and other primitives have no properties', () => {
    expect(getPath('text', ['length'])).toBeUndefined();
    expect(getPath('text', [0])).toBeUndefined();
    expect(getPath(5, ['toFixed'])).toBeUndefined();
  });

  test('getters are not invoked', () => {
    let called = false;
    const o = Object.defineProperty({}, 'g', { enumerable: true, get: () => ((called = true), 1) });
    expect(getPath(o, ['g'])).toBeUndefined();
    expect(called).toBe(false);
  });
});
