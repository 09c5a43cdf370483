// Value paths (`a.b`, `a[0]`, `a["k-ey"]`): parsing, printing, and lookup that never leaves own data properties.
import * as E from 'fp-ts/lib/Either.js';
import { templateError, type TemplateError } from './template-error.ts';

// ---------------------------------------------------------------------------------------------
// model

/** A property name, or an array index (a non-negative safe integer). */
export type PathSegment = string | number;

/** A parsed path: the root name looked up in the scope, then the segments walked from it. */
export interface Path {
  readonly root: string;
  readonly rest: readonly PathSegment[];
}

/** The root whose first segment names a workspace secret: `secret.NAME` or `secret["NAME"]`. */
export const SECRET_ROOT = 'secret';

/** Names that never resolve on an object, own property or not. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ---------------------------------------------------------------------------------------------
// lexing helpers (shared with template.ts and expression.ts)

export const isWhitespace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
export const skipWhitespace = (text: string, i: number): number => {
  let j = i;
  while (isWhitespace(text[j])) j++;
  return j;
};
export const isIdentifierStart = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z_$]$/.test(c);
export const isIdentifierPart = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_$]$/.test(c);
export const isIdentifier = (s: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);

const readIdentifier = (text: string, start: number): number => {
  let i = start;
  while (isIdentifierPart(text[i])) i++;
  return i;
};

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Reads a '…' or "…" literal starting at its opening quote, with JSON escapes plus \'. */
export const readQuoted = (text: string, start: number): E.Either<TemplateError, { readonly value: string; readonly end: number }> => {
  const quote = text[start];
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) return E.right({ value: out, end: i + 1 });
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const n = text[i + 1];
    if (n === undefined) break;
    const simple = Object.hasOwn(SIMPLE_ESCAPES, n) ? SIMPLE_ESCAPES[n] : undefined;
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (n === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      return E.left(templateError('invalid_escape', 'invalid escape in a quoted string', i));
    }
  }
  return E.left(templateError('unterminated_string', 'unterminated quoted string', start));
};

// ---------------------------------------------------------------------------------------------
// parsing

const malformed = (problem: string, position: number): E.Either<TemplateError, never> =>
  E.left(templateError('malformed_path', problem, position));

/** Reads a bracket segment starting just after `[`; returns the segment and the offset after `]`. */
const readBracket = (text: string, open: number): E.Either<TemplateError, { readonly segment: PathSegment; readonly end: number }> => {
  let i = skipWhitespace(text, open + 1);
  const c = text[i];
  let segment: PathSegment;
  if (c === '"' || c === "'") {
    const q = readQuoted(text, i);
    if (E.isLeft(q)) return q;
    segment = q.right.value;
    i = q.right.end;
  } else if (c !== undefined && c >= '0' && c <= '9') {
    const digits = /^[0-9]+/.exec(text.slice(i))![0];
    if (digits.length > 1 && digits.startsWith('0')) return malformed('an index has no leading zeros', i);
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) return malformed('index too large', i);
    segment = n;
    i += digits.length;
  } else {
    return malformed('expected an index or a quoted key after "["', i);
  }
  i = skipWhitespace(text, i);
  if (text[i] !== ']') return malformed('expected "]"', i);
  return E.right({ segment, end: i + 1 });
};

/**
 * Reads a path starting exactly at `start`; returns it and the offset just after it. Errors carry
 * absolute positions in `text`. A `secret` root must be followed by exactly one non-empty name.
 */
export const readPath = (text: string, start: number): E.Either<TemplateError, { readonly path: Path; readonly end: number }> => {
  if (!isIdentifierStart(text[start])) return malformed('expected a name', start);
  let i = readIdentifier(text, start);
  const root = text.slice(start, i);
  const rest: PathSegment[] = [];
  const starts: number[] = [];
  for (;;) {
    const c = text[i];
    if (c === '.') {
      if (!isIdentifierStart(text[i + 1])) return malformed('expected a name after "."', i + 1);
      const end = readIdentifier(text, i + 1);
      starts.push(i);
      rest.push(text.slice(i + 1, end));
      i = end;
    } else if (c === '[') {
      const b = readBracket(text, i);
      if (E.isLeft(b)) return b;
      starts.push(i);
      rest.push(b.right.segment);
      i = b.right.end;
    } else {
      break;
    }
  }
  if (root === SECRET_ROOT) {
    const name = rest[0];
    if (typeof name !== 'string' || name === '') {
      return E.left(templateError('missing_secret_name', 'a secret reference needs a name (secret.NAME or secret["NAME"])', starts[0] ?? i));
    }
    if (rest.length > 1) return malformed('a secret reference has no fields', starts[1] ?? i);
  }
  return E.right({ path: { root, rest }, end: i });
};

/** Parses a whole path; whitespace around it is allowed, nothing else. Positions are offsets in `text`. */
export const parsePath = (text: string): E.Either<TemplateError, Path> => {
  const r = readPath(text, skipWhitespace(text, 0));
  if (E.isLeft(r)) return r;
  const end = skipWhitespace(text, r.right.end);
  return end === text.length ? E.right(r.right.path) : malformed('unexpected character after the path', end);
};

/**
 * Reads a `{{ path }}` reference whose `{{` is at `open`; returns the path and the offset after `}}`.
 * Running off the end of the text is reported as an unterminated `{{` at `open`.
 */
export const readReference = (text: string, open: number): E.Either<TemplateError, { readonly path: Path; readonly end: number }> => {
  const unterminated = E.left(templateError('unterminated_template', 'unterminated "{{"', open));
  const r = readPath(text, skipWhitespace(text, open + 2));
  if (E.isLeft(r)) return r.left.position >= text.length ? unterminated : r;
  const close = skipWhitespace(text, r.right.end);
  if (close >= text.length) return unterminated;
  if (!text.startsWith('}}', close)) return malformed('expected "}}"', close);
  return E.right({ path: r.right.path, end: close + 2 });
};

// ---------------------------------------------------------------------------------------------
// printing

/** Prints segments as they would follow a root: `.a[0]["k-ey"]`. Also names a location inside a value. */
export const printSegments = (segments: readonly PathSegment[]): string =>
  segments.map((s) => (typeof s === 'number' ? `[${s}]` : isIdentifier(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');

/** Prints a path in the form parsePath reads back. */
export const printPath = (path: Path): string => `${path.root}${printSegments(path.rest)}`;

// ---------------------------------------------------------------------------------------------
// lookup

const ownData = (o: object, key: string | number): unknown => {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d !== undefined && 'value' in d ? (d.value as unknown) : undefined;
};

const step = (value: unknown, segment: PathSegment): unknown => {
  if (Array.isArray(value)) {
    return typeof segment === 'number' && Number.isInteger(segment) && segment >= 0 && segment < value.length
      ? ownData(value, segment)
      : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const key = String(segment);
  return FORBIDDEN_KEYS.has(key) ? undefined : ownData(value, key);
};

/**
 * Walks `segments` from `value`. Only own data properties are read (no getters, no prototype):
 * `__proto__`, `constructor` and `prototype` are always undefined; arrays take integer indexes
 * only (`a["0"]` and `a.length` are undefined); a number on an object reads the key String(n);
 * anything missing is undefined.
 */
export const getPath = (value: unknown, segments: readonly PathSegment[]): unknown => {
  let current = value;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    current = step(current, segment);
  }
  return current;
};
