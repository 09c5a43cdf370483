// The secretref CLI as a real process: spawned with `node bin/secretref.js` in a fresh temp dir, with a minimal environment.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodedForms } from '../../src/core/encodings.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = join(REPO_ROOT, 'bin', 'secretref.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split in lines, each parsed as JSON (a line that is not JSON fails the test that reads it). */
  readonly events: () => readonly Record<string, unknown>[];
  /** stderr split in lines, each parsed as JSON. */
  readonly logs: () => readonly Record<string, unknown>[];
}

export interface CliOptions {
  /** The working directory (a temp dir of the test). */
  readonly cwd: string;
  /** Environment on top of PATH/HOME/TMPDIR; nothing else of the test process leaks in. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (closed at once when absent). */
  readonly stdin?: string;
  /** The program and its leading arguments; default `node bin/secretref.js`. */
  readonly command?: readonly string[];
  /** When a child still runs after this long it is killed and the test fails as "did not finish" (default 45 s). */
  readonly hungAfterMs?: number;
}

/** Lines of JSON; throws (failing the test) on a line that does not parse, naming only its number. */
export const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`output line ${i + 1} is not JSON`);
      }
    });

const baseEnv = (): Record<string, string> => {
  const keep: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const v = process.env[k];
    if (v !== undefined) keep[k] = v;
  }
  return keep;
};

/** A guard against a hung child, not a timing assertion: the test fails with a clear message instead of the runner's timeout. */
const HUNG_AFTER_MS = 45_000;

export const runCli = (args: readonly string[], options: CliOptions): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = baseEnv();
    for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
    const [program, ...lead] = options.command ?? [process.execPath, CLI_BIN];
    const child = spawn(program!, [...lead, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const guard = setTimeout(() => child.kill('SIGKILL'), options.hungAfterMs ?? HUNG_AFTER_MS);
    child.on('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL') return reject(new Error(`secretref ${args[0] ?? ''} did not finish`));
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ code, stdout, stderr, events: () => jsonLines(stdout), logs: () => jsonLines(stderr) });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });

/** Temp dirs for one test file, each a fresh cwd; removed by `cleanup`. */
export const tempDirs = () => {
  const made: string[] = [];
  return {
    make: (label = 'cli'): string => {
      const d = mkdtempSync(join(tmpdir(), `secretref-${label}-`));
      made.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
};

/** A key entry in the SECRETS_MASTER_KEYS shape, generated here (the CLI's own generator is tested separately). */
export const keyEntry = (kid: string, active = true) => ({ kid, key: randomBytes(32).toString('hex'), active });

/** SECRETS_MASTER_KEYS text for entries. */
export const keysText = (...entries: readonly { kid: string; key: string; active: boolean }[]): string => JSON.stringify(entries);

/** A fresh master key set with one active key. */
export const freshMasterKeys = (kid = 'kek-test'): string => keysText(keyEntry(kid));

/** A generated secret value, long enough that any of its encodings is unmistakable. */
export const generatedValue = (label = 'v'): string => `${label}-${randomBytes(18).toString('base64url')}`;

/** Whether a text holds a value in any encoding the redactor knows (forms of 8+ characters). */
export const holdsValue = (text: string, value: string): boolean =>
  encodedForms(value)
    .filter((f) => f.length >= 8)
    .some((f) => text.includes(f));

export const writeFile = (dir: string, name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** A fingerprint of every file under `.secretref/` of a dir (names and bytes), to prove nothing was written. */
export const storeFingerprint = (dir: string): Record<string, string> => {
  const d = join(dir, '.secretref');
  if (!existsSync(d)) return {};
  return Object.fromEntries(
    readdirSync(d)
      .sort()
      .map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]),
  );
};

/** Log lines of a level, without debug noise. */
export const messagesOf = (r: CliResult, level?: string): string[] =>
  r
    .logs()
    .filter((l) => level === undefined || l['level'] === level)
    .map((l) => String(l['message']));
