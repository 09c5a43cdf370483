// Secrets-service operations per second (set, get, resolve) on memory, SQLite and PostgreSQL, medians over rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type { RunContext } from '../src/core/run-context.ts';
import { openSqliteStorage } from '../src/effects/node/sqlite-storage.ts';
import { memoryStorage } from '../src/effects/storage/memory.ts';
import { openPostgresStorage } from '../src/effects/storage/postgres.ts';
import type { StoragePort } from '../src/effects/storage/port.ts';
import { openSecrets } from '../src/service/open.ts';
import { dropBenchSchema } from './storage.ts';
import type { CryptoPrimitives } from '../src/effects/crypto/primitives.ts';
import { nodeCryptoPrimitives } from '../src/effects/node/node-crypto.ts';
import type { SecretsService } from '../src/service/secrets-service.ts';

export interface ServiceOpsRow {
  readonly backend: string;
  readonly op: 'set' | 'get' | 'resolve';
  readonly opsPerSec: number;
  readonly opsPerRound: number;
  readonly rounds: number;
}

const NAMES = 100;
const CTX: RunContext = { workspaceId: 'ws-bench', correlationId: 'run-bench', trigger: 'manual', userId: 'bench' };

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const must = <A>(e: E.Either<{ readonly _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`bench: ${JSON.stringify(e.left)}`);
  return e.right;
};

const timed = async (n: number, body: (i: number) => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await body(i);
  return n / ((performance.now() - t0) / 1000);
};

/** `ops` sets, gets and resolves per round (over 100 names), one warm-up round dropped. */
const measure = async (backend: string, storage: StoragePort, ops: number, rounds: number, crypto?: CryptoPrimitives): Promise<ServiceOpsRow[]> => {
  const masterKeys = JSON.stringify([{ kid: 'kek-bench', key: randomBytes(32).toString('hex'), active: true }]);
  const service: SecretsService = must(await openSecrets({ masterKeys, storage, ...(crypto === undefined ? {} : { crypto }) }));
  const value = `tok-${randomBytes(24).toString('base64url')}`;
  const results = { set: [] as number[], get: [] as number[], resolve: [] as number[] };
  for (let round = 0; round <= rounds; round++) {
    const set = await timed(ops, (i) => service.set(CTX, { name: `s${i % NAMES}`, value, scope: 'workspace' }));
    const refs: string[] = [];
    const get = await timed(ops, async (i) => refs.push(must(await service.get(CTX, { name: `s${i % NAMES}`, scope: 'workspace' })) as string));
    const resolve = await timed(ops, (i) => service.resolve(CTX, refs[i]!));
    if (round === 0) continue;
    results.set.push(set);
    results.get.push(get);
    results.resolve.push(resolve);
  }
  return (['set', 'get', 'resolve'] as const).map((op) => ({ backend, op, opsPerSec: Math.round(median(results[op])), opsPerRound: ops, rounds }));
};

export const runServiceOpsBench = async (options: { readonly rounds?: number; readonly scale?: number; readonly pgUrl?: string | null } = {}): Promise<ServiceOpsRow[]> => {
  const rounds = options.rounds ?? 5;
  const n = (x: number) => Math.max(NAMES, Math.round(x * (options.scale ?? 1)));
  const rows: ServiceOpsRow[] = [];
  rows.push(...(await measure('memory', memoryStorage(), n(3_000), rounds)));
  rows.push(...(await measure('memory, node:crypto adapter', memoryStorage(), n(3_000), rounds, nodeCryptoPrimitives)));
  const dir = mkdtempSync(join(tmpdir(), 'secretref-bench-'));
  try {
    const s = must(openSqliteStorage(join(dir, 'bench.db')));
    rows.push(...(await measure('sqlite (WAL, synchronous=FULL)', s, n(1_000), rounds)));
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = options.pgUrl === undefined ? (process.env['SECRETREF_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test') : options.pgUrl;
  if (url !== null) {
    const schema = `secretref_bench_${randomBytes(4).toString('hex')}`;
    const opened = await openPostgresStorage(url, { schema, connectTimeoutSeconds: 2 });
    if (E.isLeft(opened)) process.stderr.write(`service bench: PostgreSQL skipped (${opened.left.message})\n`);
    else {
      try {
        rows.push(...(await measure('postgresql', opened.right, n(600), rounds)));
      } finally {
        await opened.right.close();
        await dropBenchSchema(url, schema);
      }
    }
  }
  return rows;
};

export const machine = () => ({ cpus: availableParallelism(), node: process.version });

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await runServiceOpsBench(process.argv.includes('--smoke') ? { scale: 0.1, rounds: 2 } : {}));
}
