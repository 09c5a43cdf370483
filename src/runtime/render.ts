// Renders a step's templated values: mints `{{secret.NAME}}` references first, then fills `{{…}}` from the run's scope.
import * as E from 'fp-ts/lib/Either.js';
import type { Expr } from '../core/expression.ts';
import { secretNamesInExpression } from '../core/expression.ts';
import { evaluateExpression } from '../core/expression-evaluate.ts';
import { errorMessage } from '../core/errors.ts';
import { makeTemplateScope } from '../core/template-scope.ts';
import { renderTemplate, secretNamesIn, type TemplateScope } from '../core/template.ts';
import { InstructionError } from './instruction-error.ts';
import type { RunEnv } from './run-env.ts';

/** The run's data visible to templates. */
export interface Frame {
  readonly variables: Record<string, unknown>;
  readonly config: unknown;
  readonly run: { readonly correlationId: string; readonly trigger: string; readonly date: string };
}

const pathSuffix = (at: readonly (string | number)[]) =>
  at.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');

/** `{{secret.NAME}}` is a reference to the workspace secret NAME, minted in this run; a missing secret fails the step. */
const mintSecretRefs = async (env: RunEnv, names: ReadonlySet<string>, path: string): Promise<ReadonlyMap<string, string>> => {
  const refs = new Map<string, string>();
  for (const name of names) {
    const r = await env.secrets.get(env.ctx, { name, scope: 'workspace' });
    if (E.isLeft(r)) throw new InstructionError(r.left.code, errorMessage(r.left), path);
    if (typeof r.right !== 'string')
      throw new InstructionError('secret_not_found', `workspace secret "${name}" used as {{secret.${name}}} does not exist (or has expired)`, path);
    refs.set(name, r.right);
  }
  return refs;
};

const scopeOf = (env: RunEnv, frame: Frame, secrets: ReadonlyMap<string, string>): TemplateScope =>
  makeTemplateScope({
    variables: frame.variables,
    config: frame.config,
    run: frame.run,
    secrets,
    ...(env.ctx.userId === undefined ? {} : { user: { id: env.ctx.userId } }),
  });

/** Renders a templated value for the step at `path` (errors name `path` plus the location inside the value). */
export const render = async (env: RunEnv, frame: Frame, template: unknown, path: string): Promise<unknown> => {
  const names = secretNamesIn(template);
  const secrets = names.size === 0 ? new Map<string, string>() : await mintSecretRefs(env, names, path);
  const r = renderTemplate(template, scopeOf(env, frame, secrets));
  if (E.isLeft(r)) throw new InstructionError('template_error', `${path}${pathSuffix(r.left.at)}: ${r.left.message}`, path);
  return r.right;
};

/** Evaluates a condition in the run's scope. */
export const holds = async (env: RunEnv, frame: Frame, expr: Expr, path: string): Promise<boolean> => {
  const names = secretNamesInExpression(expr);
  const secrets = names.size === 0 ? new Map<string, string>() : await mintSecretRefs(env, names, path);
  return evaluateExpression(expr, scopeOf(env, frame, secrets));
};
