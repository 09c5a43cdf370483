// Builds a secrets service on a manual clock and the memory store, failing the test loudly if it cannot open.
import * as E from 'fp-ts/lib/Either.js';
import { openSecrets, type OpenSecretsOptions } from '../../src/service/open.ts';
import { manualClock, type ManualClock } from '../../src/effects/clock.ts';
import { memoryStorage } from '../../src/effects/storage/memory.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import type { SecretsService } from '../../src/service/secrets-service.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import { errorMessage } from '../../src/core/errors.ts';
import { masterKeysText } from './keys.ts';

export interface Harness {
  readonly service: SecretsService;
  readonly clock: ManualClock;
  readonly storage: StoragePort;
  readonly masterKeys: string;
}

export const START = Date.UTC(2026, 10, 26, 12, 0, 0);

export const openHarness = async (options: Partial<OpenSecretsOptions> & { masterKeys?: string } = {}): Promise<Harness> => {
  const clock = manualClock(START);
  const storage = options.storage ?? memoryStorage();
  const masterKeys = (options.masterKeys as string | undefined) ?? masterKeysText();
  const opened = await openSecrets({ clock, ...options, storage, masterKeys });
  if (E.isLeft(opened)) throw new Error(`service did not open: ${errorMessage(opened.left)}`);
  return { service: opened.right, clock, storage, masterKeys };
};

/** Unwraps a Right, failing with the error's safe message otherwise. */
export const right = <A>(e: E.Either<{ readonly _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected success, got ${JSON.stringify(e.left)}`);
  return e.right;
};

export const ctx = (over: Partial<RunContext> = {}): RunContext => ({
  workspaceId: 'ws-1',
  correlationId: 'run-1',
  trigger: 'manual',
  userId: 'alice',
  ...over,
});

export const scheduleCtx = (over: Partial<RunContext> = {}): RunContext => ({
  workspaceId: 'ws-1',
  correlationId: 'run-cron',
  trigger: 'schedule',
  ...over,
});
