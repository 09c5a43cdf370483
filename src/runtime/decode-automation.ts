// YAML text -> typed automation: every problem names its YAML path (e.g. `do[2].fetch.headers`) and the run does not start.
import * as E from 'fp-ts/lib/Either.js';
import { parseDocument } from 'yaml';
import { parseExpression, type Expr } from '../core/expression.ts';
import { RESERVED_ROOTS } from '../core/template-scope.ts';
import { parseTemplate } from '../core/template.ts';
import type { FieldProblem } from '../core/report.ts';
import {
  INSTRUCTIONS,
  type Automation,
  type AwsV4Auth,
  type BasicAuth,
  type ConditionBranch,
  type OnError,
  type Step,
} from './ast.ts';
import { isReservedEvent, RESERVED_EVENT_EXPECTED } from './events.ts';

/** The automation did not decode; nothing ran. */
export interface AutomationInvalid {
  readonly _tag: 'AutomationInvalid';
  readonly code: 'invalid_automation';
  readonly problems: readonly FieldProblem[];
}

const DEFAULT_REPEAT_MAX = 1000;
const MAX_DEPTH = 64;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SET_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

type Obj = Readonly<Record<string, unknown>>;

/** Collects problems while walking; every check returns a usable value so the walk can go on. */
class Walk {
  readonly problems: FieldProblem[] = [];
  fail(path: string, expected: string): void {
    this.problems.push({ path, expected });
  }
  object(u: unknown, path: string, allowed: readonly string[], required: readonly string[] = []): Obj | undefined {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      this.fail(path, 'a mapping');
      return undefined;
    }
    const o = u as Obj;
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(`${path}.${k}`, `no such field (allowed: ${allowed.join(', ')})`);
    for (const k of required) if (o[k] === undefined || o[k] === null) this.fail(`${path}.${k}`, 'required');
    return o;
  }
  string(u: unknown, path: string, pattern?: RegExp, expected = 'a string'): string | undefined {
    if (u === undefined) return undefined;
    if (typeof u !== 'string' || (pattern && !pattern.test(u))) {
      this.fail(path, expected);
      return undefined;
    }
    return u;
  }
  variable(u: unknown, path: string): string | undefined {
    const s = this.string(u, path, IDENT, 'a variable name (letters, digits, _ and $, not starting with a digit)');
    if (s !== undefined && RESERVED_ROOTS.includes(s)) this.fail(path, `a variable name other than ${RESERVED_ROOTS.join(', ')}`);
    return s;
  }
  onError(u: unknown, path: string): OnError {
    if (u === undefined) return 'break';
    if (u === 'break' || u === 'continue' || u === 'emit') return u;
    this.fail(path, '"break", "continue" or "emit"');
    return 'break';
  }
  /** Checks that every string inside a templated value is a well-formed template. */
  templated(u: unknown, path: string, depth = 0): unknown {
    if (depth > MAX_DEPTH) this.fail(path, `at most ${MAX_DEPTH} levels of nesting`);
    else if (typeof u === 'string') {
      const parsed = parseTemplate(u);
      if (E.isLeft(parsed)) this.fail(path, `a valid template (${parsed.left.message})`);
    } else if (Array.isArray(u)) u.forEach((v, i) => this.templated(v, `${path}[${i}]`, depth + 1));
    else if (typeof u === 'object' && u !== null)
      for (const [k, v] of Object.entries(u)) this.templated(v, `${path}${IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`, depth + 1);
    return u;
  }
  steps(u: unknown, path: string, depth: number): readonly Step[] {
    if (!Array.isArray(u)) {
      this.fail(path, 'a list of steps');
      return [];
    }
    return u.flatMap((s, i) => {
      const step = this.step(s, `${path}[${i}]`, depth + 1);
      return step ? [step] : [];
    });
  }
  step(u: unknown, path: string, depth: number): Step | undefined {
    if (depth > MAX_DEPTH) {
      this.fail(path, `at most ${MAX_DEPTH} levels of nested steps`);
      return undefined;
    }
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      this.fail(path, `a step: a mapping with one of ${INSTRUCTIONS.join(', ')} or an automation slug`);
      return undefined;
    }
    const keys = Object.keys(u);
    if (keys.length !== 1) {
      this.fail(path, `exactly one instruction among ${INSTRUCTIONS.join(', ')} or an automation slug (found ${keys.map((k) => JSON.stringify(k)).join(', ') || 'none'})`);
      return undefined;
    }
    const key = keys[0]!;
    const kind: Step['kind'] = (INSTRUCTIONS as readonly string[]).includes(key) ? (key as Step['kind']) : 'call';
    const body: unknown = (u as Obj)[key];
    const at = `${path}.${kind}`;
    switch (kind) {
      case 'fetch':
        return this.fetchStep(body, path, at);
      case 'run': {
        const o = this.object(body, at, ['module', 'function', 'parameters', 'output', 'onError'], ['module', 'function']);
        if (!o) return undefined;
        const module = this.string(o['module'], `${at}.module`);
        const fn = this.string(o['function'], `${at}.function`);
        const output = this.variable(o['output'], `${at}.output`);
        const run = {
          module: module ?? '',
          function: fn ?? '',
          onError: this.onError(o['onError'], `${at}.onError`),
          ...(o['parameters'] === undefined ? {} : { parameters: this.templated(o['parameters'], `${at}.parameters`) }),
          ...(output === undefined ? {} : { output }),
        };
        return { kind, path, run };
      }
      case 'emit': {
        const o = this.object(body, at, ['event', 'payload'], ['event']);
        if (!o) return undefined;
        if (typeof o['event'] === 'string' && isReservedEvent(o['event'])) this.fail(`${at}.event`, RESERVED_EVENT_EXPECTED);
        const emit = {
          event: this.templated(o['event'], `${at}.event`),
          ...(o['payload'] === undefined ? {} : { payload: this.templated(o['payload'], `${at}.payload`) }),
        };
        return { kind, path, emit };
      }
      case 'conditions': {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          this.fail(at, 'a mapping from condition to steps');
          return undefined;
        }
        const branches: ConditionBranch[] = [];
        let fallback: readonly Step[] | undefined;
        for (const [source, steps] of Object.entries(body)) {
          const bp = `${at}[${JSON.stringify(source)}]`;
          if (source === 'default') {
            fallback = this.steps(steps, bp, depth);
            continue;
          }
          const expr = parseExpression(source);
          if (E.isLeft(expr)) this.fail(bp, `a valid condition (${expr.left.message})`);
          const branchSteps = this.steps(steps, bp, depth);
          if (E.isRight(expr)) branches.push({ source, expression: expr.right, do: branchSteps });
        }
        return { kind, path, conditions: { branches, ...(fallback === undefined ? {} : { default: fallback }) } };
      }
      case 'set': {
        const o = this.object(body, at, ['name', 'value'], ['name']);
        if (!o) return undefined;
        const name = this.string(o['name'], `${at}.name`, SET_PATH, 'a variable name or a dotted path such as a.b.c');
        if (name !== undefined && RESERVED_ROOTS.includes(name.split('.')[0]!)) this.fail(`${at}.name`, `a variable other than ${RESERVED_ROOTS.join(', ')}`);
        return { kind, path, set: { name: name ?? '', value: this.templated(o['value'], `${at}.value`) } };
      }
      case 'repeat': {
        const o = this.object(body, at, ['on', 'until', 'as', 'max', 'do'], ['do']);
        if (!o) return undefined;
        if ((o['on'] === undefined) === (o['until'] === undefined)) this.fail(at, 'exactly one of "on" (a list) or "until" (a condition)');
        let until: Expr | number | undefined;
        if (typeof o['until'] === 'number') {
          if (!Number.isInteger(o['until']) || o['until'] < 0 || o['until'] > 100_000) this.fail(`${at}.until`, 'a number of passes from 0 to 100000, or a condition');
          else until = o['until'];
        } else if (o['until'] !== undefined) {
          const text = this.string(o['until'], `${at}.until`);
          const expr = text === undefined ? undefined : parseExpression(text);
          if (expr && E.isLeft(expr)) this.fail(`${at}.until`, `a valid condition (${expr.left.message})`);
          if (expr && E.isRight(expr)) until = expr.right;
        }
        const max = o['max'] ?? DEFAULT_REPEAT_MAX;
        if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100_000) this.fail(`${at}.max`, 'an integer from 1 to 100000');
        const repeat = {
          as: this.variable(o['as'] ?? 'item', `${at}.as`) ?? 'item',
          max: typeof max === 'number' ? max : DEFAULT_REPEAT_MAX,
          do: this.steps(o['do'], `${at}.do`, depth),
          ...(o['on'] === undefined ? {} : { on: this.templated(o['on'], `${at}.on`) }),
          ...(until === undefined ? {} : { until }),
        };
        return { kind, path, repeat };
      }
      case 'try': {
        const o = this.object(body, at, ['do', 'catch', 'finally'], ['do']);
        if (!o) return undefined;
        const t = {
          do: this.steps(o['do'], `${at}.do`, depth),
          ...(o['catch'] === undefined ? {} : { catch: this.steps(o['catch'], `${at}.catch`, depth) }),
          ...(o['finally'] === undefined ? {} : { finally: this.steps(o['finally'], `${at}.finally`, depth) }),
        };
        return { kind, path, try: t };
      }
      case 'call': {
        const slugOk = this.string(key, path, SLUG, `an instruction (${INSTRUCTIONS.join(', ')}) or an automation slug`);
        const o = body === null || body === undefined ? {} : this.object(body, `${path}.${key}`, Object.keys(body as object));
        if (!o || slugOk === undefined) return undefined;
        const { output: out, onError, ...payload } = o;
        const output = this.variable(out, `${path}.${key}.output`);
        const call = {
          slug: key,
          onError: this.onError(onError, `${path}.${key}.onError`),
          payload: this.templated(payload, `${path}.${key}`),
          ...(output === undefined ? {} : { output }),
        };
        return { kind, path, call };
      }
    }
  }
  fetchStep(body: unknown, path: string, at: string): Step | undefined {
    const o = this.object(body, at, ['url', 'method', 'headers', 'query', 'body', 'auth', 'outputMode', 'emitErrors', 'output', 'onError'], ['url']);
    if (!o) return undefined;
    const mapping = (k: string) => {
      const v = o[k];
      if (v !== undefined && typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v)))
        this.fail(`${at}.${k}`, 'a mapping (or one template that yields one)');
      return this.templated(v, `${at}.${k}`);
    };
    let auth: { basic?: BasicAuth; awsv4?: AwsV4Auth } | undefined;
    const a = o['auth'] === undefined ? undefined : this.object(o['auth'], `${at}.auth`, ['basic', 'awsv4']);
    if (a) {
      if ((a['basic'] === undefined) === (a['awsv4'] === undefined)) this.fail(`${at}.auth`, 'exactly one of basic or awsv4');
      const b = a['basic'] === undefined ? undefined : this.object(a['basic'], `${at}.auth.basic`, ['username', 'password'], ['username', 'password']);
      const w =
        a['awsv4'] === undefined
          ? undefined
          : this.object(a['awsv4'], `${at}.auth.awsv4`, ['accessKeyId', 'secretAccessKey', 'sessionToken', 'region', 'service'], ['accessKeyId', 'secretAccessKey']);
      const tv = (x: Obj, k: string, p: string) => this.templated(x[k], `${p}.${k}`);
      if (b) auth = { basic: { username: tv(b, 'username', `${at}.auth.basic`), password: tv(b, 'password', `${at}.auth.basic`) } };
      if (w) {
        const p = `${at}.auth.awsv4`;
        const opt = (k: 'sessionToken' | 'region' | 'service') => (w[k] === undefined ? {} : { [k]: tv(w, k, p) });
        auth = { awsv4: { accessKeyId: tv(w, 'accessKeyId', p), secretAccessKey: tv(w, 'secretAccessKey', p), ...opt('sessionToken'), ...opt('region'), ...opt('service') } };
      }
    }
    const outputMode = o['outputMode'] ?? 'body';
    if (outputMode !== 'body' && outputMode !== 'detailed_response') this.fail(`${at}.outputMode`, '"body" or "detailed_response"');
    const emitErrors = o['emitErrors'] ?? true;
    if (typeof emitErrors !== 'boolean') this.fail(`${at}.emitErrors`, 'true or false');
    const output = this.variable(o['output'], `${at}.output`);
    if (typeof o['url'] !== 'string' && o['url'] !== undefined) this.fail(`${at}.url`, 'a string');
    const fetch = {
      url: this.templated(o['url'], `${at}.url`),
      outputMode: outputMode === 'detailed_response' ? ('detailed_response' as const) : ('body' as const),
      emitErrors: emitErrors !== false,
      onError: this.onError(o['onError'], `${at}.onError`),
      ...(o['method'] === undefined ? {} : { method: this.templated(o['method'], `${at}.method`) }),
      ...(o['headers'] === undefined ? {} : { headers: mapping('headers') }),
      ...(o['query'] === undefined ? {} : { query: mapping('query') }),
      ...(o['body'] === undefined ? {} : { body: this.templated(o['body'], `${at}.body`) }),
      ...(auth === undefined ? {} : { auth }),
      ...(output === undefined ? {} : { output }),
    };
    return { kind: 'fetch', path, fetch };
  }
}

/** Decodes an already-parsed document: a mapping with `do` (and `slug`, `name`) or a bare list of steps. */
export const decodeAutomation = (u: unknown, defaultSlug = 'automation'): E.Either<AutomationInvalid, Automation> => {
  const w = new Walk();
  let automation: Automation | undefined;
  if (Array.isArray(u)) automation = { slug: defaultSlug, do: w.steps(u, 'do', 0) };
  else {
    const o = w.object(u, '(root)', ['slug', 'name', 'description', 'do', 'output'], ['do']);
    if (o) {
      const slug = w.string(o['slug'], 'slug', SLUG, 'a slug: letters, digits, _ and -, up to 128') ?? defaultSlug;
      const name = w.string(o['name'], 'name');
      w.string(o['description'], 'description');
      automation = {
        slug,
        ...(name === undefined ? {} : { name }),
        do: w.steps(o['do'], 'do', 0),
        ...(o['output'] === undefined ? {} : { output: w.templated(o['output'], 'output') }),
      };
    }
  }
  return w.problems.length > 0 || !automation
    ? E.left({ _tag: 'AutomationInvalid', code: 'invalid_automation', problems: w.problems })
    : E.right(automation);
};

/**
 * Parses YAML text and decodes it. YAML errors report line and column and the parser's
 * description only, never the offending source line (it could hold a literal value).
 */
export const parseAutomation = (text: string, defaultSlug = 'automation'): E.Either<AutomationInvalid, Automation> => {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: pos ? `line ${pos.line}, column ${pos.col}` : '(yaml)', expected: `valid YAML (${e.code}: ${e.message.split(' at line')[0]!.split('\n')[0]})` };
    });
    return E.left({ _tag: 'AutomationInvalid', code: 'invalid_automation', problems });
  }
  return decodeAutomation(doc.toJS({ maxAliasCount: 100 }) as unknown, defaultSlug);
};
