// The run context: which workspace, which run, what started it and, except for schedules, which user.
import * as t from 'io-ts';
import { isNamingText } from './text-rules.ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { describeErrors } from './report.ts';
import { invalidField, invalidInput, type InvalidInput } from './errors.ts';

/** A non-empty string of at most 256 characters with no control characters. */
export interface IdBrand {
  readonly Id: unique symbol;
}
export const IdC = t.brand(
  t.string,
  (s): s is t.Branded<string, IdBrand> => s.length > 0 && s.length <= 256 && isNamingText(s),
  'Id',
);

export const TriggerC = t.keyof({ endpoint: null, event: null, schedule: null, manual: null }, 'Trigger');
export type Trigger = t.TypeOf<typeof TriggerC>;

export const RunContextC = t.intersection([
  t.type({ workspaceId: IdC, correlationId: IdC, trigger: TriggerC }),
  t.partial({ userId: IdC }),
]);

export interface RunContext {
  readonly workspaceId: string;
  readonly correlationId: string;
  readonly trigger: Trigger;
  readonly userId?: string;
}

/** Validates a run context (the result is frozen); a schedule run with a user is refused rather than silently stripped. */
export const decodeRunContext = (u: unknown): E.Either<InvalidInput, RunContext> =>
  pipe(
    RunContextC.decode(u),
    E.mapLeft((errors) => invalidInput(describeErrors('context', errors).map((p) => ({ ...p, expected: p.expected.replace(/^Id$/, 'a non-empty id without control characters (at most 256)') })))),
    E.chain((c): E.Either<InvalidInput, RunContext> =>
      c.trigger === 'schedule' && c.userId !== undefined
        ? E.left(invalidField('context.userId', 'absent: a schedule trigger never has a user'))
        : E.right(
            Object.freeze({
              workspaceId: c.workspaceId,
              correlationId: c.correlationId,
              trigger: c.trigger,
              ...(c.userId === undefined ? {} : { userId: c.userId }),
            }),
          ),
    ),
  );
