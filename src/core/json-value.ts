// JSON values: the only values a secret may hold, checked deeply so they come back with their type.
import * as t from 'io-ts';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Where a value stops being JSON, and why; never the value itself. */
const firstNonJson = (u: unknown, path: string, ancestors: Set<object>): string | undefined => {
  if (u === null || typeof u === 'boolean' || typeof u === 'string') return undefined;
  if (typeof u === 'number') return Number.isFinite(u) ? undefined : `${path || 'value'} is not a finite number`;
  if (typeof u === 'undefined') return `${path || 'value'} is undefined`;
  if (typeof u !== 'object') return `${path || 'value'} is a ${typeof u}, which JSON cannot hold`;
  if (ancestors.has(u)) return `${path || 'value'} contains a cycle`;
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
    if (proto !== Object.prototype && proto !== null) return `${path || 'value'} is not a plain object`;
    for (const key of Object.keys(u)) {
      const r = firstNonJson((u as Record<string, unknown>)[key], `${path}[${JSON.stringify(key)}]`, ancestors);
      if (r) return r;
    }
    return undefined;
  } finally {
    ancestors.delete(u);
  }
};

const isJson = (u: unknown): u is JsonValue => firstNonJson(u, '', new Set()) === undefined;

/** io-ts codec for any JSON value; the failure message says where and why, never what. */
export const JsonValueC = new t.Type<JsonValue, JsonValue, unknown>(
  'JsonValue',
  isJson,
  (u, c) => {
    const problem = firstNonJson(u, '', new Set());
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
