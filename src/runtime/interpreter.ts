// Executes steps: variables, onError, conditions, set, repeat, try, emit, run, fetch and calls of other automations.
import type { Automation, OnError, Step } from './ast.ts';
import { EVENT, isReservedEvent, RESERVED_EVENT_EXPECTED } from './events.ts';
import { InstructionError, toErrorObject } from './instruction-error.ts';
import { holds, render, type Frame } from './render.ts';
import type { RunEnv } from './run-env.ts';
import type { RuntimeModule } from './modules/module.ts';
import { executeFetch } from './fetch-instruction.ts';
import type { RenderedFetch } from './fetch-validate.ts';

export const MAX_CALL_DEPTH = 32;

export interface Interpreter {
  readonly env: RunEnv;
  readonly modules: ReadonlyMap<string, RuntimeModule>;
  readonly automations: ReadonlyMap<string, Automation>;
  readonly config: unknown;
  readonly run: Frame['run'];
}

const setVariable = (vars: Record<string, unknown>, path: string, value: unknown) => {
  const parts = path.split('.');
  let target: Record<string, unknown> = vars;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(target, p) ? target[p] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) target[p] = {};
    target = target[p] as Record<string, unknown>;
  }
  target[parts[parts.length - 1]!] = value;
};

/** Runs `body`, applying the step's onError policy; the result (or error object) goes to `output`. */
const guarded = async (it: Interpreter, frame: Frame, step: Step, onError: OnError, output: string | undefined, body: () => Promise<unknown>) => {
  let result: unknown;
  try {
    result = await body();
  } catch (e) {
    if (onError === 'break') throw e;
    // The error object becomes a variable an automation can send anywhere: it is redacted like any output.
    result = it.env.masks.redact(toErrorObject(e));
    if (onError === 'emit') it.env.output.emit(EVENT.error, result);
    it.env.output.log('warn', `${step.path} ${step.kind} failed and the run goes on (onError: ${onError})`, result);
  }
  if (output !== undefined) setVariable(frame.variables, output, result);
};

export const runSteps = async (it: Interpreter, frame: Frame, steps: readonly Step[], depth: number): Promise<void> => {
  for (const step of steps) await runStep(it, frame, step, depth);
};

const runStep = async (it: Interpreter, frame: Frame, step: Step, depth: number): Promise<void> => {
  const { env } = it;
  switch (step.kind) {
    case 'fetch': {
      const f = step.fetch;
      return guarded(it, frame, step, f.onError, f.output, async () => {
        const rendered = (await render(env, frame, { url: f.url, method: f.method, headers: f.headers, query: f.query, body: f.body, auth: f.auth }, `${step.path}.fetch`)) as Omit<RenderedFetch, 'outputMode' | 'emitErrors'>;
        return executeFetch({ ...rendered, outputMode: f.outputMode, emitErrors: f.emitErrors }, env, step.path);
      });
    }
    case 'run': {
      const r = step.run;
      return guarded(it, frame, step, r.onError, r.output, async () => {
        const fn = it.modules.get(r.module)?.[r.function];
        if (!fn) throw new InstructionError('unknown_function', `${step.path}.run: no function "${r.function}" in module "${r.module}"`, step.path);
        const params = r.parameters === undefined ? {} : await render(env, frame, r.parameters, `${step.path}.run.parameters`);
        // Logged after the call: a module (secrets.set) registers its values with the masks before anything is said about the step.
        const result = await fn(env, params, step.path);
        env.output.log('debug', `${step.path} run ${r.module}.${r.function}`);
        return result;
      });
    }
    case 'emit': {
      const event = await render(env, frame, step.emit.event, `${step.path}.emit.event`);
      if (typeof event !== 'string' || event.length === 0) throw new InstructionError('invalid_parameter', `${step.path}.emit.event: a non-empty event name`, step.path);
      if (isReservedEvent(event)) throw new InstructionError('invalid_parameter', `${step.path}.emit.event: ${RESERVED_EVENT_EXPECTED}`, step.path);
      const payload = step.emit.payload === undefined ? null : await render(env, frame, step.emit.payload, `${step.path}.emit.payload`);
      env.output.emit(event, payload ?? null);
      return;
    }
    case 'conditions': {
      for (const branch of step.conditions.branches) {
        if (await holds(env, frame, branch.expression, `${step.path}.conditions`)) return runSteps(it, frame, branch.do, depth);
      }
      if (step.conditions.default) await runSteps(it, frame, step.conditions.default, depth);
      return;
    }
    case 'set': {
      setVariable(frame.variables, step.set.name, await render(env, frame, step.set.value, `${step.path}.set.value`));
      return;
    }
    case 'repeat': {
      const r = step.repeat;
      if (r.on !== undefined) {
        const list = await render(env, frame, r.on, `${step.path}.repeat.on`);
        if (!Array.isArray(list)) throw new InstructionError('invalid_parameter', `${step.path}.repeat.on: a list`, step.path);
        if (list.length > r.max) throw new InstructionError('repeat_limit', `${step.path}.repeat: ${list.length} items, more than max ${r.max}`, step.path);
        for (let i = 0; i < list.length; i++) {
          frame.variables[r.as] = list[i];
          frame.variables['index'] = i;
          await runSteps(it, frame, r.do, depth);
        }
        return;
      }
      if (typeof r.until === 'number') {
        if (r.until > r.max) throw new InstructionError('repeat_limit', `${step.path}.repeat: ${r.until} passes, more than max ${r.max}`, step.path);
        for (let i = 0; i < r.until; i++) {
          frame.variables['index'] = i;
          await runSteps(it, frame, r.do, depth);
        }
        return;
      }
      for (let i = 0; ; i++) {
        if (i >= r.max) throw new InstructionError('repeat_limit', `${step.path}.repeat: the condition did not hold after ${r.max} passes`, step.path);
        frame.variables['index'] = i;
        await runSteps(it, frame, r.do, depth);
        if (r.until && (await holds(env, frame, r.until, `${step.path}.repeat.until`))) return;
      }
    }
    case 'try': {
      const t = step.try;
      try {
        await runSteps(it, frame, t.do, depth);
      } catch (e) {
        if (!t.catch) throw e;
        frame.variables['error'] = env.masks.redact(toErrorObject(e));
        await runSteps(it, frame, t.catch, depth);
      } finally {
        if (t.finally) await runSteps(it, frame, t.finally, depth);
      }
      return;
    }
    case 'call': {
      const c = step.call;
      return guarded(it, frame, step, c.onError, c.output, async () => {
        const target = it.automations.get(c.slug);
        if (!target) throw new InstructionError('unknown_automation', `${step.path}: no automation "${c.slug}" in this workspace`, step.path);
        if (depth + 1 > MAX_CALL_DEPTH) throw new InstructionError('call_depth', `${step.path}: calls nested deeper than ${MAX_CALL_DEPTH}`, step.path);
        const payload = c.payload === undefined ? {} : await render(env, frame, c.payload, `${step.path}.${c.slug}`);
        return runAutomation(it, target, payload, depth + 1);
      });
    }
  }
};

/** Runs an automation in the current run (same context, same masks); returns its rendered output. */
export const runAutomation = async (it: Interpreter, automation: Automation, payload: unknown, depth: number): Promise<unknown> => {
  const variables: Record<string, unknown> = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? { ...(payload as Record<string, unknown>) } : {};
  const frame: Frame = { variables, config: it.config, run: it.run };
  await runSteps(it, frame, automation.do, depth);
  return automation.output === undefined ? null : await render(it.env, frame, automation.output, 'output');
};
