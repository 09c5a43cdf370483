// Templates: a whole `{{path}}` keeps its type, text gets strings as they are and the rest as JSON, errors name the position.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { isExactTemplate, parseTemplate, renderTemplate, secretNamesIn, type TemplateScope } from '../../src/core/template.ts';
import { getPath } from '../../src/core/path.ts';
import type { TemplateError } from '../../src/core/template-error.ts';

const vars: Record<string, unknown> = {
  obj: { a: 1, list: [1, 'two'] },
  num: 42,
  yes: true,
  nil: null,
  undef: undefined,
  str: 'plain text',
  dash: { 'k-ey': 'dashed', "it's": 'quoted' },
  items: [{ name: 'first' }, { name: 'second' }],
};
const scope: TemplateScope = { lookup: (root, rest) => getPath(vars, [root, ...rest]) };

const render = (t: unknown): unknown => {
  const r = renderTemplate(t, scope);
  if (E.isLeft(r)) throw new Error(`expected a rendering, got ${r.left.message}`);
  return r.right;
};
const fails = (t: unknown): TemplateError => {
  const r = renderTemplate(t, scope);
  if (E.isRight(r)) throw new Error('expected an error');
  return r.left;
};

describe('a string that is exactly one reference', () => {
  test.each([
    ['{{obj}}', vars['obj']],
    ['{{num}}', 42],
    ['{{yes}}', true],
    ['{{nil}}', null],
    ['{{undef}}', undefined],
    ['{{obj.list}}', [1, 'two']],
  ])('%s keeps the type of the value', (t, expected) => {
    expect(render(t)).toEqual(expected);
  });

  test('returns the very value the scope gives', () => {
    expect(render('{{obj}}')).toBe(vars['obj']);
  });

  test('a missing variable is undefined', () => {
    expect(render('{{nothing.here}}')).toBeUndefined();
  });

  test('whitespace inside the braces is allowed', () => {
    expect(render('{{ obj.a }}')).toBe(1);
    expect(render('{{\tnum\n}}')).toBe(42);
  });

  test('whitespace outside the braces makes it text', () => {
    expect(render(' {{num}}')).toBe(' 42');
    expect(isExactTemplate(' {{num}}')).toBe(false);
    expect(isExactTemplate('{{ num }}')).toBe(true);
    expect(isExactTemplate('{{a}}{{b}}')).toBe(false);
    expect(isExactTemplate('{{a')).toBe(false);
  });
});

describe('references inside longer text', () => {
  test('strings are inserted as they are', () => {
    expect(render('Bearer {{str}}')).toBe('Bearer plain text');
  });

  test('numbers, booleans, objects and arrays are inserted as JSON', () => {
    expect(render('n={{num}} b={{yes}} o={{obj}}')).toBe('n=42 b=true o={"a":1,"list":[1,"two"]}');
  });

  test('null, undefined and missing values are inserted as nothing', () => {
    expect(render('[{{nil}}|{{undef}}|{{missing.deep}}]')).toBe('[||]');
  });

  test('bracket keys with dashes and quotes, and indexes, reach their values', () => {
    expect(render(`{{dash["k-ey"]}} {{dash['it\\'s']}} {{items[1].name}}`)).toBe('dashed quoted second');
  });

  test('a lone }} is plain text', () => {
    expect(render('a }} b')).toBe('a }} b');
  });

  test('a value JSON cannot print is an error at its position', () => {
    const s: TemplateScope = { lookup: () => 1n };
    const r = renderTemplate('x {{big}}', s);
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'unprintable_value', position: 2 });
  });
});

describe('values walked recursively', () => {
  test('strings inside objects and arrays are rendered, keys are not', () => {
    const out = render({ '{{num}}': ['{{num}}', { deep: 'x{{yes}}' }], n: 3, b: false, z: null });
    expect(out).toEqual({ '{{num}}': [42, { deep: 'xtrue' }], n: 3, b: false, z: null });
  });

  test('a value without templates comes back as the same object', () => {
    const t = { a: ['x', { b: 1 }] };
    expect(render(t)).toBe(t);
  });

  test('an own __proto__ key stays an own key and does not change the prototype', () => {
    const t = JSON.parse('{"__proto__": "{{num}}"}') as unknown;
    const out = render(t) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(42);
  });

  test('a cyclic value is an error, not a stack overflow', () => {
    const t: Record<string, unknown> = { a: '{{num}}' };
    t['self'] = t;
    expect(fails(t)).toMatchObject({ code: 'cyclic_value', at: ['self'] });
  });
});

describe('malformed templates', () => {
  test.each([
    ['hello {{ world', 'unterminated_template', 6],
    ['{{', 'unterminated_template', 0],
    ['{{a.', 'unterminated_template', 0],
    ['ok {{a}} then {{ secret', 'unterminated_template', 14],
    ['{{}}', 'malformed_path', 2],
    ['{{ a b }}', 'malformed_path', 5],
    ['{{a.b-c}}', 'malformed_path', 5],
    ['{{{a}}}', 'malformed_path', 2],
    ['{{a["k}}', 'unterminated_string', 4],
    ['x {{secret}}', 'missing_secret_name', 10],
    ['{{ secret[""] }}', 'missing_secret_name', 9],
  ])('%j is refused with %s at position %i', (t, code, position) => {
    const e = fails(t);
    expect(e).toMatchObject({ _tag: 'TemplateError', code, position, at: [] });
    expect(e.message).toContain(`position ${position}`);
  });

  test('the error says where the string sits inside the value', () => {
    expect(fails({ headers: { 'X-Key': ['ok', '{{a'] } })).toMatchObject({ code: 'unterminated_template', at: ['headers', 'X-Key', 1] });
  });

  test('the message does not repeat the text', () => {
    const long = `{{ ${'credential'.repeat(50)}`;
    expect(fails(long).message).not.toContain('credential');
  });

  test('a quoted }} inside a reference does not end it', () => {
    const s: TemplateScope = { lookup: (root, rest) => (root === 'a' && rest[0] === 'x}}' ? 'hit' : undefined) };
    expect(renderTemplate('{{a["x}}"]}}', s)).toEqual(E.right('hit'));
  });
});

describe('parseTemplate', () => {
  test('splits text and references with their positions', () => {
    expect(parseTemplate('a {{b.c}} d')).toEqual(
      E.right([
        { _tag: 'Text', text: 'a ' },
        { _tag: 'Ref', path: { root: 'b', rest: ['c'] }, position: 2 },
        { _tag: 'Text', text: ' d' },
      ]),
    );
  });
});

describe('secretNamesIn', () => {
  test('collects secret names from nested objects and arrays, by dot or bracket', () => {
    const t = {
      body: { client_id: '{{config.clientId}}', client_secret: '{{secret.clientSecret}}' },
      headers: ['Bearer {{ secret["api-token"] }}', { x: "{{secret['other']}} and {{secret.clientSecret}}" }],
      n: 5,
    };
    expect([...secretNamesIn(t)].sort()).toEqual(['api-token', 'clientSecret', 'other']);
  });

  test('object keys are not templates and give no names', () => {
    expect(secretNamesIn({ '{{secret.k}}': 1 }).size).toBe(0);
  });

  test('works on condition text too', () => {
    expect([...secretNamesIn("{{secret.a}} == 'x' or {{result.error}}")]).toEqual(['a']);
  });

  test('other roots and malformed strings give nothing', () => {
    expect(secretNamesIn(['{{secrets.a}}', '{{config.secret}}', '{{secret.a', '{{secret}}']).size).toBe(0);
  });

  test('a cyclic value is walked once', () => {
    const t: unknown[] = ['{{secret.a}}'];
    t.push(t);
    expect([...secretNamesIn(t)]).toEqual(['a']);
  });
});
