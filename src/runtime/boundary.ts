// The one boundary every output crosses: events and logs are redacted with the run's mask set, or dropped if that fails.
import type { Masks, Output } from './run-env.ts';
import { EVENT, type RuntimeEvent, type Sinks } from './events.ts';
import type { Clock } from '../effects/clock.ts';
import { createRedactor, type Redactor } from '../core/redactor.ts';

/** The run's masks, backed by the one-pass redactor. */
export const makeMasks = (redactor: Redactor = createRedactor()): Masks => {
  // A value resolved again within a run is the same object (the run's resolver caches it): register it once.
  const objects = new WeakMap<object, { readonly short: boolean; readonly shortLeaves: number }>();
  return {
    addSecret: (value) => {
      if (typeof value !== 'object' || value === null) return redactor.addSecret(value);
      const known = objects.get(value);
      if (known) return known;
      const r = redactor.addSecret(value);
      objects.set(value, r);
      return r;
    },
    addExact: (text) => redactor.addExact(text),
    redact: (value) => redactor.redactStructured(value),
  };
};

/** Redacts before anything reaches a sink. A failure drops the output and says only that it was dropped. */
export const makeOutput = (masks: Masks, sinks: Sinks, clock: Clock, source: RuntimeEvent['source']): Output => {
  const iso = () => new Date(clock.now()).toISOString();
  const dropped = (what: string) => {
    try {
      sinks.event({ type: EVENT.redactionFailed, source, payload: { dropped: what }, createdAt: iso() });
    } catch {
      // Nothing else can be said safely.
    }
  };
  return {
    emit: (type, payload) => {
      let e: RuntimeEvent;
      try {
        e = { type: String(masks.redact(type)), source, payload: masks.redact(payload), createdAt: iso() };
      } catch {
        return dropped('event');
      }
      sinks.event(e);
    },
    log: (level, message, data) => {
      let m: string;
      let d: unknown;
      try {
        m = String(masks.redact(message));
        d = data === undefined ? undefined : masks.redact(data);
      } catch {
        return dropped('log');
      }
      sinks.log({ level, message: m, time: iso(), correlationId: source.correlationId, ...(d === undefined ? {} : { data: d }) });
    },
  };
};
