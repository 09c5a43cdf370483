// Command-line parsing shared by the commands: node:util parseArgs with positionals, and the options that name who runs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliExit, EXIT } from './open-service.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--workspace W` (default `default`) and `--user U`: the run context's workspace and user. */
export const WHO_OPTIONS = {
  workspace: { type: 'string', default: 'default' },
  user: { type: 'string' },
} as const satisfies Options;

/**
 * Parses `argv` against `options`, positionals allowed; any parse error exits 2 with the text `onError`
 * makes of it (a command whose arguments may hold a value passed in the wrong place does not quote them).
 */
export const parseCommandLine = <O extends Options>(argv: readonly string[], options: O, onError: (e: Error) => string) => {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true as const, strict: true as const, options });
  } catch (e) {
    throw new CliExit(EXIT.unusable, onError(e as Error));
  }
};

/** The run context of a CLI call from WHO_OPTIONS values (checked later by decodeRunContext). */
export const contextOf = (who: { readonly workspace: string; readonly user?: string | undefined }, correlationId: string, trigger: string) => ({
  workspaceId: who.workspace,
  correlationId,
  trigger,
  ...(who.user === undefined ? {} : { userId: who.user }),
});
