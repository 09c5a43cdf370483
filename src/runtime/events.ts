// Events and log records as they leave the runtime, and the sinks that receive them after redaction.

/** `{ type, source, payload, createdAt }` (design §8). */
export interface RuntimeEvent {
  readonly type: string;
  readonly source: { readonly workspaceId: string; readonly correlationId: string; readonly automationSlug?: string };
  readonly payload: unknown;
  readonly createdAt: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly time: string;
  readonly correlationId: string;
  readonly data?: unknown;
}

/** Where redacted events and logs go (stdout/stderr lines in the CLI, arrays in tests). */
export interface Sinks {
  event(e: RuntimeEvent): void;
  log(l: LogRecord): void;
}

export const EVENT = {
  executed: 'runtime.automations.executed',
  fetchFailed: 'runtime.fetch.failed',
  error: 'error',
  secretSet: 'runtime.secrets.set',
  secretGet: 'runtime.secrets.get',
  secretDeleted: 'runtime.secrets.deleted',
  secretResolved: 'runtime.secrets.resolved',
  secretShort: 'runtime.secrets.short_value',
  redactionFailed: 'runtime.redaction.failed',
} as const;

/** Event types under `runtime.` are the runtime's own (audit included): an automation may not emit one, in any case or padding. */
export const isReservedEvent = (type: string): boolean => type.trim().toLowerCase().startsWith('runtime.');
export const RESERVED_EVENT_EXPECTED = 'an event name that does not start with "runtime." (reserved for the runtime\'s own events)';

/** Sinks that keep everything in memory, for tests and the demo's verdict. */
export const memorySinks = (): Sinks & { readonly events: RuntimeEvent[]; readonly logs: LogRecord[] } => {
  const events: RuntimeEvent[] = [];
  const logs: LogRecord[] = [];
  return { events, logs, event: (e) => void events.push(e), log: (l) => void logs.push(l) };
};
