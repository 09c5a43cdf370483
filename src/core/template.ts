// Templates: `{{path}}` inside YAML-derived values, rendered against a scope; plus the secret names a template uses.
import * as E from 'fp-ts/lib/Either.js';
import { readReference, SECRET_ROOT, type Path, type PathSegment } from './path.ts';
import { templateError, type TemplateError } from './template-error.ts';

// ---------------------------------------------------------------------------------------------
// model

/** Where template roots are looked up (see template-scope.ts for the standard one). */
export interface TemplateScope {
  readonly lookup: (root: string, rest: readonly PathSegment[]) => unknown;
}

/** A string split into literal text and `{{path}}` references (`position` is where `{{` is). */
export type TemplatePart =
  | { readonly _tag: 'Text'; readonly text: string }
  | { readonly _tag: 'Ref'; readonly path: Path; readonly position: number };

// ---------------------------------------------------------------------------------------------
// parsing

/**
 * Splits a string into text and references. There is no escape for a literal `{{`: every `{{`
 * opens a reference. A `}}` outside a reference is plain text.
 */
export const parseTemplate = (text: string): E.Either<TemplateError, readonly TemplatePart[]> => {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) break;
    if (open > from) parts.push({ _tag: 'Text', text: text.slice(from, open) });
    const r = readReference(text, open);
    if (E.isLeft(r)) return r;
    parts.push({ _tag: 'Ref', path: r.right.path, position: open });
    from = r.right.end;
  }
  if (from < text.length) parts.push({ _tag: 'Text', text: text.slice(from) });
  return E.right(parts);
};

/** True when the string is exactly one `{{path}}` (nothing, not even whitespace, outside the braces). */
export const isExactTemplate = (text: string): boolean => {
  const parts = parseTemplate(text);
  return E.isRight(parts) && parts.right.length === 1 && parts.right[0]!._tag === 'Ref';
};

// ---------------------------------------------------------------------------------------------
// rendering

/** Text for a value inserted in a longer string: strings as they are, null/undefined as nothing, others as JSON. */
const textOf = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return undefined;
  }
};

const renderString = (text: string, scope: TemplateScope): E.Either<TemplateError, unknown> => {
  if (!text.includes('{{')) return E.right(text);
  const parsed = parseTemplate(text);
  if (E.isLeft(parsed)) return parsed;
  const parts = parsed.right;
  const only = parts[0];
  if (parts.length === 1 && only !== undefined && only._tag === 'Ref') return E.right(scope.lookup(only.path.root, only.path.rest));
  let out = '';
  for (const part of parts) {
    if (part._tag === 'Text') {
      out += part.text;
      continue;
    }
    const t = textOf(scope.lookup(part.path.root, part.path.rest));
    if (t === undefined) return E.left(templateError('unprintable_value', 'the value cannot be printed as JSON', part.position));
    out += t;
  }
  return E.right(out);
};

const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  const proto = Object.getPrototypeOf(u) as unknown;
  return proto === Object.prototype || proto === null;
};

const renderValue = (
  value: unknown,
  scope: TemplateScope,
  at: readonly PathSegment[],
  ancestors: Set<object>,
): E.Either<TemplateError, unknown> => {
  if (typeof value === 'string') {
    const r = renderString(value, scope);
    return E.isLeft(r) && at.length > 0 ? E.left({ ...r.left, at }) : r;
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return E.right(value);
  if (ancestors.has(value)) return E.left({ ...templateError('cyclic_value', 'the template contains itself', 0), at });
  ancestors.add(value);
  try {
    const keys: readonly PathSegment[] = isArray ? value.map((_, i) => i) : Object.keys(value);
    const entries: [PathSegment, unknown][] = [];
    let changed = false;
    for (const key of keys) {
      const child = (value as Record<PathSegment, unknown>)[key];
      const r = renderValue(child, scope, [...at, key], ancestors);
      if (E.isLeft(r)) return r;
      changed ||= r.right !== child;
      entries.push([key, r.right]);
    }
    if (!changed) return E.right(value);
    return E.right(isArray ? entries.map(([, v]) => v) : Object.fromEntries(entries));
  } finally {
    ancestors.delete(value);
  }
};

/**
 * Renders every string inside `template` (arrays and plain objects are walked; object keys are
 * not templated; other values pass through). A string that is exactly one `{{path}}` becomes the
 * looked-up value with its type (undefined if missing); in longer text, strings are inserted as
 * they are, null and undefined as nothing, anything else as JSON. Unchanged parts are returned
 * as the same objects. The first malformed string is the error, with its location in `at`.
 */
export const renderTemplate = (template: unknown, scope: TemplateScope): E.Either<TemplateError, unknown> =>
  renderValue(template, scope, [], new Set());

// ---------------------------------------------------------------------------------------------
// static analysis

const collectSecretNames = (value: unknown, names: Set<string>, seen: Set<object>): void => {
  if (typeof value === 'string') {
    const parts = parseTemplate(value);
    if (E.isLeft(parts)) return;
    for (const part of parts.right) {
      const name = part._tag === 'Ref' && part.path.root === SECRET_ROOT ? part.path.rest[0] : undefined;
      if (typeof name === 'string') names.add(name);
    }
    return;
  }
  if (!Array.isArray(value) && !isPlainObject(value)) return;
  if (seen.has(value)) return;
  seen.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) collectSecretNames(child, names, seen);
};

/**
 * Every NAME in `{{secret.NAME}}` / `{{secret["NAME"]}}` used by the strings of `template`, so
 * the runtime can mint those references before rendering. Malformed strings contribute nothing
 * (rendering reports them). Condition keys are text with the same `{{…}}` syntax, so this also
 * works on them; expression.ts has an exact version for a parsed expression.
 */
export const secretNamesIn = (template: unknown): ReadonlySet<string> => {
  const names = new Set<string>();
  collectSecretNames(template, names, new Set());
  return names;
};
