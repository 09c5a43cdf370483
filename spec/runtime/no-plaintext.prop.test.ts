// The end-to-end property: random automations and secret values, an API that echoes every encoding back; the API gets the plaintext, no output shows it.
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { decodeAutomation } from '../../src/runtime/decode-automation.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { memorySinks } from '../../src/runtime/events.ts';
import { openHarness } from '../support/service.ts';
import { useMswServer } from '../support/msw-server.ts';
import { base64Blob, oracleForms, secretArb, simpleHtmlEscape, wellFormed } from '../support/redaction-oracle.ts';

const server = useMswServer();
const ECHO = 'https://echo.test';

type Place = 'header' | 'query' | 'jsonBody' | 'textBody' | 'basic';
type Mode = 'raw' | 'json' | 'percent' | 'base64' | 'hex' | 'html';

/** Header values must be printable ASCII without surrounding spaces to arrive unchanged. */
const headerSafe = (v: string) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(v);

const fetchStep = (place: Place, mode: Mode, status: number, detailed: boolean, emitErrors: boolean) => {
  const f: Record<string, unknown> = {
    url: `${ECHO}/echo?mode=${mode}&status=${status}&place=${place}`,
    method: place === 'jsonBody' || place === 'textBody' ? 'POST' : 'GET',
    output: 'resp',
    onError: 'continue',
    emitErrors,
    outputMode: detailed ? 'detailed_response' : 'body',
  };
  if (place === 'header') f['headers'] = { 'X-Api-Key': '{{ref}}' };
  if (place === 'query') f['query'] = { key: '{{ref}}', other: ['a', 'b'] };
  if (place === 'jsonBody') f['body'] = { key: '{{ref}}', n: 1 };
  if (place === 'textBody') f['body'] = { note: 'token={{ref}};' };
  if (place === 'basic') f['auth'] = { basic: { username: 'svc', password: '{{ref}}' } };
  return { fetch: f };
};

const stepArb = (value: string): fc.Arbitrary<unknown> => {
  const places: Place[] = ['query', 'jsonBody', 'textBody', 'basic', ...(headerSafe(value) ? (['header'] as const) : [])];
  const fetchArb = fc
    .tuple(fc.constantFrom(...places), fc.constantFrom<Mode>('raw', 'json', 'percent', 'base64', 'hex', 'html'), fc.constantFrom(200, 400, 500), fc.boolean(), fc.boolean())
    .map(([p, m, s, d, e]) => fetchStep(p, m, s, d, e));
  return fc.oneof(
    { weight: 4, arbitrary: fetchArb },
    { weight: 1, arbitrary: fc.constant({ run: { module: 'secrets', function: 'get', parameters: { name: 's', scope: 'workspace' }, output: 'ref' } }) },
    { weight: 2, arbitrary: fc.constant({ emit: { event: 'echoed', payload: { resp: '{{resp}}', text: 'got {{resp}}', direct: '{{v}}' } } }) },
    {
      weight: 1,
      arbitrary: fetchArb.map((f) => ({
        conditions: { '{{resp}}': [{ emit: { event: 'had-response', payload: '{{resp}}' } }], default: [f] },
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Mode>('raw', 'json', 'base64').map((m) => {
        const failing = fetchStep('jsonBody', m, 500, false, false);
        return { try: { do: [{ fetch: { ...(failing.fetch as object), onError: 'break' } }], catch: [{ emit: { event: 'caught', payload: '{{error}}' } }] } };
      }),
    },
  );
};

const encode = (mode: Mode, text: string): string => {
  const b = Buffer.from(text, 'utf8');
  switch (mode) {
    case 'raw':
      return text;
    case 'json':
      return JSON.stringify({ echo: text });
    case 'percent':
      return encodeURIComponent(wellFormed(text));
    case 'base64':
      return b.toString('base64');
    case 'hex':
      return b.toString('hex');
    case 'html':
      return `<p>${simpleHtmlEscape(text)}</p>`;
  }
};

/** Every string leaf of a value (keys too). */
const leaves = (u: unknown, out: string[] = []): string[] => {
  if (typeof u === 'string') out.push(u);
  else if (Array.isArray(u)) u.forEach((x) => leaves(x, out));
  else if (typeof u === 'object' && u !== null)
    for (const [k, v] of Object.entries(u)) {
      out.push(k);
      leaves(v, out);
    }
  return out;
};

/** The forms a leak could take, from Node's own codecs: each encoding, and base64 slices at every alignment. */
const leakForms = (value: string): string[] => {
  const forms = Object.values(oracleForms(value));
  for (const url of [false, true])
    for (let pre = 0; pre < 3; pre++) forms.push(base64Blob(value, new Uint8Array(pre).fill(0x41), new Uint8Array(0), url).middle);
  return [...new Set(forms.filter((f) => f.length >= 8))];
};

describe('no plaintext escapes a run', () => {
  it('the API receives the plaintext where a reference was placed, and no event, log, error or output contains the value in any echoed form', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb.chain((v) => fc.tuple(fc.constant(v), fc.array(stepArb(v), { minLength: 1, maxLength: 6 }))),
        async ([value, steps]) => {
          const received: boolean[] = [];
          server.use(
            http.all(`${ECHO}/echo`, async ({ request }) => {
              const url = new URL(request.url);
              const place = url.searchParams.get('place') as Place;
              const body = request.method === 'GET' ? '' : await request.text();
              const auth = request.headers.get('authorization') ?? '';
              const material =
                place === 'header'
                  ? (request.headers.get('x-api-key') ?? '')
                  : place === 'query'
                    ? (url.searchParams.get('key') ?? '')
                    : place === 'basic'
                      ? Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8')
                      : place === 'jsonBody'
                        ? String((JSON.parse(body) as { key: unknown }).key)
                        : String((JSON.parse(body) as { note: unknown }).note);
              received.push(material.includes(wellFormed(value)) || material.includes(value));
              const whole = `${request.method} ${url.pathname}${url.search}\n${auth}\n${request.headers.get('x-api-key') ?? ''}\n${body}`;
              const mode = url.searchParams.get('mode') as Mode;
              return new HttpResponse(encode(mode, whole), {
                status: Number(url.searchParams.get('status')),
                headers: {
                  'content-type': mode === 'json' ? 'application/json' : 'text/plain',
                  'x-echo-b64': Buffer.from(whole, 'utf8').toString('base64'),
                  'x-echo-pct': encodeURIComponent(wellFormed(whole)),
                },
              });
            }),
          );
          const automation = decodeAutomation({
            slug: 'prop',
            do: [{ run: { module: 'secrets', function: 'set', parameters: { name: 's', value: '{{v}}', scope: 'workspace' }, output: 'ref' } }, ...steps],
            output: { resp: '{{resp}}', v: '{{v}}', text: 'v={{v}}' },
          });
          if (E.isLeft(automation)) throw new Error(`generated automation does not decode: ${JSON.stringify(automation.left.problems)}`);
          const harness = await openHarness();
          const sinks = memorySinks();
          const runtime = createRuntime({ secrets: harness.service, sinks, clock: harness.clock });
          const r = await runtime.run(automation.right, { context: { workspaceId: 'ws', correlationId: 'run', trigger: 'manual', userId: 'u' }, payload: { v: value } });
          if (E.isLeft(r)) throw new Error('run refused');

          expect(received.every(Boolean)).toBe(true);
          const texts = [
            ...sinks.events.map((e) => JSON.stringify(e)),
            ...sinks.logs.map((l) => JSON.stringify(l)),
            JSON.stringify(r.right),
            ...leaves([sinks.events, sinks.logs, r.right]),
          ];
          const forms = leakForms(value);
          const leaked = texts.flatMap((t) => forms.filter((f) => t.includes(f)).map((f) => Object.entries(oracleForms(value)).find(([, x]) => x === f)?.[0] ?? 'base64-slice'));
          expect(leaked).toEqual([]);
          server.resetHandlers();
        },
      ),
      { numRuns: Number(process.env['SECRETREF_PROP_RUNS'] ?? 150) },
    );
  }, 300_000);
});
