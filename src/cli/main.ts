// The secretref command line: run, secrets, keys and demo; exit 0 done, 1 failed, 2 unusable input.
import { cliLog, type Writer } from './jsonl.ts';
import { CliExit, EXIT } from './open-service.ts';
import { RUN_USAGE, runCommand } from './run-command.ts';
import { SECRETS_USAGE, secretsCommand } from './secrets-command.ts';
import { KEYS_USAGE, keysCommand } from './keys-command.ts';
import { demoCommand } from './demo/demo-command.ts';

export interface Io {
  readonly stdin: AsyncIterable<Uint8Array | string>;
  readonly stdout: Writer;
  readonly stderr: Writer;
}

const USAGE = `usage:
${RUN_USAGE}
${SECRETS_USAGE}
${KEYS_USAGE}
secretref demo

environment: SECRETREF_STORE (sqlite:<path> | postgres://… | memory:; default sqlite:.secretref/secrets.db),
             SECRETS_MASTER_KEYS, SECRETS_REF_KEYS`;

export const main = async (argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> => {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, env, io.stdout, io.stderr);
      case 'secrets':
        return await secretsCommand(rest, env, io);
      case 'keys':
        return await keysCommand(rest, env, io);
      case 'demo':
        return await demoCommand(rest, env, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      default:
        io.stderr.write(`${USAGE}\n`);
        return EXIT.unusable;
    }
  } catch (e) {
    if (e instanceof CliExit) {
      cliLog(io.stderr, 'error', e.message);
      return e.code;
    }
    cliLog(io.stderr, 'error', `unexpected failure: ${e instanceof Error ? e.message : 'unknown error'}`);
    return EXIT.failed;
  }
};
