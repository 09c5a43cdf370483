// Reference resolution throughput inside fetch: references per second cold and warm, against the same walk with no crypto and no store, medians over rounds.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from '../src/core/json-value.ts';
import { parseKeySet } from '../src/core/key-config.ts';
import { distinctReferences, leftoverMarker, scanRequest, type RequestParts } from '../src/core/request-resolution.ts';
import { substituteRequest } from '../src/core/request-substitution.ts';
import type { RunContext } from '../src/core/run-context.ts';
import { manualClock } from '../src/effects/clock.ts';
import { makeKeyring } from '../src/effects/crypto/keyring.ts';
import { webCryptoPrimitives } from '../src/effects/crypto/webcrypto.ts';
import { memoryStorage } from '../src/effects/storage/memory.ts';
import { resolveRequest } from '../src/runtime/fetch-resolve.ts';
import { makeReferenceResolver, type ReferenceResolver } from '../src/runtime/reference-resolver.ts';
import type { RunEnv } from '../src/runtime/run-env.ts';
import { makeMasks } from '../src/runtime/boundary.ts';
import { openSecretsService, type SecretsService } from '../src/service/secrets-service.ts';

export interface ResolutionBenchRow {
  readonly mode: string;
  /** Median references resolved (and substituted) per second. */
  readonly refsPerSec: number;
  readonly requestsPerSec: number;
  readonly refsPerRequest: number;
  readonly requestsPerRound: number;
}

export interface ResolutionBenchResult {
  readonly machine: { readonly cpus: number; readonly node: string };
  readonly rounds: number;
  readonly rows: readonly ResolutionBenchRow[];
  /** Warm (per-run resolver) over the walk alone: the share of the ceiling the warm path reaches. */
  readonly warmOverWalk: number;
}

export interface ResolutionBenchOptions {
  /** Measured rounds per figure, after one warm-up round; default 7. */
  readonly rounds?: number;
  /** Distinct references per request; default 8. */
  readonly refsPerRequest?: number;
  /** Scales the request counts (0.1 for a smoke run); default 1. */
  readonly scale?: number;
}

const T0 = Date.UTC(2026, 0, 1);
const CTX: RunContext = { workspaceId: 'ws-bench', correlationId: 'run-bench', trigger: 'manual', userId: 'bench' };

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const must = <A>(e: E.Either<{ readonly _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`bench: ${e.left._tag}`);
  return e.right;
};

const hexKey = (): string => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');

/** A realistic request: references in a header, the query, inside body text and as whole body fields. */
const requestWith = (refs: readonly string[]): RequestParts => {
  const [a, b, c, ...rest] = refs;
  return {
    url: 'https://api.example.com/v1/items?page=2',
    method: 'POST',
    headers: [
      ['Authorization', `Bearer ${a}`],
      ['Accept', 'application/json'],
      ['X-Request-Id', 'req-0001'],
    ],
    query: [
      ['key', b!],
      ['fields', ['id', 'name', 'updatedAt']],
    ],
    body: {
      grant_type: 'client_credentials',
      client_secret: c!,
      note: `issued for ${a} and ${b}`,
      credentials: rest.map((r, i) => ({ slot: i, value: r })),
      meta: { source: 'bench', tags: ['x', 'y', 'z'], count: 3 },
    },
    auth: undefined,
  };
};

/** An env whose masks and output do nothing: the figure is resolution, not redaction. */
const quietEnv = (secrets: SecretsService): RunEnv => ({
  ctx: CTX,
  secrets,
  clock: { now: () => T0 },
  fetch: () => () => Promise.reject(new Error('the bench sends nothing')),
  // The runtime's real mask set: every resolution registers its value, as in a run.
  masks: makeMasks(),
  output: { emit: () => undefined, log: () => undefined },
});

/** Keeps results alive so no work is optimised away. */
let sink = 0;

/** Median requests/s over `rounds`; `round(i)` runs one round's requests and returns how many. */
const measure = async (rounds: number, round: (i: number) => Promise<number>): Promise<number> => {
  await round(-1);
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const n = await round(i);
    xs.push(n / ((performance.now() - t) / 1000));
  }
  return median(xs);
};

/** The walk with a ready map of values: scan, distinct, look up, substitute, check for leftovers. No crypto, no store. */
const walkOnly = (req: RequestParts, values: ReadonlyMap<string, JsonValue>): number => {
  const scan = scanRequest(req);
  const refs = distinctReferences(scan.sites);
  const found = new Map<string, JsonValue>();
  for (const r of refs) found.set(r.reference, values.get(r.reference)!);
  const out = must(substituteRequest(req, found, scan.spans));
  return (leftoverMarker(out) === undefined ? 1 : 0) + refs.length;
};

export const runResolutionBench = async (options: ResolutionBenchOptions = {}): Promise<ResolutionBenchResult> => {
  const rounds = options.rounds ?? 7;
  const k = Math.max(3, options.refsPerRequest ?? 8);
  const scale = options.scale ?? 1;
  const coldRequests = Math.max(5, Math.round(150 * scale));
  const warmRequests = Math.max(20, Math.round(20_000 * scale));
  const walkRequests = Math.max(20, Math.round(40_000 * scale));

  const clock = manualClock(T0);
  const storage = memoryStorage();
  const keyring = await makeKeyring(webCryptoPrimitives, {
    master: must(parseKeySet('SECRETS_MASTER_KEYS', JSON.stringify([{ kid: 'kek-bench', key: hexKey(), active: true }]))),
  });
  const service = must(await openSecretsService({ storage, keyring, clock }));
  const env = quietEnv(service);

  const values = Array.from({ length: k }, (_, i) => (i % 2 === 0 ? `tok-${hexKey()}` : { id: `client-${i}`, secret: hexKey() }));
  for (let i = 0; i < k; i++) must(await service.set(CTX, { name: `s${i}`, value: values[i], scope: 'workspace' }));
  const mint = async (): Promise<string[]> => {
    const refs: string[] = [];
    for (let i = 0; i < k; i++) refs.push(must(await service.get(CTX, { name: `s${i}`, scope: 'workspace' })) as string);
    return refs;
  };

  const resolveOnce = async (resolver: ReferenceResolver, req: RequestParts): Promise<void> => {
    const r = await resolveRequest(req, env, resolver, 'do[0]');
    sink ^= r.values.length;
  };

  // Walk only: the ceiling, with the same request shape.
  const fixed = await mint();
  const walkReq = requestWith(fixed);
  const valueMap = new Map<string, JsonValue>(fixed.map((r, i) => [r, values[i] as JsonValue]));
  const walk = await measure(rounds, async () => {
    for (let i = 0; i < walkRequests; i++) sink ^= walkOnly(walkReq, valueMap);
    return walkRequests;
  });

  // Cold: every reference is new and every request has a new resolver (nothing cached): open, read, decrypt.
  const coldBatches: RequestParts[][] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const batch: RequestParts[] = [];
    for (let i = 0; i < coldRequests; i++) batch.push(requestWith(await mint()));
    coldBatches.push(batch);
  }
  const cold = await measure(rounds, async (round) => {
    for (const req of coldBatches[round + 1]!) await resolveOnce(makeReferenceResolver(service, CTX), req);
    return coldRequests;
  });

  // Warm: one resolver for the run, the same references again (opened and decrypted once); the store is still read each time.
  const warmResolver = makeReferenceResolver(service, CTX);
  const warm = await measure(rounds, async () => {
    for (let i = 0; i < warmRequests; i++) await resolveOnce(warmResolver, walkReq);
    return warmRequests;
  });

  // No run cache: every resolution goes through service.resolve (open, read, decrypt).
  const plainResolver: ReferenceResolver = {
    resolve: async (reference) => {
      const r = await service.resolve(CTX, reference);
      return E.isLeft(r) ? E.left({ error: r.left }) : r;
    },
  };
  const plain = await measure(rounds, async () => {
    for (let i = 0; i < coldRequests; i++) await resolveOnce(plainResolver, walkReq);
    return coldRequests;
  });

  const row = (mode: string, rps: number, n: number): ResolutionBenchRow => ({
    mode,
    refsPerSec: Math.round(rps * k),
    requestsPerSec: Math.round(rps),
    refsPerRequest: k,
    requestsPerRound: n,
  });
  const rows = [
    row('walk only (no crypto, no store)', walk, walkRequests),
    row('cold (new references, new resolver)', cold, coldRequests),
    row('warm (same run, per-run resolver)', warm, warmRequests),
    row('same references, no run cache (service.resolve each time)', plain, coldRequests),
  ];
  if (sink === 0.5) console.log(sink);
  return { machine: { cpus: availableParallelism(), node: process.version }, rounds, rows, warmOverWalk: Math.round((warm / walk) * 1000) / 1000 };
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runResolutionBench(process.argv.includes('--smoke') ? { scale: 0.05, rounds: 3 } : {});
  console.table(result.rows);
  console.log(
    `${result.machine.cpus} CPUs, Node ${result.machine.node}; medians of ${result.rounds} rounds after a warm-up; warm / walk = ${result.warmOverWalk}; warm target >= 500000 refs/s: ${
      (result.rows[2]?.refsPerSec ?? 0) >= 500_000 ? 'met' : 'NOT met'
    }`,
  );
}
