// Turns io-ts validation errors into messages that name the field and never echo the input.
import type * as t from 'io-ts';

/** A decoding problem: the path of the offending field and what was expected there. */
export interface FieldProblem {
  readonly path: string;
  readonly expected: string;
}

const segment = (key: string, parent: t.Decoder<unknown, unknown> | undefined): string => {
  if (key === '') return '';
  const parentTag = (parent as { _tag?: string } | undefined)?._tag;
  if (/^[0-9]+$/.test(key) && (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType')) return `[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
};

/**
 * Describes one io-ts error by path and expected type. The actual value is never read, so a
 * secret given in the wrong place cannot leak through the message.
 */
export const describeError = (root: string, error: t.ValidationError): FieldProblem => {
  let path = root;
  const ctx = error.context;
  for (let i = 1; i < ctx.length; i++) {
    const entry = ctx[i]!;
    const parent = ctx[i - 1]!.type as t.Decoder<unknown, unknown>;
    // Skip the synthetic keys io-ts adds for union members and intersections.
    const parentTag = (parent as { _tag?: string })._tag;
    if (parentTag === 'UnionType' || parentTag === 'IntersectionType' || parentTag === 'RefinementType') continue;
    path += segment(entry.key, parent);
  }
  const last = ctx[ctx.length - 1];
  const expected = error.message ?? (last ? last.type.name : 'a valid value');
  return { path: path.startsWith('.') ? path.slice(1) : path, expected };
};

/** Reports the first problem of each distinct path, in a stable order. */
export const describeErrors = (root: string, errors: t.Errors): readonly FieldProblem[] => {
  const seen = new Map<string, FieldProblem>();
  for (const e of errors) {
    const p = describeError(root, e);
    if (!seen.has(p.path)) seen.set(p.path, p);
  }
  return [...seen.values()];
};

/** One line per problem: `path: expected`. */
export const formatProblems = (problems: readonly FieldProblem[]): string =>
  problems.map((p) => `${p.path || '(root)'}: ${p.expected}`).join('; ');
