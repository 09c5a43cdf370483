// Fail closed: a reference that does not resolve, `$secret:` text left over, or a host outside a secret's allow-list stops the request before anything is sent.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { executeFetch, type RenderedFetch } from '../../src/runtime/fetch-instruction.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { makeReferenceResolver } from '../../src/runtime/reference-resolver.ts';
import { ctx, openHarness } from '../support/service.ts';
import { generated, makeFetchEnv, type FetchTestEnv } from '../support/msw-env.ts';
import { requestCounter, useMswServer } from '../support/msw-server.ts';

const server = useMswServer();
const API = 'https://api.example.com';

/** Runs the instruction against a counting handler; returns the error, having checked nothing reached the API. */
const refused = async (t: FetchTestEnv, instr: RenderedFetch, value: string) => {
  const counter = requestCounter();
  server.use(http.all(`${API}/*`, ({ request }) => (counter.hit(request), HttpResponse.json({}))));
  const e = await executeFetch(instr, t.env, 'do[3]').catch((x: unknown) => x);
  expect(counter.total()).toBe(0);
  expect(e).toBeInstanceOf(InstructionError);
  const err = e as InstructionError;
  expect(err.message).not.toContain(value);
  expect(JSON.stringify(err.toObject())).not.toContain(value);
  return err;
};

describe('fetch fails closed', () => {
  it('an expired reference: reference_expired, naming the field and the secret', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    t.harness.clock.advance(300_001);
    const e = await refused(t, { url: `${API}/x`, headers: { Authorization: `Bearer ${ref}` } }, value);
    expect(e.code).toBe('reference_expired');
    expect(e.message).toContain('do[3].fetch.headers.Authorization');
    expect(e.message).toContain('"apiKey"');
    expect(e.message).toContain('expired');
  });

  it('a tampered reference: reference_tampered', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    const i = ref.length - 10;
    const tampered = ref.slice(0, i) + (ref[i] === 'A' ? 'B' : 'A') + ref.slice(i + 1);
    const e = await refused(t, { url: `${API}/x`, method: 'POST', body: { key: tampered } }, value);
    expect(e.code).toBe('reference_tampered');
    expect(e.message).toContain('do[3].fetch.body.key');
  });

  it('text written right after a reference is read as part of it: reference_tampered, with a hint to put a separator', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    for (const suffix of ['-prod', '_2', 'x', '7']) {
      const e = await refused(t, { url: `${API}/x`, headers: { 'X-Key': `${ref}${suffix}` } }, value);
      expect(e.code).toBe('reference_tampered');
      expect(e.message).toContain('do[3].fetch.headers.X-Key');
      expect(e.message).toContain('a reference ends at the first character outside A-Z a-z 0-9 _ -');
      expect(e.message).toContain('put a separator after it');
    }
    let got: string | null = null;
    server.use(http.all(`${API}/*`, ({ request }) => ((got = request.headers.get('x-key')), HttpResponse.json({}))));
    await executeFetch({ url: `${API}/x`, headers: { 'X-Key': `${ref}.prod` } }, t.env, 'do[3]');
    expect(got).toBe(`${value}.prod`);
  });

  it('a reference from another run: reference_other_run', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.referenceIn(ctx({ correlationId: 'run-other' }), 'apiKey', value);
    const e = await refused(t, { url: `${API}/x`, query: { key: ref } }, value);
    expect(e.code).toBe('reference_other_run');
    expect(e.message).toContain('do[3].fetch.query.key');
  });

  it('a reference from another workspace: reference_other_workspace', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.referenceIn(ctx({ workspaceId: 'ws-other' }), 'apiKey', value);
    const e = await refused(t, { url: `${API}/${ref}` }, value);
    expect(e.code).toBe('reference_other_workspace');
    expect(e.message).toContain('do[3].fetch.url');
  });

  it('a reference to a deleted secret: reference_not_found', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    await t.harness.service.delete(t.env.ctx, { name: 'apiKey', scope: 'workspace' });
    const e = await refused(t, { url: `${API}/x`, auth: { basic: { username: 'u', password: ref } } }, value);
    expect(e.code).toBe('reference_not_found');
    expect(e.message).toContain('do[3].fetch.auth.basic.password');
    expect(e.message).toContain('"apiKey"');
  });

  it('another user\'s reference in the same run: reference_user_mismatch', async () => {
    const t = await makeFetchEnv({ ctx: ctx({ userId: 'bob' }) });
    const value = generated();
    const r = await t.harness.service.set(ctx({ userId: 'alice' }), { name: 'mine', value, scope: 'user' });
    const ref = (r as { right: string }).right;
    const e = await refused(t, { url: `${API}/x`, headers: { 'X-Key': ref } }, value);
    expect(e.code).toBe('reference_user_mismatch');
  });

  it('one failing reference stops the request even when the others resolve, and the audit says which', async () => {
    const t = await makeFetchEnv();
    const good = generated();
    const refGood = await t.secret('good', good);
    const refGone = await t.secret('gone', generated());
    await t.harness.service.delete(t.env.ctx, { name: 'gone', scope: 'workspace' });
    const e = await refused(t, { url: `${API}/x`, headers: { A: refGood, B: refGone } }, good);
    expect(e.code).toBe('reference_not_found');
    expect(e.message).toContain('headers.B');
    expect(t.events.filter((x) => x.type === EVENT.secretResolved).map((x) => x.payload)).toEqual([
      { name: 'good', scope: 'workspace', outcome: 'resolved', host: 'api.example.com' },
      { name: 'gone', scope: 'workspace', outcome: 'not_found', host: 'api.example.com' },
    ]);
  });

  it('a host outside the secret\'s allow-list: host_not_allowed', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value, { allowedHosts: ['allowed.example.com'] });
    const e = await refused(t, { url: `${API}/x`, headers: { Authorization: `Bearer ${ref}` } }, value);
    expect(e.code).toBe('host_not_allowed');
    expect(e.message).toContain('"apiKey"');
    expect(e.message).toContain('api.example.com');
    expect(t.events.find((x) => x.type === EVENT.secretResolved)?.payload).toMatchObject({ outcome: 'host_not_allowed', host: 'api.example.com' });
  });

  it('a reference inside the host or credentials of a URL is refused before anything is sent', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const refHost = await t.secret('host', `tenant-${generated()}`);
    const ref = await t.secret('apiKey', value);
    expect((await refused(t, { url: `https://${refHost}.example.com/x`, headers: { 'X-Key': ref } }, value)).code).toBe('reference_in_url_authority');
    expect((await refused(t, { url: `https://svc:${ref}@api.example.com/x` }, value)).code).toBe('reference_in_url_authority');
  });

  it('a whole URL from a reference (a secret webhook) is checked against the allow-list of what it carries', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const hook = await t.secret('hook', 'https://api.example.com/hooks/x');
    const ref = await t.secret('apiKey', value, { allowedHosts: ['allowed.example.com'] });
    expect((await refused(t, { url: hook, headers: { 'X-Key': ref } }, value)).code).toBe('host_not_allowed');
  });

  it('an allow-listed secret goes only over https to the default port', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value, { allowedHosts: ['api.example.com'] });
    expect((await refused(t, { url: 'http://api.example.com/x', headers: { 'X-Key': ref } }, value)).code).toBe('host_not_allowed');
    expect((await refused(t, { url: 'https://api.example.com:8443/x', headers: { 'X-Key': ref } }, value)).code).toBe('host_not_allowed');
  });

  it('a reference used as a header name is refused', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value);
    expect((await refused(t, { url: `${API}/x`, headers: { [ref]: 'v' } }, value)).code).toBe('reference_in_header_name');
  });

  it('an allowed host is served', async () => {
    const t = await makeFetchEnv();
    const value = generated();
    const ref = await t.secret('apiKey', value, { allowedHosts: ['api.example.com'] });
    server.use(http.get(`${API}/ok`, ({ request }) => HttpResponse.json({ ok: request.headers.get('x-key') === value })));
    expect(await executeFetch({ url: `${API}/ok`, headers: { 'X-Key': ref } }, t.env, 'do[0]')).toEqual({ ok: true });
  });

  it('$secret: text that is not a reference: reference_malformed', async () => {
    const t = await makeFetchEnv();
    const e = await refused(t, { url: `${API}/x`, headers: { 'X-Key': 'Bearer $secret:not-a-reference' } }, '$secret:not-a-reference');
    expect(e.code).toBe('reference_malformed');
    expect(e.message).toContain('do[3].fetch.headers.X-Key');
  });

  it('$secret: text left after resolution (a value holding a reference): reference_unresolved', async () => {
    const t = await makeFetchEnv();
    const inner = await t.secret('inner', generated());
    const ref = await t.secret('outer', `wrapped ${inner}`);
    const e = await refused(t, { url: `${API}/x`, method: 'POST', body: { a: ref } }, inner);
    expect(e.code).toBe('reference_unresolved');
    expect(e.message).toContain('do[3].fetch.body.a');
  });

  it('a reference sealed with a key this runtime does not hold: reference_unknown_key', async () => {
    const t = await makeFetchEnv();
    const ref = await t.secret('apiKey', generated());
    const foreign = ref.replace(/^\$secret:v1\.[^.]+\./, '$secret:v1.nokey.');
    const e = await refused(t, { url: `${API}/x`, headers: { 'X-Key': foreign } }, 'never');
    expect(e.code).toBe('reference_unknown_key');
  });

  it('with the run\'s warm resolver, a delete between two fetches of the run stops the second at once', async () => {
    const harness = await openHarness();
    const t = await makeFetchEnv({ harness, resolver: makeReferenceResolver(harness.service, ctx()) });
    const value = generated();
    const ref = await t.secret('apiKey', value);
    server.use(http.get(`${API}/first`, ({ request }) => HttpResponse.json({ ok: request.headers.get('x-key') === value })));
    expect(await executeFetch({ url: `${API}/first`, headers: { 'X-Key': ref } }, t.env, 'do[0]')).toEqual({ ok: true });
    await t.harness.service.delete(t.env.ctx, { name: 'apiKey', scope: 'workspace' });
    const e = await refused(t, { url: `${API}/second`, headers: { 'X-Key': ref } }, value);
    expect(e.code).toBe('reference_not_found');
  });
});
