// Evaluating a condition: truthiness, JSON equality without coercion, and ordering of numbers and strings.
import type { CompareOp, Expr } from './expression.ts';
import type { TemplateScope } from './template.ts';

/**
 * JS-like truthiness: false, 0, -0, NaN, '', null and undefined (a missing value) are falsy;
 * everything else is truthy, including empty arrays and empty objects.
 */
export const isTruthy = (value: unknown): boolean => {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number') return !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  return true;
};

/**
 * Equality for ==: no type coercion (1 != '1', true != 1); null and undefined (missing) are equal;
 * arrays and plain objects compare deeply (same own keys, equal values); NaN equals nothing.
 */
export const valuesEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((key) => Object.hasOwn(b, key) && valuesEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
};

/** Ordering for > >= < <=: two numbers numerically, two strings by UTF-16 code units; anything else is false. */
const ordered = (op: '>' | '>=' | '<' | '<=', a: unknown, b: unknown): boolean => {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
};

export const compareValues = (op: CompareOp, a: unknown, b: unknown): boolean =>
  op === '==' ? valuesEqual(a, b) : op === '!=' ? !valuesEqual(a, b) : ordered(op, a, b);

const valueOf = (e: Expr, scope: TemplateScope): unknown => {
  switch (e._tag) {
    case 'Ref':
      return scope.lookup(e.path.root, e.path.rest);
    case 'Literal':
      return e.value;
    case 'Not':
      return !isTruthy(valueOf(e.operand, scope));
    case 'Compare':
      return compareValues(e.op, valueOf(e.left, scope), valueOf(e.right, scope));
    case 'And':
      return isTruthy(valueOf(e.left, scope)) && isTruthy(valueOf(e.right, scope));
    case 'Or':
      return isTruthy(valueOf(e.left, scope)) || isTruthy(valueOf(e.right, scope));
  }
};

/**
 * Whether a parsed condition holds. A lone operand is tested for truthiness; not/and/or work on
 * truthiness and short-circuit; comparisons yield booleans, so `{{a}} == 1 == true` needs parens.
 */
export const evaluateExpression = (expr: Expr, scope: TemplateScope): boolean => isTruthy(valueOf(expr, scope));
