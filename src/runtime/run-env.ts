// What an instruction sees of its run: context, services, the mask set and the redacting output boundary.
import type { RunContext } from '../core/run-context.ts';
import type { Clock } from '../effects/clock.ts';
import type { SecretsService } from '../service/secrets-service.ts';
import type { LogLevel } from './events.ts';

/** The fetch port: web-shaped, looked up at call time so msw and test doubles apply. */
export type FetchPort = (request: Request) => Promise<Response>;

/** The run's mask set: grows as values are set or resolved; everything that leaves the run is redacted with it. */
export interface Masks {
  /**
   * Registers a secret value and the encodings a remote service may echo; `short` when the value is below the
   * minimum length for masking inside text, `shortLeaves` how many string fields of an object value are.
   */
  addSecret(value: unknown): { readonly short: boolean; readonly shortLeaves: number };
  /** Registers an exact string the runtime derived from secrets (a Basic header, an encoded query, a signature input). */
  addExact(text: string): void;
  /** A redacted deep copy of any JSON-like value. */
  redact(value: unknown): unknown;
}

/** Everything emitted here is redacted before it reaches a sink. */
export interface Output {
  emit(type: string, payload: unknown): void;
  log(level: LogLevel, message: string, data?: unknown): void;
}

export interface RunEnv {
  readonly ctx: RunContext;
  readonly secrets: SecretsService;
  readonly clock: Clock;
  readonly fetch: () => FetchPort;
  readonly masks: Masks;
  readonly output: Output;
}
