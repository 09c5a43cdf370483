// The fetch instruction after templating: its fields type-checked into request parts, each problem naming its field and never its value.
import { JsonValueC, type JsonValue } from '../core/json-value.ts';
import { fieldPath } from '../core/request-fields.ts';
import type { AuthParts, RequestParts } from '../core/request-resolution.ts';
import { InstructionError } from './instruction-error.ts';

/** A fetch instruction once `{{…}}` is rendered: `{{secret.NAME}}` is already a `$secret:` reference. */
export interface RenderedFetch {
  readonly url: unknown;
  readonly method?: unknown;
  readonly headers?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
  readonly auth?: unknown;
  readonly outputMode?: 'body' | 'detailed_response';
  readonly emitErrors?: boolean;
}

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** An `invalid_parameter` error for `<at>.<field>`. */
export const invalidParameter = (path: string, at: string, field: string, expected: string): InstructionError =>
  new InstructionError('invalid_parameter', `invalid parameter ${at}.${field}: expected ${expected}`, path, { field: `${at}.${field}` });

type Obj = Readonly<Record<string, unknown>>;
const isObject = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u);
const isScalar = (u: unknown): u is string | number | boolean => typeof u === 'string' || (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'boolean';

/** Reads the rendered instruction into request parts; throws `invalid_parameter` naming the field (e.g. `do[2].fetch.headers.Accept`). */
export const readRequest = (instr: RenderedFetch, path: string): RequestParts => {
  const at = `${path}.fetch`;
  const bad = (field: string, expected: string) => invalidParameter(path, at, field, expected);

  if (typeof instr.url !== 'string' || instr.url.length === 0) throw bad('url', 'a non-empty string (an absolute http or https URL)');

  const m = instr.method ?? 'GET';
  const method = typeof m === 'string' ? m.toUpperCase() : undefined;
  if (method === undefined || !(METHODS as readonly string[]).includes(method)) throw bad('method', `one of ${METHODS.join(', ')}`);

  const headers: (readonly [string, string])[] = [];
  if (instr.headers !== undefined && instr.headers !== null) {
    if (!isObject(instr.headers)) throw bad('headers', 'a mapping of header names to values');
    for (const [name, v] of Object.entries(instr.headers)) {
      if (!isScalar(v)) throw bad(fieldPath('headers', name), 'a string, number or boolean');
      headers.push([name, String(v)]);
    }
  }

  const query: (readonly [string, JsonValue])[] = [];
  if (instr.query !== undefined && instr.query !== null) {
    if (!isObject(instr.query)) throw bad('query', 'a mapping of parameter names to values');
    for (const [key, v] of Object.entries(instr.query)) {
      const f = fieldPath('query', key);
      if (Array.isArray(v)) {
        v.forEach((item: unknown, i: number) => {
          if (!isScalar(item) && item !== null) throw bad(fieldPath(f, i), 'a string, number, boolean or null');
        });
        query.push([key, v as JsonValue]);
      } else if (isScalar(v) || v === null) query.push([key, v]);
      else throw bad(f, 'a string, number, boolean, null or a list of those (repeated parameter)');
    }
  }

  let body: JsonValue | undefined;
  if (instr.body !== undefined && instr.body !== null) {
    if (!JsonValueC.is(instr.body)) throw bad('body', 'a JSON value (object, array, string, number or boolean)');
    body = instr.body;
    if (method === 'GET' || method === 'HEAD') throw bad('body', `absent: a ${method} request has no body`);
  }

  const auth = readAuth(instr.auth, bad);
  if (auth !== undefined && headers.some(([n]) => n.toLowerCase() === 'authorization'))
    throw bad('auth', 'absent when headers.Authorization is given (one or the other)');

  return { url: instr.url, method, headers, query, body, auth };
};

const readAuth = (u: unknown, bad: (field: string, expected: string) => InstructionError): AuthParts | undefined => {
  if (u === undefined || u === null) return undefined;
  if (!isObject(u)) throw bad('auth', 'a mapping with basic or awsv4');
  const { basic, awsv4 } = u;
  if ((basic === undefined) === (awsv4 === undefined)) throw bad('auth', 'exactly one of basic or awsv4');
  const text = (o: Obj, base: string, k: string, required: boolean): string | undefined => {
    const v = o[k];
    if ((v === undefined || v === null || v === '') && !required) return undefined;
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw bad(`${base}.${k}`, required ? 'a non-empty string' : 'a non-empty string when given');
  };
  if (basic !== undefined) {
    if (!isObject(basic)) throw bad('auth.basic', 'a mapping with username and password');
    const v = basic['password'];
    // An empty password is a valid Basic credential; a missing one is not.
    const password = v === '' ? '' : text(basic, 'auth.basic', 'password', true)!;
    return { kind: 'basic', username: text(basic, 'auth.basic', 'username', true)!, password };
  }
  if (!isObject(awsv4)) throw bad('auth.awsv4', 'a mapping with accessKeyId and secretAccessKey');
  const p = 'auth.awsv4';
  const opt = (k: 'sessionToken' | 'region' | 'service') => {
    const v = text(awsv4, p, k, false);
    return v === undefined ? {} : { [k]: v };
  };
  return {
    kind: 'awsv4',
    accessKeyId: text(awsv4, p, 'accessKeyId', true)!,
    secretAccessKey: text(awsv4, p, 'secretAccessKey', true)!,
    ...opt('sessionToken'),
    ...opt('region'),
    ...opt('service'),
  };
};
