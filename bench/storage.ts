// Storage throughput: compare-and-set writes and reads per second on memory, SQLite and PostgreSQL, medians over rounds.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import * as E from 'fp-ts/lib/Either.js';
import type { SecretIdentity } from '../src/core/scope.ts';
import { openSqliteStorage } from '../src/effects/node/sqlite-storage.ts';
import { memoryStorage } from '../src/effects/storage/memory.ts';
import type { StoragePort } from '../src/effects/storage/port.ts';
import { openPostgresStorage } from '../src/effects/storage/postgres.ts';

export interface StorageBenchRow {
  readonly backend: string;
  readonly op: 'write (CAS)' | 'read';
  /** Median over rounds. */
  readonly opsPerSec: number;
  /** Operations per round, split over `concurrency` callers. */
  readonly ops: number;
  readonly concurrency: number;
  readonly rounds: number;
}

export interface StorageBenchOptions {
  /** Measured rounds per figure (one warm-up round is run first and dropped); default 5. */
  readonly rounds?: number;
  /** PostgreSQL URL; default SECRETREF_PG_URL or the local test server; null skips PostgreSQL. */
  readonly pgUrl?: string | null;
  /** Scales every operation count (0.1 for a smoke run); default 1. */
  readonly scale?: number;
}

const IDENTITIES = 100;
const T0 = 1_700_000_000_000;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const must = <A>(e: E.Either<{ readonly message?: string; readonly _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`bench: ${e.left._tag} ${e.left.message ?? ''}`);
  return e.right;
};

/** One backend: `ops` CAS writes then `ops` reads per round, spread over `concurrency` callers on disjoint identities. */
const measure = async (
  backend: string,
  storage: StoragePort,
  ops: number,
  concurrency: number,
  rounds: number,
): Promise<StorageBenchRow[]> => {
  const run = `run-${randomBytes(4).toString('hex')}`;
  const ids: SecretIdentity[] = Array.from({ length: IDENTITIES }, (_, i) => ({ workspaceId: run, scope: 'workspace', ownerId: '', name: `s${i}` }));
  const versions = ids.map(() => 0);
  const payload = randomBytes(150).toString('base64url'); // about the size of a sealed short value
  const perCaller = Math.ceil(ops / concurrency);
  /** Each caller cycles through identities of its own, so concurrent writes never conflict. */
  const slots = Math.floor(IDENTITIES / concurrency);
  const slot = (c: number, i: number) => c * slots + (i % slots);

  const writes = async () => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, c) => {
        for (let i = 0; i < perCaller; i++) {
          const k = slot(c, i);
          const expected = versions[k]!;
          versions[k] = expected + 1;
          const r = await storage.write(
            { identity: ids[k]!, version: expected + 1, payload, createdAt: T0, updatedAt: T0, expiresAt: null, allowedHosts: null },
            expected,
          );
          must(r);
        }
      }),
    );
    return (perCaller * concurrency) / ((performance.now() - t) / 1000);
  };
  const reads = async () => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, c) => {
        for (let i = 0; i < perCaller; i++) must(await storage.read(ids[slot(c, i)]!, T0));
      }),
    );
    return (perCaller * concurrency) / ((performance.now() - t) / 1000);
  };

  const w: number[] = [];
  const r: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const ws = await writes();
    const rs = await reads();
    if (round > 0) {
      w.push(ws);
      r.push(rs);
    }
  }
  const row = (op: StorageBenchRow['op'], xs: number[]): StorageBenchRow => ({
    backend,
    op,
    opsPerSec: Math.round(median(xs)),
    ops: perCaller * concurrency,
    concurrency,
    rounds,
  });
  return [row('write (CAS)', w), row('read', r)];
};

const reachablePg = (explicit: string | null | undefined): string | null => {
  if (explicit !== undefined) return explicit;
  return process.env['SECRETREF_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
};

/** Runs every backend it can reach and returns the figures; PostgreSQL is skipped (with a note on stderr) when unreachable. */
/** Drops a bench's own PostgreSQL schema (best effort: a bench leaves nothing behind when it can). */
export const dropBenchSchema = async (url: string, schema: string): Promise<void> => {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await sql.end({ timeout: 5 });
};

export const runStorageBench = async (options: StorageBenchOptions = {}): Promise<readonly StorageBenchRow[]> => {
  const rounds = options.rounds ?? 5;
  const scale = options.scale ?? 1;
  const n = (x: number) => Math.max(IDENTITIES, Math.round(x * scale));
  const rows: StorageBenchRow[] = [];

  const mem = memoryStorage();
  rows.push(...(await measure('memory', mem, n(20_000), 1, rounds)));
  await mem.close();

  const dir = mkdtempSync(join(tmpdir(), 'secretref-bench-'));
  try {
    for (const synchronous of ['FULL', 'NORMAL'] as const) {
      const s = must(openSqliteStorage(join(dir, `${synchronous}.db`), { synchronous }));
      rows.push(...(await measure(`sqlite (WAL, synchronous=${synchronous})`, s, n(synchronous === 'FULL' ? 2_000 : 10_000), 1, rounds)));
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const url = reachablePg(options.pgUrl);
  if (url !== null) {
    const schema = `secretref_bench_${randomBytes(4).toString('hex')}`;
    const opened = await openPostgresStorage(url, { schema, connectTimeoutSeconds: 2, max: 16 });
    if (E.isLeft(opened)) {
      process.stderr.write(`storage bench: PostgreSQL skipped (${opened.left.message})\n`);
    } else {
      try {
        rows.push(...(await measure('postgresql', opened.right, n(2_000), 1, rounds)));
        rows.push(...(await measure('postgresql (16 callers)', opened.right, n(8_000), 16, rounds)));
      } finally {
        await opened.right.close();
        await dropBenchSchema(url, schema);
      }
    }
  }
  return rows;
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runStorageBench();
  console.table(rows.map((r) => ({ backend: r.backend, op: r.op, 'ops/s (median)': r.opsPerSec, ops: r.ops, concurrency: r.concurrency, rounds: r.rounds })));
}
