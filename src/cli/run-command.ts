// `secretref run <automation.yaml>`: runs one automation (and the other automations of its folder, for calls).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';
import { parseAutomation } from '../runtime/decode-automation.ts';
import { decodeRunContext } from '../core/run-context.ts';
import { errorMessage } from '../core/errors.ts';
import type { Automation } from '../runtime/ast.ts';
import { createRuntime } from '../runtime/runtime.ts';
import { contextOf, parseCommandLine, WHO_OPTIONS } from './args.ts';
import { cliLog, jsonlSinks, type Writer } from './jsonl.ts';
import { CliExit, EXIT, openService } from './open-service.ts';

export const RUN_USAGE = `secretref run <automation.yaml> [--workspace W] [--user U] [--trigger endpoint|event|schedule|manual]
                [--config <file.yaml|file.json|JSON>] [--payload <JSON>] [--correlation-id ID]`;

const loadAutomation = (file: string): Automation => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliExit(EXIT.unusable, `cannot read automation file ${file}`);
  }
  const a = parseAutomation(text, basename(file, extname(file)));
  if (E.isLeft(a)) throw new CliExit(EXIT.unusable, `${file}: ${problemsOf(a.left.problems)}`);
  return a.right;
};

/** Problems of a decoded automation file, as one line: each path with what was expected there. */
const problemsOf = (problems: readonly { readonly path: string; readonly expected: string }[]): string =>
  problems.map((p) => `${p.path}: ${p.expected}`).join('; ');

/**
 * Other automations beside the file, for calls by slug. One that cannot be read or does not decode is
 * left out with a warning naming it and its problem, so a call to its slug is not a mystery.
 */
const siblings = (file: string, stderr: Writer): Automation[] =>
  readdirSync(dirname(file))
    .filter((f) => /\.ya?ml$/.test(f) && join(dirname(file), f) !== file)
    .flatMap((f) => {
      const path = join(dirname(file), f);
      const slug = basename(f, extname(f));
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        cliLog(stderr, 'warn', `${path}: cannot be read; automation "${slug}" is not available to calls`);
        return [];
      }
      const a = parseAutomation(text, slug);
      if (E.isRight(a)) return [a.right];
      cliLog(stderr, 'warn', `${path}: ${problemsOf(a.left.problems)}; automation "${slug}" is not available to calls`);
      return [];
    });

const parseJsonArg = (flag: string, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliExit(EXIT.unusable, `${flag}: not valid JSON`);
  }
};

const loadConfig = (arg: string | undefined): unknown => {
  if (arg === undefined) return {};
  const trimmed = arg.trim();
  if (trimmed.startsWith('{')) return parseJsonArg('--config', trimmed);
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch {
    throw new CliExit(EXIT.unusable, `--config: cannot read ${arg}`);
  }
  try {
    return /\.json$/i.test(arg) ? JSON.parse(text) : parseYaml(text);
  } catch {
    throw new CliExit(EXIT.unusable, `--config: ${arg} is not valid ${/\.json$/i.test(arg) ? 'JSON' : 'YAML'}`);
  }
};

export const runCommand = async (argv: readonly string[], env: NodeJS.ProcessEnv, stdout: Writer, stderr: Writer): Promise<number> => {
  const parsed = parseCommandLine(
    argv,
    { ...WHO_OPTIONS, trigger: { type: 'string', default: 'manual' }, config: { type: 'string' }, payload: { type: 'string' }, 'correlation-id': { type: 'string' } },
    (e) => `${e.message}\nusage: ${RUN_USAGE}`,
  );
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) throw new CliExit(EXIT.unusable, `usage: ${RUN_USAGE}`);
  const automation = loadAutomation(file);
  const config = loadConfig(parsed.values.config);
  const payload = parsed.values.payload === undefined ? {} : parseJsonArg('--payload', parsed.values.payload);
  const context = contextOf(parsed.values, parsed.values['correlation-id'] ?? randomUUID(), parsed.values.trigger);

  // A bad context is unusable input: refuse it before the store is opened (or created).
  const checked = decodeRunContext(context);
  if (E.isLeft(checked)) throw new CliExit(EXIT.unusable, errorMessage(checked.left));

  const { service, storage } = await openService(env, stderr);
  try {
    const runtime = createRuntime({ secrets: service, sinks: jsonlSinks(stdout, stderr), automations: siblings(file, stderr), config });
    const result = await runtime.run(automation, { context: checked.right, payload });
    if (E.isLeft(result)) throw new CliExit(EXIT.unusable, result.left.message);
    return result.right.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    await storage.close();
  }
};
