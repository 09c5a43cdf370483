// Instruction errors: thrown inside the interpreter, serialised as { error, message, details }; messages never hold a value.

/** The serialised form every caller sees (onError: continue, error events, the executed event). */
export interface ErrorObject {
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
}

export class InstructionError extends Error {
  override readonly name = 'InstructionError';
  constructor(
    /** A stable code, e.g. `invalid_parameter`, `reference_expired`, `fetch_network_error`. */
    readonly code: string,
    message: string,
    /** The YAML path of the failing step, e.g. `do[2]`. */
    readonly path?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toObject(): ErrorObject {
    const details = this.path === undefined ? this.details : { path: this.path, ...(isRecord(this.details) ? this.details : this.details === undefined ? {} : { info: this.details }) };
    return { error: this.code, message: this.message, ...(details === undefined ? {} : { details }) };
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Any thrown thing as an error object. Only InstructionError messages are ours; other errors' messages
 * (the platform's, a library's) may quote their inputs — undici quotes header values — so only the name is kept.
 */
export const toErrorObject = (e: unknown): ErrorObject => {
  if (e instanceof InstructionError) return e.toObject();
  if (e instanceof Error) return { error: 'internal_error', message: `an internal error occurred (${e.name})` };
  return { error: 'internal_error', message: 'an unknown error was thrown' };
};
