// Expression properties: print/parse round trip, evaluation agrees with an oracle, and/or/not precedence agrees with sum-of-products.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseExpression, secretNamesInExpression, type CompareOp, type Expr, type LiteralValue } from '../../src/core/expression.ts';
import { evaluateExpression } from '../../src/core/expression-evaluate.ts';
import { printExpression } from '../../src/core/expression-print.ts';
import type { Path, PathSegment } from '../../src/core/path.ts';
import { secretNamesIn, type TemplateScope } from '../../src/core/template.ts';

const identifierArb = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,5}$/);
const segmentArb: fc.Arbitrary<PathSegment> = fc.oneof(identifierArb, fc.string({ unit: 'binary', maxLength: 6 }), fc.nat({ max: 9 }));
const pathArb: fc.Arbitrary<Path> = fc.oneof(
  fc.record({ root: identifierArb.filter((r) => r !== 'secret'), rest: fc.array(segmentArb, { maxLength: 3 }) }),
  fc.record({ root: fc.constant('secret'), rest: fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })) }),
);
const OPS: readonly CompareOp[] = ['==', '!=', '>', '>=', '<', '<='];

/** Trees over any paths and literals: for the printer. */
const exprArb = (leaf: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> =>
  fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('e').map((operand): Expr => ({ _tag: 'Not', operand })),
      fc.record({ _tag: fc.constant('Compare' as const), op: fc.constantFrom(...OPS), left: tie('e'), right: tie('e') }),
      fc.record({ _tag: fc.constantFrom('And' as const, 'Or' as const), left: tie('e'), right: tie('e') }),
    ),
  })).e;

const anyLiteralArb: fc.Arbitrary<LiteralValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const anyLeafArb: fc.Arbitrary<Expr> = fc.oneof(
  pathArb.map((path): Expr => ({ _tag: 'Ref', path })),
  anyLiteralArb.map((value): Expr => ({ _tag: 'Literal', value })),
);

/** Trees over a few variables and literals drawn from a small domain, so equalities happen. */
const DOMAIN: readonly unknown[] = [0, 1, 2, -1, '', 'a', 'b', '1', true, false, null, undefined, [], [1], { a: 1 }, {}, { a: [1] }];
const VARS = ['v0', 'v1', 'v2', 'v3'];
const smallLeafArb: fc.Arbitrary<Expr> = fc.oneof(
  fc.constantFrom(...VARS).map((root): Expr => ({ _tag: 'Ref', path: { root, rest: [] } })),
  fc.constantFrom<LiteralValue>(0, 1, 2, -1, '', 'a', 'b', '1', true, false, null).map((value): Expr => ({ _tag: 'Literal', value })),
);
const envArb = fc.tuple(...VARS.map(() => fc.constantFrom(...DOMAIN)));

/** A different route to the same meaning: JSON canonical text for equality, typeof checks for order. */
const canonical = (v: unknown): string =>
  v === undefined
    ? 'null'
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : v !== null && typeof v === 'object'
        ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
        : JSON.stringify(v);
const oracle = (e: Expr, env: ReadonlyMap<string, unknown>): unknown => {
  switch (e._tag) {
    case 'Ref':
      return env.get(e.path.root);
    case 'Literal':
      return e.value;
    case 'Not':
      return !oracle(e.operand, env);
    case 'And':
      return Boolean(oracle(e.left, env)) && Boolean(oracle(e.right, env));
    case 'Or':
      return Boolean(oracle(e.left, env)) || Boolean(oracle(e.right, env));
    case 'Compare': {
      const a = oracle(e.left, env);
      const b = oracle(e.right, env);
      if (e.op === '==') return canonical(a) === canonical(b);
      if (e.op === '!=') return canonical(a) !== canonical(b);
      const sameKind = typeof a === typeof b && (typeof a === 'number' || typeof a === 'string');
      const [x, y] = [a as number, b as number];
      return sameKind && (e.op === '<' ? x < y : e.op === '<=' ? x <= y : e.op === '>' ? x > y : x >= y);
    }
  }
};

/** Fully parenthesised text, a second printer that shares nothing with printExpression's precedence rules. */
const printFull = (e: Expr): string => {
  switch (e._tag) {
    case 'Ref':
    case 'Literal':
      return printExpression(e);
    case 'Not':
      return `(not ${printFull(e.operand)})`;
    case 'Compare':
      return `(${printFull(e.left)} ${e.op} ${printFull(e.right)})`;
    case 'And':
      return `(${printFull(e.left)} and ${printFull(e.right)})`;
    case 'Or':
      return `(${printFull(e.left)} or ${printFull(e.right)})`;
  }
};

const stringLiterals = (e: Expr): string[] =>
  e._tag === 'Literal' ? (typeof e.value === 'string' ? [e.value] : []) : e._tag === 'Ref' ? [] : e._tag === 'Not' ? stringLiterals(e.operand) : [...stringLiterals(e.left), ...stringLiterals(e.right)];

const parsed = (text: string): Expr => {
  const r = parseExpression(text);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('expression properties', () => {
  test.prop([exprArb(anyLeafArb)])('parseExpression reads back what printExpression writes', (e) => {
    expect(parseExpression(printExpression(e))).toEqual(E.right(e));
  });

  test.prop([exprArb(anyLeafArb)])('fully parenthesised text parses to the same tree', (e) => {
    expect(parseExpression(printFull(e))).toEqual(E.right(e));
  });

  test.prop([exprArb(smallLeafArb), envArb])('evaluation agrees with the oracle on random trees', (e, values) => {
    const env = new Map(VARS.map((v, i) => [v, values[i]]));
    const scope: TemplateScope = { lookup: (root) => env.get(root) };
    expect(evaluateExpression(parsed(printExpression(e)), scope)).toBe(Boolean(oracle(e, env)));
  });

  test.prop([
    fc.array(fc.array(fc.tuple(fc.nat({ max: 2 }), fc.constantFrom(...VARS)), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    envArb,
  ])('without parentheses, not binds tightest, then and, then or (a sum of products)', (groups, values) => {
    const env = new Map(VARS.map((v, i) => [v, values[i]]));
    const text = groups.map((g) => g.map(([nots, v]) => `${'not '.repeat(nots)}{{${v}}}`).join(' and ')).join(' or ');
    const literal = (nots: number, v: string): boolean => (nots % 2 === 0 ? Boolean(env.get(v)) : !env.get(v));
    const expected = groups.some((g) => g.every(([nots, v]) => literal(nots, v)));
    expect(evaluateExpression(parsed(text), { lookup: (root) => env.get(root) })).toBe(expected);
  });

  test.prop([exprArb(anyLeafArb)])('the secret names of a tree are those found in its printed text, literals aside', (e) => {
    fc.pre(stringLiterals(e).every((s) => !s.includes('{')));
    expect(secretNamesIn(printExpression(e))).toEqual(secretNamesInExpression(e));
  });

  test.prop([fc.string({ unit: fc.constantFrom('{', '}', 'a', 'n', 'd', 'o', 'r', 't', ' ', '(', ')', '=', '!', '<', "'", '1', '-', '.'), maxLength: 24 })])(
    'parseExpression never throws, and an error points inside the text',
    (text) => {
      const r = parseExpression(text);
      if (E.isLeft(r)) {
        expect(r.left.position).toBeGreaterThanOrEqual(0);
        expect(r.left.position).toBeLessThanOrEqual(text.length);
      }
    },
  );
});
