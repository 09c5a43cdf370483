// A run environment for fetch tests: the service on a manual clock, fake masks, recording output, and fetch read from globalThis at call time.
import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { RunContext } from '../../src/core/run-context.ts';
import type { FetchEnv } from '../../src/runtime/fetch-instruction.ts';
import type { ReferenceResolver } from '../../src/runtime/reference-resolver.ts';
import type { LogLevel } from '../../src/runtime/events.ts';
import { fakeMasks, type FakeMasks } from './fake-masks.ts';
import { ctx, openHarness, type Harness } from './service.ts';

export interface Emitted {
  readonly type: string;
  readonly payload: unknown;
}

export interface FetchTestEnv {
  readonly env: FetchEnv;
  readonly harness: Harness;
  readonly masks: FakeMasks;
  readonly events: Emitted[];
  readonly logs: { readonly level: LogLevel; readonly message: string; readonly data?: unknown }[];
  /** Stores a secret in the env's run and returns its reference. */
  readonly secret: (name: string, value: unknown, extra?: Record<string, unknown>) => Promise<string>;
  /** A reference minted for another run context (same store and keys). */
  readonly referenceIn: (other: RunContext, name: string, value: unknown) => Promise<string>;
}

/** A fresh random secret value; tests never hard-code one. */
export const generated = (prefix = 'sk'): string => `${prefix}-${randomBytes(18).toString('hex')}`;

export const makeFetchEnv = async (over: { readonly ctx?: RunContext; readonly resolver?: ReferenceResolver; readonly harness?: Harness } = {}): Promise<FetchTestEnv> => {
  const harness = over.harness ?? (await openHarness());
  const runCtx = over.ctx ?? ctx();
  const masks = fakeMasks();
  const events: Emitted[] = [];
  const logs: FetchTestEnv['logs'] = [];
  const env: FetchEnv = {
    ctx: runCtx,
    secrets: harness.service,
    clock: harness.clock,
    fetch: () => (request) => globalThis.fetch(request),
    masks,
    output: {
      emit: (type, payload) => void events.push({ type, payload: masks.redact(payload) }),
      log: (level, message, data) => void logs.push({ level, message, ...(data === undefined ? {} : { data: masks.redact(data) }) }),
    },
    ...(over.resolver === undefined ? {} : { resolver: over.resolver }),
  };
  const referenceIn = async (other: RunContext, name: string, value: unknown) => {
    const r = await harness.service.set(other, { name, value, scope: 'workspace' });
    if (E.isLeft(r) || typeof r.right !== 'string') throw new Error(`set failed for ${name}`);
    return r.right;
  };
  const secret = async (name: string, value: unknown, extra: Record<string, unknown> = {}) => {
    const r = await harness.service.set(runCtx, { name, value, scope: 'workspace', ...extra });
    if (E.isLeft(r) || typeof r.right !== 'string') throw new Error(`set failed for ${name}`);
    return r.right;
  };
  return { env, harness, masks, events, logs, secret, referenceIn };
};
