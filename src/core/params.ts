// The parameters of secrets.set / get / delete: decoded strictly, with errors that name the field and never the value.
import * as t from 'io-ts';
import { isNamingText } from './text-rules.ts';
import * as E from 'fp-ts/lib/Either.js';
import { ScopeC, type Scope } from './scope.ts';
import { JsonValueC, serializeJson, type JsonValue } from './json-value.ts';
import { utf8Encode } from './bytes.ts';
import { describeErrors } from './report.ts';
import { invalidField, invalidInput, type InvalidInput } from './errors.ts';

/** Largest serialised value accepted by set, in UTF-8 bytes of its JSON form. */
export const MAX_VALUE_BYTES = 65_536;
/** Longest secret name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;
/** Longest ttl: one hundred years of 365 days. */
export const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;
/** At most this many allowed hosts per secret. */
export const MAX_ALLOWED_HOSTS = 64;


export interface NameBrand {
  readonly SecretName: unique symbol;
}
export const NameC = t.brand(
  t.string,
  (s): s is t.Branded<string, NameBrand> => s.length > 0 && s.length <= MAX_NAME_LENGTH && s.trim().length > 0 && isNamingText(s),
  'SecretName',
);

export interface TtlBrand {
  readonly Ttl: unique symbol;
}
export const TtlC = t.brand(
  t.number,
  (n): n is t.Branded<number, TtlBrand> => Number.isFinite(n) && n > 0 && n <= MAX_TTL_SECONDS,
  'Ttl',
);

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;
export interface HostBrand {
  readonly Host: unique symbol;
}
export const HostC = t.brand(t.string, (s): s is t.Branded<string, HostBrand> => HOST.test(s), 'Host');

const EXPECTED: Record<string, string> = {
  SecretName: `a non-empty string of at most ${MAX_NAME_LENGTH} characters without control characters`,
  Scope: '"workspace" or "user"',
  Ttl: `a number of seconds greater than 0 and at most ${MAX_TTL_SECONDS}`,
  Host: 'a lower-case host name such as "api.example.com"',
  'ReadonlyArray<Host>': 'a list of lower-case host names such as ["api.example.com"]',
  string: 'a string',
  number: 'a number',
};

export interface SetParams {
  readonly name: string;
  readonly value: JsonValue;
  readonly scope: Scope;
  readonly ttl?: number;
  readonly allowedHosts?: readonly string[];
}
export interface NameScopeParams {
  readonly name: string;
  readonly scope: Scope;
}

const SetRequired = t.type({ name: NameC, value: JsonValueC, scope: ScopeC });
const SetOptional = t.partial({ ttl: TtlC, allowedHosts: t.readonlyArray(HostC) });
const NameScope = t.type({ name: NameC, scope: ScopeC });

const problems = (errors: t.Errors) =>
  describeErrors('parameters', errors).map((p) => ({ path: p.path, expected: EXPECTED[p.expected] ?? p.expected }));

const objectOf = (u: unknown, known: readonly string[]): E.Either<InvalidInput, Record<string, unknown>> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left(invalidField('parameters', 'an object'));
  const extra = Object.keys(u).filter((k) => !known.includes(k));
  if (extra.length > 0)
    return E.left(
      invalidInput(extra.map((k) => ({ path: `parameters.${k}`, expected: `no such parameter (known: ${known.join(', ')})` }))),
    );
  return E.right(u as Record<string, unknown>);
};

const missing = (o: Record<string, unknown>, keys: readonly string[]): InvalidInput | undefined => {
  const absent = keys.filter((k) => o[k] === undefined);
  return absent.length === 0 ? undefined : invalidInput(absent.map((k) => ({ path: `parameters.${k}`, expected: 'required' })));
};

/** Decodes the parameters of set. */
export const decodeSetParams = (u: unknown): E.Either<InvalidInput, SetParams> => {
  const o = objectOf(u, ['name', 'value', 'scope', 'ttl', 'allowedHosts']);
  if (E.isLeft(o)) return o;
  const absent = missing(o.right, ['name', 'value', 'scope']);
  if (absent) return E.left(absent);
  const req = SetRequired.decode(o.right);
  const opt = SetOptional.decode(o.right);
  if (E.isLeft(req) || E.isLeft(opt))
    return E.left(invalidInput([...(E.isLeft(req) ? problems(req.left) : []), ...(E.isLeft(opt) ? problems(opt.left) : [])]));
  const hosts = opt.right.allowedHosts;
  if (hosts !== undefined && (hosts.length === 0 || hosts.length > MAX_ALLOWED_HOSTS))
    return E.left(invalidField('parameters.allowedHosts', `a list of 1 to ${MAX_ALLOWED_HOSTS} host names`));
  const size = utf8Encode(serializeJson(req.right.value)).length;
  if (size > MAX_VALUE_BYTES)
    return E.left(invalidField('parameters.value', `at most ${MAX_VALUE_BYTES} bytes once serialised as JSON (this one is larger)`));
  return E.right({
    name: req.right.name,
    value: req.right.value,
    scope: req.right.scope,
    ...(opt.right.ttl === undefined ? {} : { ttl: opt.right.ttl }),
    ...(hosts === undefined ? {} : { allowedHosts: [...new Set(hosts)] }),
  });
};

/** Decodes the parameters of get and delete. */
export const decodeNameScopeParams = (u: unknown): E.Either<InvalidInput, NameScopeParams> => {
  const o = objectOf(u, ['name', 'scope']);
  if (E.isLeft(o)) return o;
  const absent = missing(o.right, ['name', 'scope']);
  if (absent) return E.left(absent);
  const r = NameScope.decode(o.right);
  return E.isLeft(r) ? E.left(invalidInput(problems(r.left))) : E.right({ name: r.right.name, scope: r.right.scope });
};
