// The `secrets` module of the runtime: set / get / delete wired to the service with the run's context, plus audit events.
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage, type SecretsError } from '../../core/errors.ts';
import { EVENT } from '../events.ts';
import { InstructionError } from '../instruction-error.ts';
import type { RunEnv } from '../run-env.ts';
import type { RuntimeModule } from './module.ts';

const field = (params: unknown, key: string): unknown =>
  typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>)[key] : undefined;

/** A service error as an instruction error; parameter paths are prefixed with the step's path. */
const fail = (e: SecretsError, path: string): never => {
  if (e._tag === 'InvalidInput') {
    const problems = e.problems.map((p) => ({ path: `${path}.run.${p.path}`, expected: p.expected }));
    throw new InstructionError(e.code, `invalid parameter: ${problems.map((p) => `${p.path}: ${p.expected}`).join('; ')}`, path, { problems });
  }
  throw new InstructionError(e.code, errorMessage(e), path);
};

const outcome = (r: unknown): string => (typeof r === 'string' ? 'ok' : typeof r === 'object' && r !== null && 'error' in r ? String(r.error) : 'ok');

const audit = (env: RunEnv, type: string, params: unknown, result: unknown) =>
  env.output.emit(type, { name: field(params, 'name'), scope: field(params, 'scope'), outcome: outcome(result) });

export const secretsModule: RuntimeModule = {
  set: async (env, params, path) => {
    // The value joins the mask set before anything about this instruction is logged or emitted.
    const value = field(params, 'value');
    if (value !== undefined && value !== null) {
      const { short, shortLeaves } = env.masks.addSecret(value);
      if (short)
        env.output.emit(EVENT.secretShort, {
          name: field(params, 'name'),
          message: 'this value is shorter than the minimum length for masking inside text; it is masked only where it stands alone',
        });
      else if (shortLeaves > 0)
        env.output.emit(EVENT.secretShort, {
          name: field(params, 'name'),
          message: `${shortLeaves} string field(s) of this value are shorter than the minimum length for masking inside text; each is masked only where it stands alone`,
          shortFields: shortLeaves,
        });
    }
    const r = await env.secrets.set(env.ctx, params);
    if (E.isLeft(r)) return fail(r.left, path);
    audit(env, EVENT.secretSet, params, r.right);
    return r.right;
  },
  get: async (env, params, path) => {
    const r = await env.secrets.get(env.ctx, params);
    if (E.isLeft(r)) return fail(r.left, path);
    audit(env, EVENT.secretGet, params, r.right);
    return r.right;
  },
  delete: async (env, params, path) => {
    const r = await env.secrets.delete(env.ctx, params);
    if (E.isLeft(r)) return fail(r.left, path);
    audit(env, EVENT.secretDeleted, params, r.right);
    return r.right;
  },
};
