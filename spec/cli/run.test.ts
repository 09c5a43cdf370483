// `secretref run` as a real process: a user's automation file, real SQLite in a temp dir, real HTTP on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startLoopbackServer, type LoopbackServer } from '../support/cli-http.ts';
import { freshMasterKeys, generatedValue, holdsValue, runCli, tempDirs, writeFile, type CliResult } from '../support/cli-process.ts';

const dirs = tempDirs();
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(async () => {
  await server.close();
  dirs.cleanup();
});

/** Runs `secretref run` in a fresh temp dir holding the given files, with a fresh master key. */
const runIn = async (files: Readonly<Record<string, string>>, args: readonly string[]): Promise<CliResult & { dir: string }> => {
  const dir = dirs.make('run');
  for (const [name, text] of Object.entries(files)) writeFile(dir, name, text);
  const r = await runCli(['run', ...args], { cwd: dir, env: { SECRETS_MASTER_KEYS: freshMasterKeys() } });
  return { ...r, dir };
};

const executedOf = (r: CliResult) => r.events().filter((e) => e['type'] === 'runtime.automations.executed');

const SET_GET_FETCH = `# what a user writes: store a token from the payload, take a reference right before the call, send it
slug: send-token
name: Send a token
do:
  - run:
      module: secrets
      function: set
      parameters:
        name: apiToken
        value: "{{token}}"
        scope: workspace
      output: setRef
  - run:
      module: secrets
      function: get
      parameters:
        name: apiToken
        scope: workspace
      output: tokenRef
  - fetch:
      url: "{{config.api.base}}/run-ok"
      method: GET
      headers:
        Authorization: "Bearer {{tokenRef}}"
        X-Team: "{{config.team}}"
      output: response
output: "{{response}}"
`;

describe('secretref run', () => {
  it('runs a user automation that sets, gets and fetches: the server receives the plaintext, stdout/stderr are JSON lines without it, exit 0', async () => {
    const value = generatedValue('tok');
    const correlationId = randomUUID();
    const config = `api:\n  base: ${server.origin}\nteam: blue-team\n`;
    const r = await runIn({ 'send-token.yaml': SET_GET_FETCH, 'workspace.yaml': config }, [
      'send-token.yaml',
      '--payload',
      JSON.stringify({ token: value }),
      '--config',
      'workspace.yaml',
      '--correlation-id',
      correlationId,
    ]);

    expect(r.code, r.stderr).toBe(0);
    const got = server.at('/run-ok');
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['authorization']).toBe(`Bearer ${value}`);
    expect(got[0]!.headers['x-team']).toBe('blue-team'); // {{config.team}} from the YAML file

    const events = r.events();
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['createdAt', 'payload', 'source', 'type']);
      expect(typeof e['type']).toBe('string');
      expect(Number.isNaN(Date.parse(String(e['createdAt'])))).toBe(false);
      expect(e['source']).toMatchObject({ workspaceId: 'default', correlationId, automationSlug: 'send-token' });
    }
    const executed = executedOf(r);
    expect(executed).toHaveLength(1);
    expect(executed[0]!['payload']).toMatchObject({ slug: 'send-token', trigger: 'manual', output: { ok: true } });
    expect(executed[0]!['payload']).not.toHaveProperty('error');

    const logs = r.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const l of logs) {
      expect(typeof l['level']).toBe('string');
      expect(typeof l['message']).toBe('string');
    }
    expect(holdsValue(r.stdout, value), 'stdout holds the value').toBe(false);
    expect(holdsValue(r.stderr, value), 'stderr holds the value').toBe(false);
  });

  it('makes inline JSON --config visible as {{config.x}}', async () => {
    const automation = `do:\n  - emit:\n      event: config-seen\n      payload:\n        x: "{{config.x}}"\n        n: "{{config.nested.n}}"\n`;
    const r = await runIn({ 'show-config.yaml': automation }, ['show-config.yaml', '--config', JSON.stringify({ x: 'from-json', nested: { n: 7 } })]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events().find((e) => e['type'] === 'config-seen')?.['payload']).toEqual({ x: 'from-json', n: 7 });
  });

  it('exits 1 when the run fails, and runtime.automations.executed carries the error without the value', async () => {
    const value = generatedValue('bad');
    const automation = `do:\n  - run:\n      module: secrets\n      function: set\n      parameters:\n        name: t\n        value: "{{v}}"\n        scope: workspace\n        ttl: -1\n      output: r\n`;
    const r = await runIn({ 'bad-ttl.yaml': automation }, ['bad-ttl.yaml', '--payload', JSON.stringify({ v: value })]);
    expect(r.code).toBe(1);
    const executed = executedOf(r);
    expect(executed).toHaveLength(1);
    expect(executed[0]!['payload']).toMatchObject({ slug: 'bad-ttl', output: null, error: { error: 'invalid_parameter' } });
    expect(JSON.stringify(executed[0]!['payload'])).toContain('ttl');
    expect(holdsValue(r.stdout + r.stderr, value)).toBe(false);
  });

  it('exits 0 when the run ends with an actionable error object in a variable (get of a missing secret)', async () => {
    const automation = `do:\n  - run:\n      module: secrets\n      function: get\n      parameters: { name: absent, scope: workspace }\n      output: result\n  - conditions:\n      '{{result.error}}':\n        - emit: { event: secret-missing, payload: { error: '{{result.error}}' } }\n`;
    const r = await runIn({ 'missing.yaml': automation }, ['missing.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events().find((e) => e['type'] === 'secret-missing')?.['payload']).toEqual({ error: 'not_found' });
  });

  it('runs an automation even when another automation of its folder calls a slug that does not exist', async () => {
    const ok = `do:\n  - emit: { event: ran, payload: {} }\n`;
    const broken = `do:\n  - no-such-automation: {}\n`;
    const r = await runIn({ 'ok.yaml': ok, 'broken.yaml': broken }, ['ok.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events().map((e) => e['type'])).toContain('ran');
  });

  it('warns about a file of the folder that does not decode, naming it and its slug, and a call to that slug is refused', async () => {
    const broken = `do:\n  - fetch:\n      url: https://api.example.com/\n      methd: GET\n`;
    const alone = await runIn({ 'ok.yaml': `do:\n  - emit: { event: ran, payload: {} }\n`, 'helper.yaml': broken }, ['ok.yaml']);
    expect(alone.code, alone.stderr).toBe(0);
    const warned = alone.logs().filter((l) => l['level'] === 'warn').map((l) => String(l['message']));
    expect(warned.find((m) => m.includes('helper.yaml'))).toMatch(/do\[0\]\.fetch.*automation "helper" is not available to calls/);

    const caller = await runIn({ 'caller.yaml': `do:\n  - helper: {}\n`, 'helper.yaml': broken }, ['caller.yaml']);
    expect(caller.code).toBe(2);
    expect(caller.logs().some((l) => l['level'] === 'warn' && String(l['message']).includes('helper.yaml'))).toBe(true);
    expect(caller.stdout).toBe('');
  });

  describe.concurrent('unusable input exits 2, runs nothing and writes no event', () => {
    const literal = generatedValue('lit');
    const EMIT = `do:\n  - emit: { event: ran, payload: {} }\n`;
    const cases: readonly [string, Readonly<Record<string, string>>, readonly string[]][] = [
      ['a missing automation file', {}, ['nowhere.yaml']],
      ['invalid YAML, whose source line is not quoted', { 'a.yaml': `do:\n  - fetch: [ "${literal}"\n   url: x\n` }, ['a.yaml']],
      ['an unknown instruction (a slug no automation has)', { 'a.yaml': `do:\n  - frobnicate:\n      x: 1\n` }, ['a.yaml']],
      ['an unknown field of fetch', { 'a.yaml': `do:\n  - fetch:\n      url: http://127.0.0.1:9/\n      methd: GET\n` }, ['a.yaml']],
      ['--payload that is not JSON', { 'a.yaml': EMIT }, ['a.yaml', '--payload', '{not json']],
      ['a --trigger that does not exist', { 'a.yaml': EMIT }, ['a.yaml', '--trigger', 'sometimes']],
      ['a schedule trigger with --user', { 'a.yaml': EMIT }, ['a.yaml', '--trigger', 'schedule', '--user', 'u1']],
      ['an unknown option', { 'a.yaml': EMIT }, ['a.yaml', '--frobnicate']],
      ['a --config file that does not exist', { 'a.yaml': EMIT }, ['a.yaml', '--config', 'absent.yaml']],
      ['no automation file', {}, []],
    ];
    it.each(cases)('%s', async (_what, files, args) => {
      const r = await runIn(files, args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.logs().some((l) => l['level'] === 'error')).toBe(true);
      expect(r.stderr).not.toContain(literal);
    });
  });
});
