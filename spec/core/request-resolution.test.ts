// Request resolution examples: where references are found, how values are substituted, what counts as left over.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json-value.ts';
import { distinctReferences, isExactReference, leftoverMarker, queryPairs, scanRequest, type RequestParts } from '../../src/core/request-resolution.ts';
import { substituteRequest } from '../../src/core/request-substitution.ts';

const REF_A = '$secret:v1.kek-v1.AAAAaaaa_-11';
const REF_B = '$secret:v1.ref-v2.BBBBbbbb-_22';

const request = (over: Partial<RequestParts> = {}): RequestParts => ({
  url: 'https://api.example.com/x',
  method: 'POST',
  headers: [],
  query: [],
  body: undefined,
  auth: undefined,
  ...over,
});

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error('expected Right');
  return e.right;
};

describe('scanRequest', () => {
  it('finds references in the url, header names and values, query keys and values, body keys and strings, and every auth field', () => {
    const scan = scanRequest(
      request({
        url: `https://api.example.com/${REF_A}/x`,
        headers: [
          ['Authorization', `Bearer ${REF_A}`],
          [`X-${REF_B}`, 'v'],
        ],
        query: [
          ['ids', ['1', REF_B]],
          [REF_A, 'k'],
        ],
        body: { nested: { list: [REF_A] }, [REF_B]: 1 },
        auth: { kind: 'awsv4', accessKeyId: REF_A, secretAccessKey: REF_B, sessionToken: REF_A, region: REF_B, service: REF_A },
      }),
    );
    expect(scan.stray).toBeUndefined();
    expect(scan.sites.map((s) => s.field)).toEqual([
      'url',
      'headers.Authorization',
      `headers[${JSON.stringify(`X-${REF_B}`)}]`,
      'query.ids[1]',
      `query[${JSON.stringify(REF_A)}]`,
      'body.nested.list[0]',
      `body[${JSON.stringify(REF_B)}]`,
      'auth.awsv4.accessKeyId',
      'auth.awsv4.secretAccessKey',
      'auth.awsv4.sessionToken',
      'auth.awsv4.region',
      'auth.awsv4.service',
    ]);
    expect(scan.sites.map((s) => s.part)).toEqual(['url', 'headers', 'headers', 'query', 'query', 'body', 'body', 'auth', 'auth', 'auth', 'auth', 'auth']);
    expect(distinctReferences(scan.sites).map((s) => s.reference)).toEqual([REF_A, REF_B]);
  });

  it('finds references in basic credentials', () => {
    const scan = scanRequest(request({ auth: { kind: 'basic', username: 'u', password: `p-${REF_A}` } }));
    expect(scan.sites.map((s) => ({ reference: s.reference, field: s.field, part: s.part }))).toEqual([
      { reference: REF_A, field: 'auth.basic.password', part: 'auth' },
    ]);
  });

  it('reports $secret: text that is not a well-formed reference as stray, naming its field', () => {
    expect(scanRequest(request({ headers: [['X-Key', '$secret:nothing-here']] })).stray).toBe('headers.X-Key');
    expect(scanRequest(request({ body: { a: [`${REF_A} and $secret:v2.k.x`] } })).stray).toBe('body.a[0]');
    expect(scanRequest(request({ url: `https://h/${REF_A}` })).stray).toBeUndefined();
  });

  it('stops a reference at the first character outside its alphabet', () => {
    const scan = scanRequest(request({ url: `https://h/${REF_A}.json?x=${REF_B}&y=1` }));
    expect(scan.sites.map((s) => s.reference)).toEqual([REF_A, REF_B]);
  });
});

describe('substituteRequest', () => {
  const values = new Map<string, JsonValue>([
    [REF_A, { token: 'tok', n: 7 }],
    [REF_B, 'plain-text'],
  ]);

  it('gives a body field that is exactly one reference the value with its type', () => {
    const out = right(substituteRequest(request({ body: { creds: REF_A, list: [REF_B], whole: `x ${REF_A}` } }), values));
    expect(out.body).toEqual({ creds: { token: 'tok', n: 7 }, list: ['plain-text'], whole: 'x {"token":"tok","n":7}' });
  });

  it('gives a body that is exactly one reference the whole value', () => {
    expect(right(substituteRequest(request({ body: REF_A }), values)).body).toEqual({ token: 'tok', n: 7 });
  });

  it('puts values into url, headers and auth as text, strings as they are and other values as JSON', () => {
    const out = right(
      substituteRequest(
        request({
          url: `https://h/${REF_B}`,
          headers: [['X-A', REF_A]],
          auth: { kind: 'basic', username: REF_B, password: REF_A },
        }),
        values,
      ),
    );
    expect(out.url).toBe('https://h/plain-text');
    expect(out.headers).toEqual([['X-A', '{"token":"tok","n":7}']]);
    expect(out.auth).toEqual({ kind: 'basic', username: 'plain-text', password: '{"token":"tok","n":7}' });
  });

  it('keeps the type of a query value that is exactly one reference, so a list becomes repeated keys', () => {
    const list = new Map<string, JsonValue>([[REF_A, ['x', 'y']]]);
    const out = right(substituteRequest(request({ query: [['id', REF_A], ['k', `a-${REF_A}`]] }), list));
    expect(queryPairs(out.query)).toEqual([
      ['id', 'x'],
      ['id', 'y'],
      ['k', 'a-["x","y"]'],
    ]);
  });

  it('substitutes inside object keys as text and never creates a prototype key', () => {
    const proto = new Map<string, JsonValue>([[REF_A, '__proto__']]);
    const out = right(substituteRequest(request({ body: { [REF_A]: { polluted: true } } }), proto));
    expect(Object.keys(out.body as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('is a Left naming the reference and the field when a value is missing', () => {
    const r = substituteRequest(request({ headers: [['X', REF_B]], body: { k: REF_A } }), new Map([[REF_B, 'v']]));
    expect(r).toEqual(E.left({ _tag: 'MissingValue', reference: REF_A, field: 'body.k' }));
  });

  it('leaves a request without references unchanged', () => {
    const req = request({ headers: [['A', 'b']], query: [['q', [1, true, null]]], body: { a: [1, 'two'] } });
    expect(right(substituteRequest(req, new Map()))).toEqual(req);
  });
});

describe('leftoverMarker and isExactReference', () => {
  it('names the first field still holding $secret: text', () => {
    expect(leftoverMarker(request({ query: [['a', ['ok', 'x$secret:']]] }))).toBe('query.a[1]');
    expect(leftoverMarker(request({ auth: { kind: 'awsv4', accessKeyId: 'a', secretAccessKey: `${REF_A}` } }))).toBe('auth.awsv4.secretAccessKey');
    expect(leftoverMarker(request())).toBeUndefined();
  });

  it('recognises a whole-field reference only when nothing surrounds it', () => {
    expect(isExactReference(REF_A)).toBe(true);
    expect(isExactReference(` ${REF_A}`)).toBe(false);
    expect(isExactReference(`${REF_A}${REF_B}`)).toBe(false);
    expect(isExactReference('$secret:v1.k')).toBe(false);
  });
});
