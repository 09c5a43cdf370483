// The package's entries, imported by its own name as an embedder would: the main entry and the Node-only and PostgreSQL subpaths.
import { describe, expect, it } from 'vitest';

describe('package entries', () => {
  it('the main entry exports the service, the runtime, the resolver and the redactor', async () => {
    const mod = await import('secretref');
    for (const name of ['openSecrets', 'openSecretsService', 'memoryStorage', 'createRuntime', 'parseAutomation', 'memorySinks', 'makeReferenceResolver', 'createRedactor', 'safeRedact'])
      expect(typeof (mod as Record<string, unknown>)[name], name).toBe('function');
    expect(typeof mod.webCryptoPrimitives.aesGcmSeal).toBe('function');
  });

  it('the Node-only adapters and PostgreSQL are reachable by explicit subpaths', async () => {
    expect(typeof (await import('secretref/node/sqlite')).openSqliteStorage).toBe('function');
    expect(typeof (await import('secretref/node/crypto')).nodeCryptoPrimitives).toBe('object');
    expect(typeof (await import('secretref/postgres')).openPostgresStorage).toBe('function');
  });

  it('an embedder runs an automation through the main entry alone: the API gets the value, the outputs do not', async () => {
    const { createRuntime, memorySinks, openSecrets, parseAutomation } = await import('secretref');
    const key = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
    const secrets = await openSecrets({ masterKeys: JSON.stringify([{ kid: 'k1', key, active: true }]) });
    if (secrets._tag === 'Left') throw new Error('the service did not open');
    const value = `tok-${crypto.randomUUID()}`;
    const received: string[] = [];
    const sinks = memorySinks();
    const fetch = async (input: Request): Promise<Response> => {
      received.push(input.headers.get('authorization') ?? '');
      return new Response(JSON.stringify({ echoed: input.headers.get('authorization') }), { headers: { 'content-type': 'application/json' } });
    };
    const automation = parseAutomation(
      `do:\n  - run: { module: secrets, function: set, parameters: { name: t, value: "{{token}}", scope: workspace }, output: ref }\n  - fetch: { url: "https://api.example.com/x", headers: { Authorization: "Bearer {{ref}}" }, output: r }\n  - emit: { event: done, payload: "{{r}}" }\n`,
    );
    if (automation._tag === 'Left') throw new Error('the automation did not decode');
    const runtime = createRuntime({ secrets: secrets.right, sinks, fetch });
    const result = await runtime.run(automation.right, { context: { workspaceId: 'w', correlationId: 'c', trigger: 'manual' }, payload: { token: value } });
    expect(result._tag).toBe('Right');
    expect(received).toEqual([`Bearer ${value}`]);
    expect(JSON.stringify([sinks.events, sinks.logs, result]).includes(value)).toBe(false);
  });
});
