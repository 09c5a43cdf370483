// The interpreter: variables, conditions, set, repeat, try, emit, onError, calls between automations, the secrets module.
import { describe, expect, it } from 'vitest';
import { EVENT } from '../../src/runtime/events.ts';
import { eventsOf, runYaml } from '../support/runtime.ts';
import { specExampleText } from '../support/fixtures.ts';

describe('the interpreter', () => {
  it('runs the specification\'s error-handling example: a missing secret emits secret-missing', async () => {
    const o = await runYaml(specExampleText('error-handling'));
    expect(o.result.status).toBe('succeeded');
    expect(eventsOf(o, 'secret-missing')).toEqual([{ message: 'Secret myApiKey not found' }]);
  });

  it('does not emit secret-missing when the secret exists', async () => {
    const first = await runYaml(specExampleText('set'));
    const o = await runYaml(specExampleText('error-handling'), { harness: first.harness });
    expect(eventsOf(o, 'secret-missing')).toEqual([]);
  });

  it('stores a set output as a reference, never the value', async () => {
    const o = await runYaml(`do:\n${specExampleText('set').replace(/^/gm, '  ')}\noutput: '{{secretRef}}'\n`);
    expect(o.result).toMatchObject({ status: 'succeeded', output: expect.stringMatching(/^\$secret:v1\./) });
    expect(eventsOf(o, EVENT.executed)).toEqual([expect.objectContaining({ slug: 'test-automation', output: expect.stringMatching(/^\$secret:v1\./) })]);
    expect(o.lines.join('\n')).not.toContain('sk-live-abc123');
  });

  it('refuses an emit whose templated type turns out to be under runtime., and emits nothing under that type', async () => {
    const o = await runYaml("do:\n  - set: {name: kind, value: runtime.automations.executed}\n  - emit: {event: '{{kind}}', payload: {forged: true}}\n");
    expect(o.result).toMatchObject({ status: 'failed', error: { error: 'invalid_parameter' } });
    expect(eventsOf(o, EVENT.executed).filter((p) => (p as { forged?: unknown }).forged === true)).toEqual([]);
  });

  it('tries conditions in order; the first truthy wins; default otherwise', async () => {
    const yaml = `
do:
  - conditions:
      '{{n}} > 10':
        - set: {name: size, value: big}
      '{{n}} > 1':
        - set: {name: size, value: medium}
      default:
        - set: {name: size, value: small}
output: '{{size}}'
`;
    expect((await runYaml(yaml, { payload: { n: 50 } })).result).toMatchObject({ status: 'succeeded', output: 'big' });
    expect((await runYaml(yaml, { payload: { n: 5 } })).result).toMatchObject({ output: 'medium' });
    expect((await runYaml(yaml, { payload: { n: 0 } })).result).toMatchObject({ output: 'small' });
  });

  it('keeps the type of a whole template and sets dotted paths', async () => {
    const yaml = `
do:
  - set: {name: copy, value: '{{obj}}'}
  - set: {name: deep.a.b, value: 3}
output: {copy: '{{copy}}', deep: '{{deep}}', text: 'n={{obj.n}} list={{obj.list}}'}
`;
    const o = await runYaml(yaml, { payload: { obj: { n: 1, list: [1, 2] } } });
    expect(o.result).toMatchObject({ output: { copy: { n: 1, list: [1, 2] }, deep: { a: { b: 3 } }, text: 'n=1 list=[1,2]' } });
  });

  it('repeats on a list with item and index, a number of times, and until a condition', async () => {
    const yaml = `
do:
  - set: {name: seen, value: []}
  - repeat:
      on: '{{list}}'
      do:
        - set: {name: last, value: '{{item}}#{{index}}'}
  - set: {name: count, value: 0}
  - repeat:
      until: 3
      do:
        - set: {name: count, value: '{{index}}'}
  - repeat:
      until: '{{index}} >= 4'
      do:
        - set: {name: u, value: '{{index}}'}
output: {last: '{{last}}', count: '{{count}}', u: '{{u}}'}
`;
    expect((await runYaml(yaml, { payload: { list: ['a', 'b'] } })).result).toMatchObject({ output: { last: 'b#1', count: 2, u: 4 } });
  });

  it('stops a repeat that never meets its condition at max, with an error', async () => {
    const yaml = "do:\n  - repeat:\n      until: '{{never}}'\n      max: 5\n      do:\n        - set: {name: x, value: 1}\n";
    const o = await runYaml(yaml);
    expect(o.result).toMatchObject({ status: 'failed', error: { error: 'repeat_limit' } });
  });

  it('try: catch sees the error object and finally always runs', async () => {
    const yaml = `
do:
  - try:
      do:
        - run: {module: secrets, function: set, parameters: {name: '', value: x-1, scope: workspace}}
      catch:
        - set: {name: caught, value: '{{error.error}}'}
      finally:
        - set: {name: cleaned, value: true}
output: {caught: '{{caught}}', cleaned: '{{cleaned}}'}
`;
    expect((await runYaml(yaml)).result).toMatchObject({ status: 'succeeded', output: { caught: 'invalid_parameter', cleaned: true } });
  });

  it('onError break (the default) fails the run with { error, message, details } naming the parameter', async () => {
    const yaml = "do:\n  - run: {module: secrets, function: set, parameters: {name: n, value: v-1, scope: workspace, ttl: -1}}\n";
    const o = await runYaml(yaml);
    expect(o.result).toMatchObject({ status: 'failed', error: { error: 'invalid_parameter', details: { path: 'do[0]' } } });
    expect(JSON.stringify(o.result)).toContain('do[0].run.parameters.ttl');
    const executed = eventsOf(o, EVENT.executed)[0] as { error: unknown };
    expect(executed.error).toMatchObject({ error: 'invalid_parameter' });
  });

  it('onError continue makes the error object the output; onError emit also emits an error event', async () => {
    const yaml = `
do:
  - run: {module: secrets, function: get, parameters: {name: n, scope: team}, onError: continue, output: a}
  - run: {module: secrets, function: get, parameters: {name: n, scope: team}, onError: emit, output: b}
output: {a: '{{a.error}}', b: '{{b.error}}'}
`;
    const o = await runYaml(yaml);
    expect(o.result).toMatchObject({ status: 'succeeded', output: { a: 'invalid_parameter', b: 'invalid_parameter' } });
    expect(eventsOf(o, EVENT.error)).toHaveLength(1);
  });

  it('returns user_required as a value on a schedule trigger, and the run goes on', async () => {
    const yaml = "do:\n  - run: {module: secrets, function: get, parameters: {name: n, scope: user}, output: r}\noutput: '{{r}}'\n";
    const o = await runYaml(yaml, { context: { workspaceId: 'ws-1', correlationId: 'cron-1', trigger: 'schedule' } });
    expect(o.result).toMatchObject({ status: 'succeeded', output: { error: 'user_required' } });
  });

  it('calls another automation by its slug in the same run, so references pass between them', async () => {
    const helper = `
slug: store-token
do:
  - run: {module: secrets, function: set, parameters: {name: tok, value: '{{value}}', scope: workspace}, output: ref}
output: '{{ref}}'
`;
    const main = `
slug: main
do:
  - store-token: {value: generated-token-value-1, output: ref}
  - run: {module: secrets, function: get, parameters: {name: tok, scope: workspace}, output: again}
output: {ref: '{{ref}}', again: '{{again}}'}
`;
    const o = await runYaml(main, { others: [helper] });
    expect(o.result.status).toBe('succeeded');
    const out = (o.result as { output: { ref: string } }).output;
    expect(out.ref).toMatch(/^\$secret:v1\./);
    const resolved = await o.harness.service.resolve({ workspaceId: 'ws-1', correlationId: 'run-1', trigger: 'manual', userId: 'alice' }, out.ref);
    expect(resolved).toMatchObject({ right: { value: 'generated-token-value-1' } });
    expect(o.lines.join('\n')).not.toContain('generated-token-value-1');
  });

  it('emits audit events for set, get and delete with name, scope and outcome, never the value', async () => {
    const yaml = `
do:
  - run: {module: secrets, function: set, parameters: {name: k, value: audit-value-123, scope: workspace}}
  - run: {module: secrets, function: get, parameters: {name: k, scope: workspace}}
  - run: {module: secrets, function: delete, parameters: {name: k, scope: workspace}}
  - run: {module: secrets, function: delete, parameters: {name: k, scope: workspace}}
`;
    const o = await runYaml(yaml);
    expect(eventsOf(o, EVENT.secretSet)).toEqual([{ name: 'k', scope: 'workspace', outcome: 'ok' }]);
    expect(eventsOf(o, EVENT.secretGet)).toEqual([{ name: 'k', scope: 'workspace', outcome: 'ok' }]);
    expect(eventsOf(o, EVENT.secretDeleted)).toEqual([
      { name: 'k', scope: 'workspace', outcome: 'ok' },
      { name: 'k', scope: 'workspace', outcome: 'not_found' },
    ]);
    expect(o.lines.join('\n')).not.toContain('audit-value-123');
  });

  it('masks a value given to secrets.set in every later output, including emitted events', async () => {
    const yaml = `
do:
  - run: {module: secrets, function: set, parameters: {name: k, value: '{{v}}', scope: workspace}}
  - emit: {event: leak-attempt, payload: {raw: '{{v}}', inText: 'token={{v}}'}}
output: '{{v}}'
`;
    const value = `val-${Math.random().toString(36).slice(2)}-xyz`;
    const o = await runYaml(yaml, { payload: { v: value } });
    expect(o.lines.join('\n')).not.toContain(value);
    expect(JSON.stringify(o.result)).not.toContain(value);
  });

  it('refuses to start a run that calls an unknown automation', async () => {
    await expect(runYaml('do:\n  - fecth: {url: x}\n')).rejects.toThrow(/neither an instruction nor an automation/);
  });

  it('{{secret.NAME}} yields a reference to the workspace secret, and fails the step when it does not exist', async () => {
    const first = await runYaml("do:\n  - run: {module: secrets, function: set, parameters: {name: api, value: secret-api-value, scope: workspace}}\n");
    const o = await runYaml("do:\n  - set: {name: r, value: '{{secret.api}}'}\noutput: '{{r}}'\n", { harness: first.harness });
    expect((o.result as { output: string }).output).toMatch(/^\$secret:v1\./);
    const missing = await runYaml("do:\n  - set: {name: r, value: '{{secret.nope}}'}\n", { harness: first.harness });
    expect(missing.result).toMatchObject({ status: 'failed', error: { error: 'secret_not_found' } });
  });
});
