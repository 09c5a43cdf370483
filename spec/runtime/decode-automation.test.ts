// Decoding automations: the specification's examples decode; every problem names its YAML path and nothing runs.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseAutomation } from '../../src/runtime/decode-automation.ts';
import { specExampleText } from '../support/fixtures.ts';

const problems = (yaml: string) => {
  const r = parseAutomation(yaml);
  return E.isLeft(r) ? r.left.problems : [];
};

describe('decoding automations', () => {
  it.each(['set', 'get', 'delete', 'use-in-fetch', 'call-with-oauth', 'error-handling'])('decodes the specification example %s as written', (name) => {
    expect(E.isRight(parseAutomation(specExampleText(name), name))).toBe(true);
  });

  it('keeps the slug, the name and the step paths of the complete example', () => {
    const r = parseAutomation(specExampleText('call-with-oauth'));
    if (E.isLeft(r)) throw new Error('did not decode');
    expect(r.right.slug).toBe('call-with-oauth');
    expect(r.right.name).toBe('Call API with OAuth token');
    expect(r.right.do.map((s) => `${s.path}:${s.kind}`)).toEqual(['do[0]:fetch', 'do[1]:run', 'do[2]:fetch']);
  });

  it('names the path of a malformed template, e.g. do[2].fetch.headers.Authorization', () => {
    const yaml = 'do:\n  - set: {name: a, value: 1}\n  - set: {name: b, value: 2}\n  - fetch:\n      url: https://api.example.com\n      headers:\n        Authorization: "Bearer {{token"\n';
    expect(problems(yaml).map((p) => p.path)).toEqual(['do[2].fetch.headers.Authorization']);
  });

  it('names unknown fields, missing required fields and bad enumerations', () => {
    const yaml = [
      'do:',
      '  - fetch: {url: "https://x.example", outputMode: full, retries: 3}',
      '  - run: {module: secrets, onError: ignore}',
      '  - emit: {payload: 1}',
    ].join('\n');
    expect(problems(yaml).map((p) => p.path).sort()).toEqual(
      ['do[0].fetch.outputMode', 'do[0].fetch.retries', 'do[1].run.function', 'do[1].run.onError', 'do[2].emit.event'].sort(),
    );
  });

  it('refuses an emit of an event type under runtime. (the runtime\'s own and audit events), naming do[0].emit.event', () => {
    expect(problems('do:\n  - emit: {event: runtime.secrets.resolved, payload: {name: x}}\n').map((p) => [p.path, p.expected])).toEqual([
      ['do[0].emit.event', expect.stringContaining('reserved')],
    ]);
    for (const lookalike of ['Runtime.secrets.resolved', '" runtime.fetch.failed"', 'RUNTIME.automations.executed'])
      expect(problems(`do:\n  - emit: {event: ${lookalike}, payload: 1}\n`).map((p) => p.path)).toEqual(['do[0].emit.event']);
    expect(problems('do:\n  - emit: {event: runtime-like, payload: 1}\n')).toEqual([]);
  });

  it('reports a bad condition with its key', () => {
    const yaml = "do:\n  - conditions:\n      '{{a}} ==':\n        - set: {name: x, value: 1}\n";
    expect(problems(yaml)[0]?.path).toBe('do[0].conditions["{{a}} =="]');
  });

  it('treats any other single key as a call of the automation with that slug', () => {
    const r = parseAutomation('do:\n  - fetch-token: {audience: api, output: tok}\n');
    if (E.isLeft(r)) throw new Error('did not decode');
    expect(r.right.do[0]).toMatchObject({ kind: 'call', call: { slug: 'fetch-token', payload: { audience: 'api' }, output: 'tok' } });
  });

  it('refuses a step with two instructions', () => {
    expect(problems('do:\n  - emit: {event: a}\n    set: {name: b, value: 1}\n')[0]?.path).toBe('do[0]');
  });

  it('refuses outputs named after reserved roots', () => {
    expect(problems('do:\n  - run: {module: secrets, function: get, parameters: {name: a, scope: workspace}, output: config}\n')[0]?.path).toBe(
      'do[0].run.output',
    );
  });

  it('reports YAML syntax errors by line and column without quoting the source', () => {
    const p = problems('do:\n  - set: {name: a, value: "sk-unclosed\n');
    expect(p[0]?.path).toMatch(/^line \d+, column \d+$|^\(yaml\)$/);
    expect(JSON.stringify(p)).not.toContain('sk-unclosed');
  });

  it('refuses duplicate keys', () => {
    expect(problems('do:\n  - set: {name: a, value: 1}\nslug: a\nslug: b\n').length).toBeGreaterThan(0);
  });
});
