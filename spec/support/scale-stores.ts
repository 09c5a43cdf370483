// Persistence-at-scale helpers: stores named by a small JSON spec (so child processes can open them), a port wrapper that
// reports every acknowledged write, child processes speaking JSON lines, and a one-pass search for many needles in raw bytes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage, type SecretsError } from '../../src/core/errors.ts';
import type { ResolveFailure } from '../../src/core/reference.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import type { SecretIdentity } from '../../src/core/scope.ts';
import { openSqliteStorage } from '../../src/effects/node/sqlite-storage.ts';
import { openPostgresStorage } from '../../src/effects/storage/postgres.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import { openSecrets } from '../../src/service/open.ts';
import type { SecretsService } from '../../src/service/secrets-service.ts';

/** The workspace, shared names and hand-off run of the many-nodes test (scale-node-worker.ts). */
export const SCALE_WORKSPACE = 'ws-scale';
export const SHARED_NAMES = ['alpha', 'beta', 'gamma', 'delta'] as const;
export const HANDOFF_NAME = 'handoff';
/** The run both the minting and the resolving process belong to. */
export const HANDOFF_CONTEXT: RunContext = { workspaceId: SCALE_WORKSPACE, correlationId: 'run-handoff', trigger: 'event' };

/** The workspace and names of the kill test (scale-writer-worker.ts): three names per lane, each lane their only writer. */
export const CRASH_WORKSPACE = 'ws-crash';
export const crashNames = (lanes: number): string[] => Array.from({ length: lanes * 3 }, (_, i) => `l${Math.floor(i / 3)}-n${i % 3}`);

export type StoreSpec =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

/** Opens the store a spec names; throws on failure (a setup failure, not a behaviour under test). */
export const openStoreSpec = async (spec: StoreSpec): Promise<StoragePort> => {
  const opened = spec.kind === 'sqlite' ? openSqliteStorage(spec.path) : await openPostgresStorage(spec.url, { schema: spec.schema, max: 4 });
  if (E.isLeft(opened)) throw new Error(`cannot open the ${spec.kind} store: ${opened.left.message}`);
  return opened.right;
};

export interface Acknowledged {
  readonly op: 'set' | 'delete';
  readonly identity: SecretIdentity;
  /** The version the store acknowledged for this write (the written version, or the tombstone's). */
  readonly version: number;
}

/** The same port, calling `onAck` after every write or removal the store acknowledged, with its version. */
export const recordingStorage = (inner: StoragePort, onAck: (a: Acknowledged) => void): StoragePort => ({
  ...inner,
  write: async (secret, expected) => {
    const r = await inner.write(secret, expected);
    if (E.isRight(r)) onAck({ op: 'set', identity: secret.identity, version: secret.version });
    return r;
  },
  remove: async (id, now) => {
    const r = await inner.remove(id, now);
    if (E.isRight(r) && r.right.removed) onAck({ op: 'delete', identity: id, version: r.right.version });
    return r;
  },
});

/** Removes and returns the version of the latest recorded acknowledgement of this op on this name. */
export const takeAck = (acks: Acknowledged[], name: string, op: Acknowledged['op']): number => {
  for (let i = acks.length - 1; i >= 0; i--)
    if (acks[i]!.identity.name === name && acks[i]!.op === op) return acks.splice(i, 1)[0]!.version;
  throw new Error(`no acknowledgement recorded for a ${op} of ${name}`);
};

/** A one-line message for any service error, safe to print. */
export const messageOf = (e: SecretsError | ResolveFailure): string => (e._tag === 'ResolveFailure' ? `${e.code}: ${e.message}` : errorMessage(e));

// ---------------------------------------------------------------------------------------------
// child processes speaking JSON lines

export type Line = Record<string, unknown> & { readonly t: string };

export interface Child {
  readonly proc: ChildProcess;
  /** Every stdout line so far, parsed. */
  readonly lines: Line[];
  /** Resolves with the first line (including ones already received) that satisfies `pred`. */
  readonly waitFor: (pred: (l: Line) => boolean) => Promise<Line>;
  readonly send: (line: Line) => void;
  /** Resolves when the process has exited and its stdout is fully read. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stderr: string }>;
}

export const supportScript = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Spawns `node --import tsx <script> ...args` with extra environment; stdout is JSON lines. */
export const spawnChild = (script: string, args: readonly string[], env: Record<string, string>): Child => {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: Line[] = [];
  const waiters: { pred: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = createInterface({ input: proc.stdout! });
  rl.on('line', (text) => {
    let l: Line;
    try {
      l = JSON.parse(text) as Line;
    } catch {
      l = { t: 'unparsed', text };
    }
    lines.push(l);
    for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
  });
  const stdoutClosed = new Promise<void>((resolve) => rl.on('close', resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => void stdoutClosed.then(() => resolve({ code, signal, stderr }))),
  );
  proc.stdin!.on('error', () => undefined);
  return {
    proc,
    lines,
    exited,
    waitFor: (pred) => {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise<Line>((resolve, reject) => {
        waiters.push({ pred, resolve });
        void exited.then((x) => reject(new Error(`child exited (code ${x.code}, signal ${x.signal}) before the awaited line: ${x.stderr.slice(0, 2000)}`)));
      });
    },
    send: (line) => void proc.stdin!.write(`${JSON.stringify(line)}\n`),
  };
};

/** Kills a child that is still running (cleanup after a failed test); never throws. */
export const killQuietly = (c: Child): void => {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
};

// ---------------------------------------------------------------------------------------------
// searching raw bytes for many needles at once

const WINDOW = 8;

/**
 * Which of the labelled needles (each at least 8 bytes) occur in the haystack. One pass over the haystack:
 * every needle is filed under its first 8 bytes, and each 8-byte window of the haystack is looked up.
 */
export const findNeedles = (haystack: Buffer, needles: readonly { readonly label: string; readonly bytes: Buffer }[]): string[] => {
  const byPrefix = new Map<string, { label: string; bytes: Buffer }[]>();
  for (const n of needles) {
    if (n.bytes.length < WINDOW) throw new Error(`needle ${n.label} is shorter than ${WINDOW} bytes`);
    const k = n.bytes.subarray(0, WINDOW).toString('latin1');
    const list = byPrefix.get(k) ?? [];
    list.push(n);
    byPrefix.set(k, list);
  }
  const text = haystack.toString('latin1');
  const found = new Set<string>();
  for (let i = 0; i + WINDOW <= text.length; i++) {
    const list = byPrefix.get(text.substring(i, i + WINDOW));
    if (!list) continue;
    for (const n of list) if (!found.has(n.label) && haystack.subarray(i, i + n.bytes.length).equals(n.bytes)) found.add(n.label);
  }
  return [...found].sort();
};

/** A small seeded generator (mulberry32), so a child's choices can be replayed from its seed. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** What a worker process starts with: the service over the store its parent named, recording acknowledged writes. */
export interface WorkerService {
  readonly service: SecretsService;
  /** The version the store acknowledged for the write of `name` that just returned. */
  readonly ackOf: (name: string, op: Acknowledged['op']) => number;
  readonly close: () => Promise<void>;
}

/** Opens the store described by `spec` behind a recorder and the service over it, with SECRETS_MASTER_KEYS from the environment. */
export const openWorkerService = async (spec: StoreSpec): Promise<WorkerService> => {
  const masterKeys = process.env['SECRETS_MASTER_KEYS'];
  if (!masterKeys) throw new Error('SECRETS_MASTER_KEYS is unset');
  const acks: Acknowledged[] = [];
  const storage = recordingStorage(await openStoreSpec(spec), (a) => acks.push(a));
  const opened = await openSecrets({ masterKeys, storage });
  if (E.isLeft(opened)) throw new Error(`the service did not open: ${messageOf(opened.left)}`);
  return { service: opened.right, ackOf: (name, op) => takeAck(acks, name, op), close: () => storage.close() };
};
