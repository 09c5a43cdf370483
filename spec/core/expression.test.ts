// Conditions: each operator, precedence not > comparisons > and > or, truthiness, equality without coercion, errors by position.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseExpression, secretNamesInExpression, type Expr, type ExpressionError } from '../../src/core/expression.ts';
import { evaluateExpression, isTruthy, valuesEqual } from '../../src/core/expression-evaluate.ts';
import { printExpression } from '../../src/core/expression-print.ts';
import { getPath } from '../../src/core/path.ts';
import type { TemplateScope } from '../../src/core/template.ts';

const vars: Record<string, unknown> = {
  result: { error: 'not_found' },
  ok: { deleted: true },
  n: 5,
  s: '5',
  zero: 0,
  empty: '',
  nil: null,
  arr: [1, { a: 2 }],
  emptyArr: [],
  emptyObj: {},
  t: true,
  f: false,
  nan: NaN,
};
const scope: TemplateScope = { lookup: (root, rest) => getPath(vars, [root, ...rest]) };

const parse = (text: string): Expr => {
  const r = parseExpression(text);
  if (E.isLeft(r)) throw new Error(`expected an expression, got ${r.left.message}`);
  return r.right;
};
const holds = (text: string): boolean => evaluateExpression(parse(text), scope);
const fails = (text: string): ExpressionError => {
  const r = parseExpression(text);
  if (E.isRight(r)) throw new Error('expected an error');
  return r.left;
};

describe('truthiness of a lone reference', () => {
  test('a present error string is truthy, a missing one is falsy', () => {
    expect(holds('{{result.error}}')).toBe(true);
    expect(holds('{{ok.error}}')).toBe(false);
  });

  test.each(['{{zero}}', '{{empty}}', '{{nil}}', '{{f}}', '{{nan}}', '{{missing}}', '0', "''", 'null', 'false'])('%s is falsy', (text) => {
    expect(holds(text)).toBe(false);
  });

  test.each(['{{emptyArr}}', '{{emptyObj}}', '{{s}}', '{{t}}', "'0'", "' '", '-1', 'true'])('%s is truthy', (text) => {
    expect(holds(text)).toBe(true);
  });

  test('isTruthy follows JS except that it is spelled out', () => {
    for (const v of [0, -0, NaN, '', null, undefined, false, 0n]) expect(isTruthy(v)).toBe(false);
    for (const v of [1, 'x', [], {}, true, 1n, -Infinity]) expect(isTruthy(v)).toBe(true);
  });
});

describe('comparisons', () => {
  test.each([
    ["{{result.error}} == 'not_found'", true],
    ["{{result.error}} != 'not_found'", false],
    ['{{n}} == 5', true],
    ['{{n}} > 4', true],
    ['{{n}} >= 5', true],
    ['{{n}} < 5', false],
    ['{{n}} <= 5', true],
    ["'abc' < 'abd'", true],
    ["'B' < 'a'", true],
    ['1e1 == 10', true],
    ['-0 == 0', true],
    ['0.5 < 1', true],
  ])('%s is %s', (text, expected) => {
    expect(holds(text)).toBe(expected);
  });

  test('numbers and numeric strings are not coerced', () => {
    expect(holds('{{n}} == {{s}}')).toBe(false);
    expect(holds("{{n}} == '5'")).toBe(false);
    expect(holds("{{s}} > 4")).toBe(false);
    expect(holds("{{s}} <= 4")).toBe(false);
    expect(holds('{{t}} == 1')).toBe(false);
  });

  test('null equals a missing value, and nothing else', () => {
    expect(holds('{{missing}} == null')).toBe(true);
    expect(holds('{{nil}} == {{missing}}')).toBe(true);
    expect(holds('{{zero}} == null')).toBe(false);
    expect(holds("{{empty}} != null")).toBe(true);
  });

  test('arrays and objects compare deeply', () => {
    const s: TemplateScope = { lookup: (root) => (root === 'x' ? [1, { a: [2] }] : root === 'y' ? [1, { a: [2] }] : { a: 1 }) };
    expect(evaluateExpression(parse('{{x}} == {{y}}'), s)).toBe(true);
    expect(valuesEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(valuesEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(valuesEqual([1], { 0: 1 })).toBe(false);
    expect(valuesEqual(NaN, NaN)).toBe(false);
  });

  test('ordering anything but two numbers or two strings is false both ways', () => {
    for (const op of ['<', '<=', '>', '>=']) {
      expect(holds(`{{nil}} ${op} 1`)).toBe(false);
      expect(holds(`{{arr}} ${op} {{arr}}`)).toBe(false);
      expect(holds(`true ${op} false`)).toBe(false);
    }
  });
});

describe('logic and precedence', () => {
  test.each([
    ['true and false', false],
    ['true or false', true],
    ['not true', false],
    ['not not {{result.error}}', true],
    ['true or true and false', true],
    ['(true or true) and false', false],
    ['false and true or true', true],
    ['false and (true or true)', false],
    ['not false and false', false],
    ['not (false and false)', true],
    ["{{n}} > 1 and {{result.error}} == 'not_found'", true],
    ['{{n}} > 9 or {{n}} < 0 or {{n}} == 5', true],
  ])('%s is %s', (text, expected) => {
    expect(holds(text)).toBe(expected);
  });

  test('not binds tighter than a comparison: not a == b is (not a) == b', () => {
    expect(parse('not {{n}} == false')).toEqual(parse('(not {{n}}) == false'));
    expect(holds('not {{n}} == false')).toBe(true);
  });

  test('comparisons bind tighter than and, and than or', () => {
    expect(parse('{{a}} == 1 and {{b}} or {{c}} != 2')).toEqual({
      _tag: 'Or',
      left: {
        _tag: 'And',
        left: { _tag: 'Compare', op: '==', left: { _tag: 'Ref', path: { root: 'a', rest: [] } }, right: { _tag: 'Literal', value: 1 } },
        right: { _tag: 'Ref', path: { root: 'b', rest: [] } },
      },
      right: { _tag: 'Compare', op: '!=', left: { _tag: 'Ref', path: { root: 'c', rest: [] } }, right: { _tag: 'Literal', value: 2 } },
    });
  });

  test('and and or short-circuit', () => {
    const seen: string[] = [];
    const s: TemplateScope = { lookup: (root) => (seen.push(root), root === 'yes') };
    evaluateExpression(parse('{{no}} and {{x}}'), s);
    evaluateExpression(parse('{{yes}} or {{y}}'), s);
    expect(seen).toEqual(['no', 'yes']);
  });
});

describe('literals', () => {
  test('strings take either quote and escapes', () => {
    expect(parse(String.raw`'it\'s "x"\n'`)).toEqual({ _tag: 'Literal', value: `it's "x"\n` });
    expect(parse(String.raw`"\u00e9\t"`)).toEqual({ _tag: 'Literal', value: 'é\t' });
  });

  test('text inside a string literal is not a template', () => {
    const e = parse("'{{secret.x}}' == {{a}}");
    expect(e).toMatchObject({ left: { _tag: 'Literal', value: '{{secret.x}}' } });
    expect(secretNamesInExpression(e).size).toBe(0);
  });

  test('numbers, true, false and null', () => {
    expect(parse('-1.5e3')).toEqual({ _tag: 'Literal', value: -1500 });
    expect(parse('true')).toEqual({ _tag: 'Literal', value: true });
    expect(parse('null')).toEqual({ _tag: 'Literal', value: null });
  });
});

describe('errors', () => {
  test.each([
    ['', 'unexpected_end', 0],
    ['{{a}} ==', 'unexpected_end', 8],
    ['(true', 'unexpected_end', 5],
    ['true)', 'unexpected_token', 4],
    ['{{a}} {{b}}', 'unexpected_token', 6],
    ['{{a}} = 1', 'unexpected_token', 6],
    ['!{{a}}', 'unexpected_token', 0],
    ['{{a}} && {{b}}', 'unexpected_token', 6],
    ['{{a}} == yes', 'bare_word', 9],
    ['True', 'bare_word', 0],
    ['01', 'invalid_number', 0],
    ['1.', 'invalid_number', 0],
    ['1abc', 'invalid_number', 0],
    ['1e999', 'invalid_number', 0],
    ['-', 'invalid_number', 0],
    ['1 < 2 < 3', 'chained_comparison', 6],
    ["'open", 'unterminated_string', 0],
    [String.raw`'\x'`, 'invalid_escape', 1],
    ['{{a', 'unterminated_template', 0],
    ['{{a b}}', 'malformed_path', 4],
    ['{{secret}} == 1', 'missing_secret_name', 8],
  ])('%j is refused with %s at position %i', (text, code, position) => {
    const e = fails(text);
    expect(e).toMatchObject({ _tag: 'ExpressionError', code, position });
    expect(e.message).toContain(`position ${position}`);
  });

  test('nesting beyond the limit is an error, not a stack overflow', () => {
    expect(fails(`${'('.repeat(200)}true${')'.repeat(200)}`).code).toBe('too_deep');
    expect(fails(`${'not '.repeat(200)}true`).code).toBe('too_deep');
  });

  test('overlong text is refused', () => {
    expect(fails(`${'true or '.repeat(1000)}true`).code).toBe('too_long');
  });

  test('the message does not quote the text', () => {
    expect(fails("{{a}} == 'credential-marker").message).not.toContain('marker');
    expect(fails('{{a}} == marker').message).not.toContain('marker');
  });
});

describe('secretNamesInExpression', () => {
  test('collects every secret operand, by dot or bracket', () => {
    const e = parse(`{{secret.a}} == {{secret["b-c"]}} or not ({{x}} and {{secret.a}} != 'z')`);
    expect([...secretNamesInExpression(e)].sort()).toEqual(['a', 'b-c']);
  });
});

describe('printExpression', () => {
  test('prints with only the parentheses the precedence needs', () => {
    expect(printExpression(parse('(({{a}} == 1) and (not {{b}})) or ({{c}})'))).toBe('{{a}} == 1 and not {{b}} or {{c}}');
    expect(printExpression(parse('not ({{a}} == 1) and ({{b}} or {{c}})'))).toBe('not ({{a}} == 1) and ({{b}} or {{c}})');
    expect(printExpression(parse('{{x["k-ey"][0]}} != "q\'"'))).toBe('{{x["k-ey"][0]}} != "q\'"');
  });
});
