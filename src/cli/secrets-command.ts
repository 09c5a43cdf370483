// `secretref secrets set|get|delete|list`: manage secrets in the configured store; values come from stdin, never argv.
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage, type SecretsError } from '../core/errors.ts';
import type { ResolveFailure } from '../core/reference.ts';
import type { RunContext } from '../core/run-context.ts';
import type { SecretMetadata } from '../core/store.ts';
import { contextOf, parseCommandLine, WHO_OPTIONS } from './args.ts';
import type { Writer } from './jsonl.ts';
import { CliExit, EXIT, openService } from './open-service.ts';

export const SECRETS_USAGE = `secretref secrets set <name> [--scope workspace|user] [--ttl SECONDS] [--allowed-host HOST]... [--json]   (value on stdin)
secretref secrets get <name> [--scope workspace|user] [--reveal]
secretref secrets delete <name> [--scope workspace|user]
secretref secrets list [--scope workspace|user]
secretref secrets sweep                      (drops the ciphertext of expired secrets, in every workspace)
common: --workspace W (default "default"), --user U (needed for scope user)`;

/** Reads all of stdin; one trailing newline is dropped (what `echo` and here-strings add). */
export const readStdin = async (stdin: AsyncIterable<Uint8Array | string>): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

const metadataLine = (m: SecretMetadata) => ({
  name: m.identity.name,
  scope: m.identity.scope,
  owner: m.identity.ownerId || null,
  version: m.version,
  createdAt: new Date(m.createdAt).toISOString(),
  updatedAt: new Date(m.updatedAt).toISOString(),
  expiresAt: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString(),
  allowedHosts: m.allowedHosts,
});

export const secretsCommand = async (
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { readonly stdin: AsyncIterable<Uint8Array | string>; readonly stdout: Writer; readonly stderr: Writer },
): Promise<number> => {
  // Refuse a value on the command line before anything parses it: argv is visible to every process on the machine.
  if (argv.some((a) => a === '--value' || a.startsWith('--value='))) throw new CliExit(EXIT.unusable, 'the value is read from stdin, never from the command line');
  const parsed = parseCommandLine(
    argv,
    {
      ...WHO_OPTIONS,
      scope: { type: 'string', default: 'workspace' },
      ttl: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      reveal: { type: 'boolean', default: false },
    },
    // parseArgs quotes the offending argument, which could be a value typed in the wrong place.
    () => `unknown or malformed option\nusage:\n${SECRETS_USAGE}`,
  );
  const [action, name, ...extra] = parsed.positionals;
  const expectsName = action === 'set' || action === 'get' || action === 'delete';
  if (!action || !['set', 'get', 'delete', 'list', 'sweep'].includes(action) || (expectsName && !name) || extra.length > 0 || ((action === 'list' || action === 'sweep') && name))
    throw new CliExit(EXIT.unusable, `usage:\n${SECRETS_USAGE}`);
  const ctx = contextOf(parsed.values, `cli-${randomUUID()}`, 'manual') as RunContext;
  const scope = parsed.values.scope;

  let value: unknown;
  if (action === 'set') {
    const text = await readStdin(io.stdin);
    if (text === '') throw new CliExit(EXIT.unusable, 'no value on stdin (pipe it in: printf %s "$VALUE" | secretref secrets set NAME)');
    if (parsed.values.json) {
      try {
        value = JSON.parse(text);
      } catch {
        throw new CliExit(EXIT.unusable, '--json: stdin is not valid JSON');
      }
    } else value = text;
  }

  const { service, storage } = await openService(env, io.stderr);
  try {
    const out = (o: unknown) => io.stdout.write(`${JSON.stringify(o)}\n`);
    const check = <A>(r: E.Either<SecretsError | ResolveFailure, A>): A => {
      if (E.isLeft(r)) throw new CliExit(r.left._tag === 'InvalidInput' ? EXIT.unusable : EXIT.failed, r.left._tag === 'ResolveFailure' ? r.left.message : errorMessage(r.left));
      return r.right;
    };
    const actionable = (r: unknown): number => {
      if (typeof r === 'object' && r !== null && 'error' in r) {
        out(r);
        return EXIT.failed;
      }
      return EXIT.ok;
    };
    switch (action) {
      case 'set': {
        let ttl: number | undefined;
        if (parsed.values.ttl !== undefined) {
          ttl = Number(parsed.values.ttl);
          if (parsed.values.ttl.trim() === '' || Number.isNaN(ttl)) throw new CliExit(EXIT.unusable, '--ttl: a number of seconds');
        }
        const hosts = parsed.values['allowed-host'];
        const r = check(await service.set(ctx, { name, value, scope, ...(ttl === undefined ? {} : { ttl }), ...(hosts ? { allowedHosts: hosts } : {}) }));
        if (typeof r !== 'string') return actionable(r);
        const meta = check(await service.list(ctx, { scope: scope as 'workspace' | 'user' })).find((m) => m.identity.name === name);
        out({ stored: true, ...(meta ? metadataLine(meta) : { name }) });
        return EXIT.ok;
      }
      case 'get': {
        const r = check(await service.get(ctx, { name, scope }));
        if (typeof r !== 'string') return actionable(r);
        if (parsed.values.reveal) {
          const v = check(await service.resolve(ctx, r));
          io.stdout.write(typeof v.value === 'string' ? `${v.value}\n` : `${JSON.stringify(v.value)}\n`);
        } else {
          const meta = check(await service.list(ctx, { scope: scope as 'workspace' | 'user' })).find((m) => m.identity.name === name);
          out({ exists: true, ...(meta ? metadataLine(meta) : { name }) });
        }
        return EXIT.ok;
      }
      case 'delete':
        {
          const r = check(await service.delete(ctx, { name, scope }));
          if ('error' in r) return actionable(r);
          out(r);
        }
        return EXIT.ok;
      case 'sweep': {
        out({ swept: check(await service.sweep()) });
        return EXIT.ok;
      }
      default: {
        if (scope !== 'workspace' && scope !== 'user') throw new CliExit(EXIT.unusable, '--scope: "workspace" or "user"');
        if (scope === 'user' && !ctx.userId) throw new CliExit(EXIT.unusable, '--scope user needs --user: user secrets are private to their user');
        for (const m of check(await service.list(ctx, { scope }))) out(metadataLine(m));
        return EXIT.ok;
      }
    }
  } finally {
    await storage.close();
  }
};
