// Resolution in each fetch field: the API receives the plaintext exactly where the reference was placed, and the run only ever holds references.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { executeFetch } from '../../src/runtime/fetch-instruction.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { generated, makeFetchEnv } from '../support/msw-env.ts';
import { useMswServer } from '../support/msw-server.ts';
import { REDACTED } from '../support/fake-masks.ts';

const server = useMswServer();
const API = 'https://api.example.com';

describe('fetch resolves references in every field', () => {
  it('a header value: Bearer <secret>', async () => {
    const t = await makeFetchEnv();
    const token = generated();
    const ref = await t.secret('apiKey', token);
    let seen: string | null = null;
    server.use(
      http.get(`${API}/data`, ({ request }) => {
        seen = request.headers.get('authorization');
        return HttpResponse.json({ ok: true });
      }),
    );
    const out = await executeFetch({ url: `${API}/data`, method: 'GET', headers: { Authorization: `Bearer ${ref}` } }, t.env, 'do[1]');
    expect(seen).toBe(`Bearer ${token}`);
    expect(out).toEqual({ ok: true });
    expect(t.masks.secrets).toEqual([token]);
  });

  it('the url (path and host part of the query), with the encoded URL registered as an exact mask', async () => {
    const t = await makeFetchEnv();
    const id = generated('acct');
    const ref = await t.secret('accountId', id);
    let path = '';
    server.use(http.get(`${API}/accounts/:id`, ({ params }) => ((path = String(params['id'])), HttpResponse.json({ id: params['id'] }))));
    const out = await executeFetch({ url: `${API}/accounts/${ref}` }, t.env, 'do[0]');
    expect(path).toBe(id);
    expect(t.masks.exact).toContain(`${API}/accounts/${id}`);
    expect(out).toEqual({ id: REDACTED });
  });

  it('query values: text inside a value, repeated keys for lists, merged with the url\'s own query', async () => {
    const t = await makeFetchEnv();
    const key = generated();
    const other = generated();
    const ref = await t.secret('apiKey', key);
    const ref2 = await t.secret('other', other);
    let params: URLSearchParams | undefined;
    server.use(http.get(`${API}/search`, ({ request }) => ((params = new URL(request.url).searchParams), HttpResponse.json([]))));
    await executeFetch({ url: `${API}/search?fixed=1`, query: { key: `k:${ref}`, ids: ['a', ref2, 3], flag: true } }, t.env, 'do[0]');
    expect(params?.get('fixed')).toBe('1');
    expect(params?.get('key')).toBe(`k:${key}`);
    expect(params?.getAll('ids')).toEqual(['a', other, '3']);
    expect(params?.get('flag')).toBe('true');
    const search = new URLSearchParams([['fixed', '1'], ['key', `k:${key}`], ['ids', 'a'], ['ids', other], ['ids', '3'], ['flag', 'true']]).toString();
    expect(t.masks.exact).toContain(search);
  });

  it('a query value that is exactly a reference to a list becomes repeated keys', async () => {
    const t = await makeFetchEnv();
    const ids = [generated(), generated()];
    const ref = await t.secret('ids', ids);
    let got: string[] = [];
    server.use(http.get(`${API}/q`, ({ request }) => ((got = new URL(request.url).searchParams.getAll('id')), HttpResponse.json({}))));
    await executeFetch({ url: `${API}/q`, query: { id: ref } }, t.env, 'do[0]');
    expect(got).toEqual(ids);
  });

  it('a JSON body keeps the type of a field that is exactly one reference, and puts text inside strings', async () => {
    const t = await makeFetchEnv();
    const creds = { clientId: generated('id'), clientSecret: generated(), scopes: ['a', 'b'], n: 42 };
    const pin = 12345678;
    const refCreds = await t.secret('creds', creds);
    const refPin = await t.secret('pin', pin);
    const refText = await t.secret('token', generated());
    let body: unknown;
    let type: string | null = null;
    server.use(
      http.post(`${API}/token`, async ({ request }) => {
        type = request.headers.get('content-type');
        body = await request.json();
        return HttpResponse.json({ access_token: 'x' });
      }),
    );
    await executeFetch(
      { url: `${API}/token`, method: 'POST', body: { grant_type: 'client_credentials', creds: refCreds, pin: refPin, note: `pin is ${refPin}`, list: [refText] } },
      t.env,
      'do[0]',
    );
    expect(type).toBe('application/json');
    const token = t.masks.secrets[2];
    expect(body).toEqual({ grant_type: 'client_credentials', creds, pin, note: `pin is ${pin}`, list: [token] });
    expect(t.masks.exact).toContain(JSON.stringify(body));
  });

  it('a body that is exactly one reference sends the stored JSON value', async () => {
    const t = await makeFetchEnv();
    const doc = { key: generated(), nested: { ok: true } };
    const ref = await t.secret('doc', doc);
    let body: unknown;
    server.use(http.put(`${API}/doc`, async ({ request }) => ((body = await request.json()), new HttpResponse(null, { status: 204 }))));
    expect(await executeFetch({ url: `${API}/doc`, method: 'PUT', body: ref }, t.env, 'do[0]')).toBe('');
    expect(body).toEqual(doc);
  });

  it('a form-encoded body when the content type says so', async () => {
    const t = await makeFetchEnv();
    const secret = `${generated()} &=+`;
    const ref = await t.secret('clientSecret', secret);
    let form: URLSearchParams | undefined;
    let raw = '';
    server.use(
      http.post(`${API}/oauth/token`, async ({ request }) => {
        raw = await request.text();
        form = new URLSearchParams(raw);
        return HttpResponse.json({ access_token: 't' });
      }),
    );
    await executeFetch(
      {
        url: `${API}/oauth/token`,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: { grant_type: 'client_credentials', client_secret: ref, scope: ['a', 'b'] },
      },
      t.env,
      'do[0]',
    );
    expect(form?.get('client_secret')).toBe(secret);
    expect(form?.getAll('scope')).toEqual(['a', 'b']);
    expect(t.masks.exact).toContain(raw);
  });

  it('a string body is sent as it is', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('v', value);
    let raw = '';
    server.use(http.post(`${API}/raw`, async ({ request }) => ((raw = await request.text()), HttpResponse.text('ok'))));
    expect(await executeFetch({ url: `${API}/raw`, method: 'POST', body: `line1\nvalue=${ref}` }, t.env, 'do[0]')).toBe('ok');
    expect(raw).toBe(`line1\nvalue=${value}`);
  });

  it('auth.basic from references: Authorization is Basic base64(user:pass) over UTF-8, and both header and token are masked', async () => {
    const t = await makeFetchEnv();
    const user = `ü-${generated('user')}`;
    const pass = `é:${generated()}`;
    const refUser = await t.secret('user', user);
    const refPass = await t.secret('pass', pass);
    let auth: string | null = null;
    server.use(http.get(`${API}/basic`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ echoed: request.headers.get('authorization') }))));
    const out = await executeFetch({ url: `${API}/basic`, auth: { basic: { username: refUser, password: refPass } } }, t.env, 'do[0]');
    const token = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
    expect(auth).toBe(`Basic ${token}`);
    expect(t.masks.exact).toEqual(expect.arrayContaining([`Basic ${token}`, token]));
    expect(out).toEqual({ echoed: REDACTED });
  });

  it('registers every resolved value with the masks before anything is sent', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    let registeredBeforeSend = false;
    server.use(http.get(`${API}/order`, () => ((registeredBeforeSend = t.masks.secrets.includes(value)), HttpResponse.json({}))));
    await executeFetch({ url: `${API}/order`, headers: { 'X-Key': ref } }, t.env, 'do[0]');
    expect(registeredBeforeSend).toBe(true);
  });

  it('audits each resolved reference with name, scope, outcome and host, never a value', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    server.use(http.get(`${API}/audit`, () => HttpResponse.json({})));
    await executeFetch({ url: `${API}/audit`, headers: { A: ref, B: `x ${ref}` } }, t.env, 'do[0]');
    const audits = t.events.filter((e) => e.type === EVENT.secretResolved);
    expect(audits).toEqual([{ type: EVENT.secretResolved, payload: { name: 'apiKey', scope: 'workspace', outcome: 'resolved', host: 'api.example.com' } }]);
    expect(JSON.stringify(t.events)).not.toContain(value);
  });

  it('logs method, host, status and duration, not the body', async () => {
    const t = await makeFetchEnv();
    server.use(http.get(`${API}/log`, () => HttpResponse.json({ private: 'body-text' })));
    await executeFetch({ url: `${API}/log` }, t.env, 'do[0]');
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]!.data).toEqual({ method: 'GET', host: 'api.example.com', status: 200, durationMs: expect.any(Number) });
    expect(JSON.stringify(t.logs)).not.toContain('body-text');
  });
});

describe('fetch validates the rendered fields', () => {
  const invalid = async (instr: Parameters<typeof executeFetch>[0], field: string) => {
    const t = await makeFetchEnv();
    const e = await executeFetch(instr, t.env, 'do[2]').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InstructionError);
    expect((e as InstructionError).code).toBe('invalid_parameter');
    expect((e as InstructionError).message).toContain(`do[2].fetch.${field}`);
    return e as InstructionError;
  };

  it('names the offending field', async () => {
    await invalid({ url: 42 }, 'url');
    await invalid({ url: 'ftp://x.example.com/' }, 'url');
    await invalid({ url: `${API}/`, method: 'BREW' }, 'method');
    await invalid({ url: `${API}/`, headers: { Authorization: { nested: true } } }, 'headers.Authorization');
    await invalid({ url: `${API}/`, headers: ['a'] }, 'headers');
    await invalid({ url: `${API}/`, query: { q: { deep: 1 } } }, 'query.q');
    await invalid({ url: `${API}/`, method: 'GET', body: { a: 1 } }, 'body');
    await invalid({ url: `${API}/`, auth: { basic: { username: 'u' } } }, 'auth.basic.password');
    await invalid({ url: `${API}/`, auth: { awsv4: { accessKeyId: 'a' } } }, 'auth.awsv4.secretAccessKey');
    await invalid({ url: `${API}/`, headers: { Authorization: 'x' }, auth: { basic: { username: 'u', password: 'p' } } }, 'auth');
    await invalid({ url: `${API}/`, headers: { 'X-Bad': 'a\r\nInjected: 1' } }, 'headers.X-Bad');
  });

  it('an invalid header value from a secret names the field, not the value', async () => {
    const t = await makeFetchEnv();
    const value = `${generated()}\r\nX-Injected: 1`;
    const ref = await t.secret('multiline', value);
    const e = (await executeFetch({ url: `${API}/`, headers: { 'X-Key': ref } }, t.env, 'do[2]').catch((x: unknown) => x)) as InstructionError;
    expect(e.code).toBe('invalid_parameter');
    expect(e.message).toContain('do[2].fetch.headers.X-Key');
    expect(e.message).not.toContain(value.slice(0, 20));
  });
});
