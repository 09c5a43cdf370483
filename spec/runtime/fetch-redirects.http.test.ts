// Redirects are followed by hand: same origin keeps the request, another origin never sees a secret.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { executeFetch } from '../../src/runtime/fetch-instruction.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { generated, makeFetchEnv } from '../support/msw-env.ts';
import { requestCounter, useMswServer } from '../support/msw-server.ts';

const server = useMswServer();
const A = 'https://api.example.com';
const B = 'https://elsewhere.example.net';

const redirect = (location: string, status = 302) => new HttpResponse(null, { status, headers: { Location: location } });

describe('fetch redirects', () => {
  it('follows a same-origin redirect with the request as built (secret header kept)', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    const counter = requestCounter();
    const seen: (string | null)[] = [];
    server.use(
      http.get(`${A}/old`, ({ request }) => (counter.hit(request), seen.push(request.headers.get('x-key')), redirect('/new?page=2'))),
      http.get(`${A}/new`, ({ request }) => (counter.hit(request), seen.push(request.headers.get('x-key')), HttpResponse.json({ page: new URL(request.url).searchParams.get('page') }))),
    );
    expect(await executeFetch({ url: `${A}/old`, headers: { 'X-Key': ref } }, t.env, 'do[0]')).toEqual({ page: '2' });
    expect(seen).toEqual([value, value]);
    expect(counter.of(A)).toBe(2);
  });

  it('refuses a cross-origin redirect when the request carries a secret: nothing reaches the other origin', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    const counter = requestCounter();
    server.use(
      http.get(`${A}/start`, ({ request }) => (counter.hit(request), redirect(`${B}/steal`))),
      http.get(`${B}/steal`, ({ request }) => (counter.hit(request), HttpResponse.json({}))),
    );
    const e = (await executeFetch({ url: `${A}/start`, headers: { Authorization: `Bearer ${ref}` } }, t.env, 'do[0]').catch((x: unknown) => x)) as InstructionError;
    expect(e).toBeInstanceOf(InstructionError);
    expect(e.code).toBe('redirect_refused');
    expect(e.message).not.toContain(value);
    expect(counter.of(A)).toBe(1);
    expect(counter.of(B)).toBe(0);
  });

  it('refuses a cross-origin redirect when the secret is only in the body or the query', async () => {
    const t = await makeFetchEnv();
    const ref = await t.secret('apiKey', generated());
    const counter = requestCounter();
    server.use(
      http.post(`${A}/start`, ({ request }) => (counter.hit(request), redirect(`${B}/steal`, 307))),
      http.all(`${B}/*`, ({ request }) => (counter.hit(request), HttpResponse.json({}))),
    );
    const e = (await executeFetch({ url: `${A}/start`, method: 'POST', body: { k: ref } }, t.env, 'do[0]').catch((x: unknown) => x)) as InstructionError;
    expect(e.code).toBe('redirect_refused');
    expect(counter.of(B)).toBe(0);
  });

  it('follows a cross-origin redirect for a request without secrets, dropping Authorization', async () => {
    const t = await makeFetchEnv();
    let auth: string | null = 'unset';
    server.use(
      http.get(`${A}/public`, () => redirect(`${B}/landing`, 301)),
      http.get(`${B}/landing`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ landed: true }))),
    );
    const out = await executeFetch({ url: `${A}/public`, auth: { basic: { username: 'u', password: 'literal' } } }, t.env, 'do[0]');
    expect(out).toEqual({ landed: true });
    expect(auth).toBeNull();
  });

  it('303 turns into GET without a body; 307 and 308 keep method and body', async () => {
    const t = await makeFetchEnv();
    const ref = await t.secret('apiKey', generated());
    const seen: string[] = [];
    server.use(
      http.post(`${A}/see-other`, () => redirect('/result', 303)),
      http.get(`${A}/result`, async ({ request }) => (seen.push(`GET ${await request.text()}|${request.headers.get('content-type')}`), HttpResponse.json({ ok: 1 }))),
      http.post(`${A}/temp`, () => redirect('/perm', 307)),
      http.post(`${A}/perm`, () => redirect('/final', 308)),
      http.post(`${A}/final`, async ({ request }) => (seen.push(`POST ${JSON.stringify(await request.json())}`), HttpResponse.json({ ok: 2 }))),
    );
    await executeFetch({ url: `${A}/see-other`, method: 'POST', body: { k: ref } }, t.env, 'do[0]');
    await executeFetch({ url: `${A}/temp`, method: 'POST', body: { n: 1 } }, t.env, 'do[1]');
    expect(seen).toEqual(['GET |null', 'POST {"n":1}']);
  });

  it('stops after 10 redirects', async () => {
    const t = await makeFetchEnv();
    const counter = requestCounter();
    server.use(http.get(`${A}/loop`, ({ request }) => (counter.hit(request), redirect('/loop'))));
    const e = (await executeFetch({ url: `${A}/loop` }, t.env, 'do[0]').catch((x: unknown) => x)) as InstructionError;
    expect(e.code).toBe('too_many_redirects');
    expect(counter.of(A)).toBe(11);
  });

  it('re-checks the allow-list on every hop', async () => {
    const t = await makeFetchEnv();
    const ref = await t.secret('apiKey', generated(), { allowedHosts: ['api.example.com'] });
    server.use(
      http.get(`${A}/a`, () => redirect('/b')),
      http.get(`${A}/b`, ({ request }) => HttpResponse.json({ ok: request.headers.has('x-key') })),
    );
    expect(await executeFetch({ url: `${A}/a`, headers: { 'X-Key': ref } }, t.env, 'do[0]')).toEqual({ ok: true });
  });
});
