// Field paths of a fetch request (`headers.Authorization`, `body.items[0]`) built lazily, and a value as text.
import type { JsonValue } from './json-value.ts';

/** A resolved value placed inside text: strings as they are, anything else as JSON. */
export const valueAsText = (value: JsonValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
/** `parent.key` for plain keys, `parent["k y"]` otherwise. */
export const fieldPath = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : SIMPLE_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

/** A field path built lazily: only rendered when something is found there. */
export type Field = string | { readonly parent: Field; readonly key: string | number };
export const render = (f: Field): string => (typeof f === 'string' ? f : fieldPath(render(f.parent), f.key));
export const child = (parent: Field, key: string | number | undefined): Field => (key === undefined ? parent : { parent, key });
export const fieldAt = (parent: Field, key: string | number | undefined): string => render(child(parent, key));
