// End to end: a short secret echoed inside a server's message, and a number leaf of an object secret, never reach an event, a log or the run result.
import { randomBytes, randomInt } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { useMswServer } from '../support/msw-server.ts';
import { eventsOf, runYaml } from '../support/runtime.ts';
import { ctx, openHarness, right } from '../support/service.ts';

const server = useMswServer();
const API = 'https://api.example.com';

/** A generated value of the given length, letters and digits only. */
const generatedOf = (length: number): string => randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);

/** Sets the secret in the harness, then runs a fetch that sends it and keeps the response, failed or not. */
const runFetch = async (value: unknown, body: string) => {
  const h = await openHarness();
  right(await h.service.set(ctx(), { name: 'apiKey', value, scope: 'workspace', allowedHosts: ['api.example.com'] }));
  const received: string[] = [];
  server.use(
    http.post(`${API}/login`, async ({ request }) => {
      received.push(await request.text());
      return HttpResponse.text(body, { status: 401 });
    }),
  );
  const o = await runYaml(
    `do:
  - run: {module: secrets, function: get, parameters: {name: apiKey, scope: workspace}, output: ref}
  - fetch: {url: "${API}/login", method: POST, body: {key: "{{ref}}"}, onError: continue, emitErrors: true, outputMode: detailed_response, output: resp}
  - emit: {event: seen, payload: {resp: "{{resp}}", text: "got {{resp}}"}}
output: {resp: "{{resp}}"}
`,
    { harness: h },
  );
  return { o, received, outputs: [...o.lines, JSON.stringify(o.result)].join('\n') };
};

describe('short secrets in outputs', () => {
  it('a 7-character value echoed inside an error message is masked in the fetch output, events, logs and run result', async () => {
    const value = generatedOf(7);
    const { o, received, outputs } = await runFetch(value, `Invalid key ${value} given`);
    expect(received.join('\n')).toContain(value);
    expect(eventsOf(o, EVENT.fetchFailed)).toHaveLength(1);
    expect(outputs).toContain('Invalid key [REDACTED] given');
    expect(outputs).not.toContain(value);
  });

  it('a number leaf of an object secret sent as a body and echoed by the server is masked', async () => {
    const value = { user: `svc-${generatedOf(8)}`, pin: randomInt(10_000_000, 100_000_000), code: randomInt(10_000, 100_000) };
    const { received, outputs } = await runFetch(value, `user=${value.user} pin=${value.pin} code=${value.code}`);
    expect(received.join('\n')).toContain(String(value.pin));
    expect(outputs).toContain('pin=[REDACTED] code=[REDACTED]');
    expect(outputs).not.toContain(String(value.pin));
    expect(outputs).not.toContain(String(value.code));
  });

  it('warns at set about a value under 4 characters only, which is masked only where it stands alone', async () => {
    const set = (value: string) =>
      runYaml(`do:\n  - run: {module: secrets, function: set, parameters: {name: k, value: '{{v}}', scope: workspace}, output: ref}\n`, { payload: { v: value } });
    expect(eventsOf(await set(generatedOf(3)), EVENT.secretShort)).toHaveLength(1);
    expect(eventsOf(await set(generatedOf(4)), EVENT.secretShort)).toHaveLength(0);
  });

  it('warns at set about an object value with string fields under 4 characters, saying how many', async () => {
    const set = (value: unknown) =>
      runYaml(`do:
  - run: {module: secrets, function: set, parameters: {name: k, value: '{{v}}', scope: workspace}, output: ref}
`, { payload: { v: value } });
    const warned = eventsOf(await set({ user: `svc-${generatedOf(8)}`, pin: generatedOf(2), region: generatedOf(3) }), EVENT.secretShort);
    expect(warned).toEqual([expect.objectContaining({ name: 'k', shortFields: 2 })]);
    expect(eventsOf(await set({ user: `svc-${generatedOf(8)}`, port: 443 }), EVENT.secretShort)).toHaveLength(0);
  });
});
