// Deno smoke suite for the runtime: an automation sets a secret and fetches a loopback Deno.serve API with its reference.
import assert from 'node:assert/strict';
import { createRuntime, memorySinks, openSecrets, parseAutomation } from '../../src/mod.ts';

const hex = (n: number): string => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');

Deno.test('an automation resolves a reference into a real HTTP request on Deno, and no output shows the value', async () => {
  const value = `tok-${hex(16)}`;
  const seen: string[] = [];
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, (req) => {
    seen.push(req.headers.get('authorization') ?? '');
    return Response.json({ echo: req.headers.get('authorization') });
  });
  try {
    const opened = await openSecrets({ masterKeys: JSON.stringify([{ kid: 'kek-v1', key: hex(32), active: true }]) });
    if (opened._tag === 'Left') throw new Error(opened.left.code);
    const automation = parseAutomation(`
do:
  - run: {module: secrets, function: set, parameters: {name: apiKey, value: '{{v}}', scope: workspace}, output: ref}
  - fetch:
      url: http://127.0.0.1:${server.addr.port}/data
      headers: {Authorization: 'Bearer {{ref}}'}
      output: response
output: '{{response}}'
`);
    if (automation._tag === 'Left') throw new Error('automation does not decode');
    const sinks = memorySinks();
    const result = await createRuntime({ secrets: opened.right, sinks }).run(automation.right, {
      context: { workspaceId: 'ws-deno', correlationId: 'run-deno', trigger: 'manual' },
      payload: { v: value },
    });
    assert.equal(result._tag, 'Right');
    assert.equal(result._tag === 'Right' && result.right.status, 'succeeded');
    assert.deepEqual(seen, [`Bearer ${value}`]);
    const everything = JSON.stringify([sinks.events, sinks.logs, result]);
    assert.ok(!everything.includes(value));
    assert.ok(everything.includes('[REDACTED]'));
  } finally {
    await server.shutdown();
  }
});
