// JSON values: the only values a secret may hold, checked deeply so they come back with their type.
import * as t from 'io-ts';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Where a value stops being JSON, and why; never the value itself (object keys are part of it, so they are numbered, not quoted). */
const firstNonJson = (u: unknown, path: string, ancestors: Set<object>): string | undefined => {
  if (u === null || typeof u === 'boolean' || typeof u === 'string') return undefined;
  if (typeof u === 'number') return Number.isFinite(u) ? undefined : `${path} is not a finite number`;
  if (typeof u === 'undefined') return `${path} is undefined`;
  if (typeof u !== 'object') return `${path} is a ${typeof u}, which JSON cannot hold`;
  if (ancestors.has(u)) return `${path} contains a cycle`;
  const proto = Object.getPrototypeOf(u) as unknown;
  ancestors.add(u);
  try {
    if (Array.isArray(u)) {
      for (let i = 0; i < u.length; i++) {
        const r = firstNonJson(u[i], `${path}[${i}]`, ancestors);
        if (r) return r;
      }
      return undefined;
    }
    if (proto !== Object.prototype && proto !== null) return `${path} is not a plain object`;
    const keys = Object.keys(u);
    for (let i = 0; i < keys.length; i++) {
      const r = firstNonJson((u as Record<string, unknown>)[keys[i]!], `${path}[key #${i + 1}]`, ancestors);
      if (r) return r;
    }
    return undefined;
  } finally {
    ancestors.delete(u);
  }
};

/** firstNonJson, total: a getter that throws makes the value unreadable, not the caller crash. */
const problemOf = (u: unknown): string | undefined => {
  try {
    return firstNonJson(u, 'value', new Set());
  } catch {
    return 'value could not be read';
  }
};

const isJson = (u: unknown): u is JsonValue => problemOf(u) === undefined;

/** io-ts codec for any JSON value; the failure message says where and why, never what. */
export const JsonValueC = new t.Type<JsonValue, JsonValue, unknown>(
  'JsonValue',
  isJson,
  (u, c) => {
    const problem = problemOf(u);
    return problem === undefined ? t.success(u as JsonValue) : t.failure(u, c, `a JSON value (${problem})`);
  },
  (a) => a,
);

/** Serialises a JSON value canonically enough to round-trip its type. */
export const serializeJson = (value: JsonValue): string => JSON.stringify(value);

/** Parses text written by serializeJson; undefined if it is not JSON. */
export const parseJson = (text: string): JsonValue | undefined => {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
};
