// Runs automations written as YAML text against a real service (memory store, manual clock) and in-memory sinks.
import * as E from 'fp-ts/lib/Either.js';
import { parseAutomation } from '../../src/runtime/decode-automation.ts';
import { createRuntime, type RuntimeOptions, type RunResult } from '../../src/runtime/runtime.ts';
import { memorySinks } from '../../src/runtime/events.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import type { Automation } from '../../src/runtime/ast.ts';
import { openHarness, type Harness } from './service.ts';

export const automation = (yaml: string, slug = 'test-automation'): Automation => {
  const a = parseAutomation(yaml, slug);
  if (E.isLeft(a)) throw new Error(`automation does not decode: ${JSON.stringify(a.left.problems)}`);
  return a.right;
};

export interface RunOutcome {
  readonly result: RunResult;
  readonly events: ReturnType<typeof memorySinks>['events'];
  readonly logs: ReturnType<typeof memorySinks>['logs'];
  /** Every event and log line as the JSON text a sink would write. */
  readonly lines: readonly string[];
}

export const runYaml = async (
  yaml: string,
  options: { harness?: Harness; context?: RunContext; payload?: unknown; others?: readonly string[] } & Partial<Omit<RuntimeOptions, 'secrets' | 'sinks' | 'automations'>> = {},
): Promise<RunOutcome & { readonly harness: Harness }> => {
  const harness = options.harness ?? (await openHarness());
  const sinks = memorySinks();
  const { harness: _h, context, payload, others, ...rest } = options;
  const runtime = createRuntime({
    secrets: harness.service,
    sinks,
    clock: harness.clock,
    automations: (others ?? []).map((y) => automation(y)),
    ...rest,
  });
  const r = await runtime.run(automation(yaml), {
    context: context ?? { workspaceId: 'ws-1', correlationId: 'run-1', trigger: 'manual', userId: 'alice' },
    ...(payload === undefined ? {} : { payload }),
  });
  if (E.isLeft(r)) throw new Error(`run refused: ${r.left.message}`);
  return {
    harness,
    result: r.right,
    events: sinks.events,
    logs: sinks.logs,
    lines: [...sinks.events, ...sinks.logs].map((x) => JSON.stringify(x)),
  };
};

export const eventsOf = (o: RunOutcome, type: string) => o.events.filter((e) => e.type === type).map((e) => e.payload);
