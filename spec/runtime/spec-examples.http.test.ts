// Every example of the specification, verbatim, run against msw fakes of auth.example.com and api.example.com.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EVENT } from '../../src/runtime/events.ts';
import { specExampleText } from '../support/fixtures.ts';
import { requestCounter, useMswServer } from '../support/msw-server.ts';
import { eventsOf, runYaml } from '../support/runtime.ts';
import { ctx, right } from '../support/service.ts';

const server = useMswServer();
const fresh = (prefix: string) => `${prefix}-${randomBytes(16).toString('base64url')}`;

describe('the specification\'s examples, as written', () => {
  it('set, get and delete run and return a reference, a reference and { deleted: true }', async () => {
    const set = await runYaml(`do:\n${specExampleText('set').replace(/^/gm, '  ')}\noutput: '{{secretRef}}'\n`);
    expect((set.result as { output: string }).output).toMatch(/^\$secret:v1\./);
    const get = await runYaml(`do:\n${specExampleText('get').replace(/^/gm, '  ')}\noutput: '{{secretRef}}'\n`, { harness: set.harness });
    expect((get.result as { output: string }).output).toMatch(/^\$secret:v1\./);
    const del = await runYaml(`do:\n${specExampleText('delete').replace(/^/gm, '  ')}\noutput: '{{result}}'\n`, { harness: set.harness });
    expect(del.result).toMatchObject({ status: 'succeeded', output: { deleted: true } });
    const again = await runYaml(`do:\n${specExampleText('delete').replace(/^/gm, '  ')}\noutput: '{{result}}'\n`, { harness: set.harness });
    expect(again.result).toMatchObject({ output: { error: 'not_found' } });
  });

  it('using a reference in fetch: the API receives the real value in the Authorization header', async () => {
    const value = fresh('sk-live');
    const first = await runYaml("do:\n  - run: {module: secrets, function: set, parameters: {name: myApiKey, value: '{{v}}', scope: workspace}}\n", { payload: { v: value } });
    const seen: string[] = [];
    server.use(
      http.get('https://api.example.com/data', ({ request }) => {
        seen.push(request.headers.get('authorization') ?? '');
        return HttpResponse.json({ ok: true, echo: request.headers.get('authorization') });
      }),
    );
    const o = await runYaml(specExampleText('use-in-fetch'), { harness: first.harness });
    expect(o.result.status).toBe('succeeded');
    expect(seen).toEqual([`Bearer ${value}`]);
    expect(o.lines.join('\n')).not.toContain(value);
  });

  it('the complete OAuth example: the client secret reaches the token endpoint, the token reaches the API, neither is ever output', async () => {
    const clientSecret = fresh('cs');
    const token = fresh('at');
    const setup = await runYaml("do:\n  - run: {module: secrets, function: set, parameters: {name: clientSecret, value: '{{v}}', scope: workspace}}\n", {
      payload: { v: clientSecret },
    });
    const count = requestCounter();
    let authBody: unknown;
    let apiAuthorization: string | null = null;
    server.use(
      http.post('https://auth.example.com/oauth/token', async ({ request }) => {
        count.hit(request);
        authBody = await request.json();
        return HttpResponse.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }),
      http.get('https://api.example.com/resources', ({ request }) => {
        count.hit(request);
        apiAuthorization = request.headers.get('authorization');
        return HttpResponse.json({ resources: [{ id: 1 }], echoedToken: token });
      }),
    );
    const o = await runYaml(specExampleText('call-with-oauth'), { harness: setup.harness, config: { clientId: 'client-42' } });
    expect(o.result.status).toBe('succeeded');
    expect(authBody).toEqual({ grant_type: 'client_credentials', client_id: 'client-42', client_secret: clientSecret });
    expect(apiAuthorization).toBe(`Bearer ${token}`);
    expect(count.total()).toBe(2);
    // The token is now a workspace secret with a one-hour ttl.
    const stored = right(await setup.harness.service.list(ctx()));
    const oauth = stored.find((m) => m.identity.name === 'oauthToken');
    expect(oauth?.expiresAt).toBe(setup.harness.clock.now() + 3_600_000);
    for (const v of [clientSecret, token]) expect(o.lines.join('\n')).not.toContain(v);
    expect(eventsOf(o, EVENT.executed)).toHaveLength(1);
  });

  it('error handling: a missing secret comes back as { error: "not_found" } and the condition emits secret-missing', async () => {
    const o = await runYaml(specExampleText('error-handling'));
    expect(eventsOf(o, 'secret-missing')).toEqual([{ message: 'Secret myApiKey not found' }]);
  });
});
