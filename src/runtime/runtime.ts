// The reference runtime: runs a workspace's automations with the secrets module, fetch and one redacting boundary.
import * as E from 'fp-ts/lib/Either.js';
import { decodeRunContext, type RunContext } from '../core/run-context.ts';
import { errorMessage, type InvalidInput } from '../core/errors.ts';
import { systemClock, type Clock } from '../effects/clock.ts';
import type { SecretsService } from '../service/secrets-service.ts';
import type { Automation, Step } from './ast.ts';
import { makeMasks, makeOutput } from './boundary.ts';
import { EVENT, type Sinks } from './events.ts';
import { toErrorObject, type ErrorObject } from './instruction-error.ts';
import { runAutomation, type Interpreter } from './interpreter.ts';
import type { FetchPort, RunEnv } from './run-env.ts';
import type { RuntimeModule } from './modules/module.ts';
import { secretsModule } from './modules/secrets-module.ts';

export interface RuntimeOptions {
  readonly secrets: SecretsService;
  readonly sinks: Sinks;
  /** The workspace's automations, by slug (for calls between them). */
  readonly automations?: readonly Automation[];
  /** Workspace configuration, `{{config.…}}`. */
  readonly config?: unknown;
  readonly clock?: Clock;
  /** The HTTP client; defaults to `globalThis.fetch`, looked up at each call. */
  readonly fetch?: FetchPort;
  /** Extra modules for `run` steps (the `secrets` module is always there). */
  readonly modules?: Readonly<Record<string, RuntimeModule>>;
}

export interface RunRequest {
  readonly context: RunContext;
  readonly payload?: unknown;
}

export type RunResult =
  | { readonly status: 'succeeded'; readonly output: unknown; readonly durationMs: number }
  | { readonly status: 'failed'; readonly error: ErrorObject; readonly durationMs: number };

/** The run could not start: bad context or an automation calling a slug that does not exist. */
export interface RunRefused {
  readonly _tag: 'RunRefused';
  readonly code: 'invalid_run';
  readonly message: string;
}

const callsIn = (steps: readonly Step[]): { slug: string; path: string }[] =>
  steps.flatMap((s) => {
    switch (s.kind) {
      case 'call':
        return [{ slug: s.call.slug, path: s.path }];
      case 'conditions':
        return [...s.conditions.branches.flatMap((b) => callsIn(b.do)), ...callsIn(s.conditions.default ?? [])];
      case 'repeat':
        return callsIn(s.repeat.do);
      case 'try':
        return [...callsIn(s.try.do), ...callsIn(s.try.catch ?? []), ...callsIn(s.try.finally ?? [])];
      default:
        return [];
    }
  });

export interface Runtime {
  run(automation: Automation, request: RunRequest): Promise<E.Either<RunRefused, RunResult>>;
}

export const createRuntime = (options: RuntimeOptions): Runtime => {
  const clock = options.clock ?? systemClock;
  const modules = new Map<string, RuntimeModule>([...Object.entries(options.modules ?? {}), ['secrets', secretsModule]]);
  const fetchPort = (): FetchPort => options.fetch ?? ((req: Request) => globalThis.fetch(req));

  return {
    run: async (automation, request) => {
      const ctx = decodeRunContext(request.context);
      if (E.isLeft(ctx)) return E.left(refused(ctx.left));
      const automations = new Map((options.automations ?? []).map((a) => [a.slug, a]));
      automations.set(automation.slug, automation);
      // Every call reachable from this automation must name an automation of the workspace; others are not our concern.
      const pending = [automation];
      const seen = new Set<string>();
      for (let a = pending.pop(); a !== undefined; a = pending.pop()) {
        if (seen.has(a.slug)) continue;
        seen.add(a.slug);
        for (const c of callsIn(a.do)) {
          const target = automations.get(c.slug);
          if (!target)
            return E.left({ _tag: 'RunRefused', code: 'invalid_run', message: `${a.slug}: ${c.path}: "${c.slug}" is neither an instruction nor an automation of this workspace` });
          pending.push(target);
        }
      }

      const started = clock.now();
      const masks = makeMasks();
      const output = makeOutput(masks, options.sinks, clock, { workspaceId: ctx.right.workspaceId, correlationId: ctx.right.correlationId, automationSlug: automation.slug });
      const env: RunEnv = { ctx: ctx.right, secrets: options.secrets, clock, fetch: fetchPort, masks, output };
      const it: Interpreter = {
        env,
        modules,
        automations,
        config: options.config ?? {},
        run: { correlationId: ctx.right.correlationId, trigger: ctx.right.trigger, date: new Date(started).toISOString() },
      };
      output.log('info', `run of ${automation.slug} started`, { trigger: ctx.right.trigger });
      let result: RunResult;
      try {
        const out = await runAutomation(it, automation, request.payload ?? {}, 0);
        result = { status: 'succeeded', output: masks.redact(out), durationMs: clock.now() - started };
      } catch (e) {
        result = { status: 'failed', error: masks.redact(toErrorObject(e)) as ErrorObject, durationMs: clock.now() - started };
      }
      output.emit(EVENT.executed, {
        slug: automation.slug,
        payload: request.payload ?? {},
        output: result.status === 'succeeded' ? result.output : null,
        duration: result.durationMs,
        trigger: ctx.right.trigger,
        ...(result.status === 'failed' ? { error: result.error } : {}),
      });
      output.log(result.status === 'failed' ? 'error' : 'info', `run of ${automation.slug} ${result.status}`, { durationMs: result.durationMs });
      return E.right(result);
    },
  };
};

const refused = (e: InvalidInput): RunRefused => ({ _tag: 'RunRefused', code: 'invalid_run', message: errorMessage(e) });
