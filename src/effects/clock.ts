// The clock port: epoch milliseconds, read at call time; plus a manual clock for tests and simulations.

export interface Clock {
  now(): number;
}

/** The system clock. `Date.now` is looked up on every call, so fake timers apply. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export const manualClock = (start = 0): ManualClock => {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      if (!(ms >= 0)) throw new RangeError('a manual clock only moves forward');
      t += ms;
    },
    set: (ms) => {
      if (!(ms >= t)) throw new RangeError('a manual clock only moves forward');
      t = ms;
    },
  };
};
