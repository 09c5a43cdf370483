// Responses: body or detailed output, redacted; 4xx/5xx emitted or thrown; network errors name the host only.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { executeFetch } from '../../src/runtime/fetch-instruction.ts';
import { MAX_RESPONSE_BYTES } from '../../src/runtime/fetch-response.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { REDACTED } from '../support/fake-masks.ts';
import { generated, makeFetchEnv } from '../support/msw-env.ts';
import { useMswServer } from '../support/msw-server.ts';

const server = useMswServer();
const API = 'https://api.example.com';

describe('fetch output', () => {
  it('body mode: JSON when the content type says json, text otherwise', async () => {
    const t = await makeFetchEnv();
    server.use(
      http.get(`${API}/json`, () => HttpResponse.json({ a: [1, 2] }, { headers: { 'Content-Type': 'application/vnd.api+json' } })),
      http.get(`${API}/text`, () => HttpResponse.text('{"looks":"like json"}')),
    );
    expect(await executeFetch({ url: `${API}/json` }, t.env, 'do[0]')).toEqual({ a: [1, 2] });
    expect(await executeFetch({ url: `${API}/text` }, t.env, 'do[1]')).toBe('{"looks":"like json"}');
  });

  it('detailed_response: status, headers with lower-case names, body', async () => {
    const t = await makeFetchEnv();
    server.use(http.get(`${API}/d`, () => HttpResponse.json({ ok: true }, { status: 201, headers: { 'X-Request-Id': 'r-1' } })));
    const out = await executeFetch({ url: `${API}/d`, outputMode: 'detailed_response' }, t.env, 'do[0]');
    expect(out).toMatchObject({ status: 201, headers: { 'x-request-id': 'r-1', 'content-type': 'application/json' }, body: { ok: true } });
  });

  it('the output is redacted: a service echoing the secret gives back the mask, in body and headers', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    server.use(
      http.get(`${API}/echo`, ({ request }) =>
        HttpResponse.json({ youSent: request.headers.get('x-key'), note: `key=${request.headers.get('x-key')}` }, { headers: { 'X-Echo': request.headers.get('x-key') ?? '' } }),
      ),
    );
    const out = await executeFetch({ url: `${API}/echo`, headers: { 'X-Key': ref }, outputMode: 'detailed_response' }, t.env, 'do[0]');
    expect(JSON.stringify(out)).not.toContain(value);
    expect(out).toMatchObject({ headers: { 'x-echo': REDACTED }, body: { youSent: REDACTED, note: `key=${REDACTED}` } });
  });
});

describe('fetch errors', () => {
  it('emitErrors (default): a 4xx returns the output and emits runtime.fetch.failed with the request as written', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    server.use(http.post(`${API}/fail`, ({ request }) => HttpResponse.json({ error: 'bad', echoed: request.headers.get('x-key') }, { status: 422 })));
    const instr = { url: `${API}/fail`, method: 'POST', headers: { 'X-Key': ref }, query: { q: ref }, body: { k: `v ${ref}` } };
    const out = await executeFetch(instr, t.env, 'do[0]');
    expect(out).toEqual({ error: 'bad', echoed: REDACTED });
    const failed = t.events.filter((e) => e.type === EVENT.fetchFailed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.payload).toEqual({
      request: { url: `${API}/fail`, method: 'POST', headers: { 'X-Key': ref }, query: { q: ref }, body: { k: `v ${ref}` } },
      response: { status: 422, headers: expect.objectContaining({ 'content-type': 'application/json' }), body: { error: 'bad', echoed: REDACTED } },
    });
    expect(JSON.stringify(t.events)).not.toContain(value);
  });

  it('emitErrors: false: a 5xx throws fetch_failed naming status and host', async () => {
    const t = await makeFetchEnv();
    server.use(http.get(`${API}/down`, () => HttpResponse.text('oops', { status: 503 })));
    const e = (await executeFetch({ url: `${API}/down`, emitErrors: false }, t.env, 'do[4]').catch((x: unknown) => x)) as InstructionError;
    expect(e).toBeInstanceOf(InstructionError);
    expect(e.code).toBe('fetch_failed');
    expect(e.message).toBe('HTTP 503 from api.example.com');
    expect(e.toObject()).toEqual({ error: 'fetch_failed', message: 'HTTP 503 from api.example.com', details: { path: 'do[4]', status: 503 } });
    expect(t.events.filter((x) => x.type === EVENT.fetchFailed)).toEqual([]);
  });

  it('a network error is fetch_network_error naming the host, never the URL with its secret', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('token', value);
    server.use(http.get(`${API}/net`, () => HttpResponse.error()));
    const e = (await executeFetch({ url: `${API}/net?token=${ref}` }, t.env, 'do[0]').catch((x: unknown) => x)) as InstructionError;
    expect(e.code).toBe('fetch_network_error');
    expect(e.message).toContain('api.example.com');
    expect(e.message).not.toContain(value);
    expect(e.message).not.toContain('/net');
  });
});

describe('fetch response size', () => {
  it('refuses a response body larger than 16 MiB with fetch_response_too_large instead of truncating it', async () => {
    server.use(http.get('https://big.example.com/x', () => new HttpResponse(new Uint8Array(MAX_RESPONSE_BYTES + 1), { headers: { 'content-type': 'text/plain' } })));
    const t = await makeFetchEnv();
    await expect(executeFetch({ url: 'https://big.example.com/x' }, t.env, 'do[0]')).rejects.toMatchObject({ code: 'fetch_response_too_large' });
  });
});
