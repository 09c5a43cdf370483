// Condition expressions: `{{path}}` and literals with == != > >= < <=, not, and, or and parentheses, parsed once into an AST.
import * as E from 'fp-ts/lib/Either.js';
import { isIdentifierPart, isIdentifierStart, isWhitespace, readQuoted, readReference, SECRET_ROOT, type Path } from './path.ts';
import type { TemplateError, TemplateErrorCode } from './template-error.ts';

// ---------------------------------------------------------------------------------------------
// model

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type LiteralValue = string | number | boolean | null;

/**
 * Grammar, loosest first (precedence not > comparisons > and > or, as specified):
 *   or      := and ('or' and)*                      left-associative
 *   and     := compare ('and' compare)*             left-associative
 *   compare := unary (op unary)?                    does not chain: `a < b < c` is an error
 *   unary   := 'not' unary | primary                so `not a == b` is `(not a) == b`
 *   primary := {{path}} | 'text' | "text" | number | true | false | null | '(' or ')'
 * Keywords are lower case. Numbers are JSON numbers (a leading `-` allowed, no leading zeros).
 * Strings take JSON escapes plus \'. Bare words are an error, so a typo never becomes text.
 */
export type Expr =
  | { readonly _tag: 'Ref'; readonly path: Path }
  | { readonly _tag: 'Literal'; readonly value: LiteralValue }
  | { readonly _tag: 'Not'; readonly operand: Expr }
  | { readonly _tag: 'Compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly _tag: 'And'; readonly left: Expr; readonly right: Expr }
  | { readonly _tag: 'Or'; readonly left: Expr; readonly right: Expr };

export type ExpressionErrorCode =
  | Exclude<TemplateErrorCode, 'unprintable_value' | 'cyclic_value'>
  | 'unexpected_token'
  | 'unexpected_end'
  | 'bare_word'
  | 'invalid_number'
  | 'chained_comparison'
  | 'too_deep'
  | 'too_long';

/** Why a condition does not parse; `position` is the 0-based offset in the condition text, which is never quoted. */
export interface ExpressionError {
  readonly _tag: 'ExpressionError';
  readonly code: ExpressionErrorCode;
  readonly message: string;
  readonly position: number;
}

/** Longest condition text accepted, and deepest nesting of `(` and `not`: keeps evaluation off the stack limit. */
export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_EXPRESSION_DEPTH = 64;

// ---------------------------------------------------------------------------------------------
// lexing

type Token =
  | { readonly kind: 'ref'; readonly path: Path; readonly pos: number }
  | { readonly kind: 'literal'; readonly value: LiteralValue; readonly pos: number }
  | { readonly kind: 'op'; readonly op: CompareOp; readonly pos: number }
  | { readonly kind: 'and' | 'or' | 'not' | '(' | ')' | 'end'; readonly pos: number };

const fail = (code: ExpressionErrorCode, problem: string, position: number): E.Either<ExpressionError, never> =>
  E.left({ _tag: 'ExpressionError', code, message: `${problem} at position ${position}`, position });

const fromTemplateError = (e: TemplateError): E.Either<ExpressionError, never> =>
  E.left({ _tag: 'ExpressionError', code: e.code as ExpressionErrorCode, message: e.message, position: e.position });

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const OPS: readonly CompareOp[] = ['==', '!=', '>=', '<=', '>', '<'];
const WORDS: Readonly<Record<string, Token['kind'] | LiteralValue>> = { and: 'and', or: 'or', not: 'not', true: true, false: false, null: null };

const lex = (text: string): E.Either<ExpressionError, readonly Token[]> => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isWhitespace(c)) {
      i++;
    } else if (text.startsWith('{{', i)) {
      const r = readReference(text, i);
      if (E.isLeft(r)) return fromTemplateError(r.left);
      tokens.push({ kind: 'ref', path: r.right.path, pos: i });
      i = r.right.end;
    } else if (c === '"' || c === "'") {
      const r = readQuoted(text, i);
      if (E.isLeft(r)) return fromTemplateError(r.left);
      tokens.push({ kind: 'literal', value: r.right.value, pos: i });
      i = r.right.end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const end = m === null ? i : i + m[0].length;
      const n = m === null ? NaN : Number(m[0]);
      if (m === null || !Number.isFinite(n) || isIdentifierPart(text[end]) || text[end] === '.') {
        return fail('invalid_number', 'invalid number', i);
      }
      tokens.push({ kind: 'literal', value: n, pos: i });
      i = end;
    } else if (isIdentifierStart(c)) {
      let end = i;
      while (isIdentifierPart(text[end])) end++;
      const word = text.slice(i, end);
      if (!Object.hasOwn(WORDS, word)) return fail('bare_word', 'bare word (quote text, or reference a value as {{path}})', i);
      const w = WORDS[word]!;
      tokens.push(w === 'and' || w === 'or' || w === 'not' ? { kind: w, pos: i } : { kind: 'literal', value: w as LiteralValue, pos: i });
      i = end;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, pos: i });
      i++;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op === undefined) {
        const hint = c === '=' ? ' (compare with ==)' : c === '!' ? ' (negate with not)' : c === '&' || c === '|' ? ' (use and / or)' : '';
        return fail('unexpected_token', `unexpected character${hint}`, i);
      }
      tokens.push({ kind: 'op', op, pos: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return E.right(tokens);
};

// ---------------------------------------------------------------------------------------------
// parsing

const parseTokens = (tokens: readonly Token[]): E.Either<ExpressionError, Expr> => {
  let k = 0;
  const peek = (): Token => tokens[Math.min(k, tokens.length - 1)]!;
  const expected = (what: string): E.Either<ExpressionError, never> => {
    const t = peek();
    return t.kind === 'end' ? fail('unexpected_end', `expected ${what}, found the end`, t.pos) : fail('unexpected_token', `expected ${what}`, t.pos);
  };

  const binary =
    (kind: 'and' | 'or', tag: 'And' | 'Or', operand: (depth: number) => E.Either<ExpressionError, Expr>) =>
    (depth: number): E.Either<ExpressionError, Expr> => {
      let left = operand(depth);
      while (E.isRight(left) && peek().kind === kind) {
        k++;
        const right = operand(depth);
        if (E.isLeft(right)) return right;
        left = E.right({ _tag: tag, left: left.right, right: right.right });
      }
      return left;
    };

  const primary = (depth: number): E.Either<ExpressionError, Expr> => {
    const t = peek();
    if (t.kind === 'ref') return k++, E.right({ _tag: 'Ref', path: t.path });
    if (t.kind === 'literal') return k++, E.right({ _tag: 'Literal', value: t.value });
    if (t.kind !== '(') return expected('a value, {{path}}, not or (');
    if (depth >= MAX_EXPRESSION_DEPTH) return fail('too_deep', 'expression nested too deeply', t.pos);
    k++;
    const inner = or(depth + 1);
    if (E.isLeft(inner)) return inner;
    if (peek().kind !== ')') return expected('")"');
    k++;
    return inner;
  };

  const unary = (depth: number): E.Either<ExpressionError, Expr> => {
    const t = peek();
    if (t.kind !== 'not') return primary(depth);
    if (depth >= MAX_EXPRESSION_DEPTH) return fail('too_deep', 'expression nested too deeply', t.pos);
    k++;
    const operand = unary(depth + 1);
    return E.isLeft(operand) ? operand : E.right({ _tag: 'Not', operand: operand.right });
  };

  const compare = (depth: number): E.Either<ExpressionError, Expr> => {
    const left = unary(depth);
    const t = peek();
    if (E.isLeft(left) || t.kind !== 'op') return left;
    k++;
    const right = unary(depth);
    if (E.isLeft(right)) return right;
    const next = peek();
    if (next.kind === 'op') return fail('chained_comparison', 'comparisons do not chain (join them with and)', next.pos);
    return E.right({ _tag: 'Compare', op: t.op, left: left.right, right: right.right });
  };

  const and = binary('and', 'And', compare);
  const or = binary('or', 'Or', and);

  const e = or(0);
  if (E.isLeft(e)) return e;
  return peek().kind === 'end' ? e : expected('and, or, a comparison or the end');
};

/** Parses a condition (e.g. a key of a `conditions` block) once; evaluate it with evaluateExpression. */
export const parseExpression = (text: string): E.Either<ExpressionError, Expr> => {
  if (text.length > MAX_EXPRESSION_LENGTH) return fail('too_long', `expression longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  const tokens = lex(text);
  return E.isLeft(tokens) ? tokens : parseTokens(tokens.right);
};

// ---------------------------------------------------------------------------------------------
// static analysis

const collect = (e: Expr, names: Set<string>): void => {
  switch (e._tag) {
    case 'Ref': {
      const name = e.path.root === SECRET_ROOT ? e.path.rest[0] : undefined;
      if (typeof name === 'string') names.add(name);
      return;
    }
    case 'Literal':
      return;
    case 'Not':
      return collect(e.operand, names);
    default:
      collect(e.left, names);
      return collect(e.right, names);
  }
};

/** Every NAME in a `{{secret.NAME}}` operand; text inside string literals is not a reference. */
export const secretNamesInExpression = (expr: Expr): ReadonlySet<string> => {
  const names = new Set<string>();
  collect(expr, names);
  return names;
};
