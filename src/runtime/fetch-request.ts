// From resolved request parts to what goes on the wire: URL with query, headers, encoded body, Basic or SigV4 credentials.
import * as E from 'fp-ts/lib/Either.js';
import { base64Encode, utf8Encode } from '../core/bytes.ts';
import type { JsonValue } from '../core/json-value.ts';
import { fieldPath } from '../core/request-fields.ts';
import { queryPairs, type AuthParts, type RequestParts } from '../core/request-resolution.ts';
import type { InstructionError } from './instruction-error.ts';
import { SECRET_HOST } from './fetch-resolve.ts';
import { invalidParameter } from './fetch-validate.ts';
import { signAwsV4 } from './sigv4.ts';
import type { Masks } from './run-env.ts';

/** One request as it will be sent (before credentials). */
export interface Hop {
  readonly url: URL;
  readonly method: string;
  /** Headers as written, without credentials. */
  readonly headers: Headers;
  readonly body: string | undefined;
}

type Bad = (field: string, expected: string) => InstructionError;
export const badFor = (path: string): Bad => (field, expected) => invalidParameter(path, `${path}.fetch`, field, expected);

/** The URL with the query merged in (repeated keys for lists); `invalid_parameter` on anything but absolute http(s). */
export const targetUrl = (req: RequestParts, bad: Bad): URL => {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw bad('url', 'an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('url', 'an absolute http or https URL');
  if (url.username !== '' || url.password !== '') throw bad('url', 'a URL without credentials (use auth.basic)');
  for (const [k, v] of queryPairs(req.query)) url.searchParams.append(k, v);
  return url;
};

const FORM = 'application/x-www-form-urlencoded';

const formOf = (body: JsonValue, bad: Bad): string => {
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body', 'a mapping (or a string) for a form-encoded body');
  return new URLSearchParams(queryPairs(Object.entries(body)) as [string, string][]).toString();
};

/** Headers and encoded body: JSON by default (content-type set if absent), form-encoded on request, a string as is. */
export const firstHop = (req: RequestParts, path: string): Hop => {
  const bad = badFor(path);
  const url = targetUrl(req, bad);
  const headers = new Headers();
  for (const [name, value] of req.headers) {
    try {
      headers.append(name, value);
    } catch {
      throw bad(fieldPath('headers', name), 'a valid header name and a value without line breaks');
    }
  }
  let body: string | undefined;
  if (req.body !== undefined) {
    const type = headers.get('content-type');
    if (type !== null && type.toLowerCase().includes(FORM)) body = formOf(req.body, bad);
    else if (typeof req.body === 'string') body = req.body;
    else {
      body = JSON.stringify(req.body);
      if (type === null) headers.set('content-type', 'application/json');
    }
  }
  return { url, method: req.method, headers, body };
};

/** `Basic base64(user:pass)` over UTF-8. */
export const basicAuthorization = (username: string, password: string): { readonly header: string; readonly token: string } => {
  const token = base64Encode(utf8Encode(`${username}:${password}`));
  return { header: `Basic ${token}`, token };
};

/** A ready Request with credentials (when given), registering every string derived from them with the masks; `secretHost`: never name the host. */
export const buildRequest = async (hop: Hop, auth: AuthParts | undefined, masks: Masks, now: number, path: string, secretHost = false): Promise<Request> => {
  const headers = new Headers(hop.headers);
  if (auth?.kind === 'basic') {
    const b = basicAuthorization(auth.username, auth.password);
    masks.addExact(b.header);
    masks.addExact(b.token);
    headers.set('authorization', b.header);
  } else if (auth?.kind === 'awsv4') {
    masks.addExact(auth.secretAccessKey);
    if (auth.sessionToken !== undefined) {
      masks.addExact(auth.sessionToken);
      masks.addExact(encodeURIComponent(auth.sessionToken));
    }
    const signed = await signAwsV4({ url: hop.url, method: hop.method, headers, body: hop.body }, auth, now);
    if (E.isLeft(signed))
      throw badFor(path)(`auth.awsv4.${signed.left.field}`, `a value: it cannot be inferred from ${secretHost ? SECRET_HOST : `the host ${hop.url.hostname}`}`);
    for (const name of ['authorization', 'x-amz-security-token']) {
      const v = signed.right.get(name);
      if (v !== null) masks.addExact(v);
    }
    signed.right.forEach((value, name) => headers.set(name, value));
  }
  return new Request(hop.url, {
    method: hop.method,
    headers,
    redirect: 'manual',
    ...(hop.body === undefined ? {} : { body: hop.body }),
  });
};
