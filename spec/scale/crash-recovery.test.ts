// Faults: a process writing a stream of acknowledged writes is killed with SIGKILL mid-stream; the store then opens,
// passes an integrity check and holds every acknowledged write. Three kills in a row on the same store, for SQLite and
// PostgreSQL, so the store is also shown to carry on from where each crash left it.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json-value.ts';
import { openSecrets } from '../../src/service/open.ts';
import { masterKeysText } from '../support/keys.ts';
import {
  CRASH_WORKSPACE,
  crashNames,
  killQuietly,
  messageOf,
  openStoreSpec,
  spawnChild,
  supportScript,
  type Line,
  type StoreSpec,
} from '../support/scale-stores.ts';
import { adminSql, pgFixture, pgTarget } from '../support/storage-pg.ts';
import { rawRowsOfPostgres } from '../support/storage-raw.ts';

const LANES = 4;
const ROUNDS = 3;
const WRITER = supportScript('scale-writer-worker.ts');
const NAMES = crashNames(LANES);

interface State {
  readonly version: number;
  readonly value: JsonValue | undefined;
}

interface Round {
  readonly acks: number;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** 'ok' or what the integrity check reported. */
  readonly integrity: string;
  /** Stored live rows, and how many of them decrypted through the service. */
  readonly liveRows: number;
  readonly decrypted: number;
  /** Acknowledged writes missing or altered, and acknowledgements whose versions do not continue the previous state. */
  readonly durability: string[];
  readonly sequence: string[];
}

type Ack = Line & { op: 'set' | 'delete'; name: string; id: string; version: number };
type Intent = Line & { op: 'set' | 'delete'; name: string; id: string; value?: JsonValue };

interface StoreUnderTest {
  readonly spec: StoreSpec;
  /** A store-level integrity check on the store as the crash left it: 'ok' or the problems found. */
  readonly integrity: () => Promise<string>;
  /** How many rows hold a live payload, counted without the service. */
  readonly liveRows: () => Promise<number>;
}

/** Starts a writer, waits for some acknowledgements, kills it with SIGKILL and returns everything it printed. */
const killMidStream = async (spec: StoreSpec, masterKeys: string, round: number) => {
  const child = spawnChild(WRITER, [JSON.stringify(spec), String(round), String(LANES), String(randomInt(2 ** 31))], {
    SECRETS_MASTER_KEYS: masterKeys,
  });
  try {
    const after = 20 + randomInt(40);
    await child.waitFor(() => child.lines.filter((l) => l.t === 'ack').length >= after);
    child.proc.kill('SIGKILL');
    const exit = await child.exited;
    return { lines: child.lines, signal: exit.signal, stderr: exit.stderr };
  } finally {
    killQuietly(child);
  }
};

/** What the store holds for each name now, read through a fresh service. */
const readBack = async (spec: StoreSpec, masterKeys: string) => {
  const storage = await openStoreSpec(spec);
  try {
    const opened = await openSecrets({ masterKeys, storage });
    if (E.isLeft(opened)) throw new Error(`the service did not open after the crash: ${messageOf(opened.left)}`);
    const service = opened.right;
    const ctx = { workspaceId: CRASH_WORKSPACE, correlationId: 'run-check', trigger: 'manual' } as const;
    const states = new Map<string, State>();
    let decrypted = 0;
    const listed = await service.list(ctx);
    if (E.isLeft(listed)) throw new Error(`list failed after the crash: ${messageOf(listed.left)}`);
    for (const name of NAMES) {
      const read = await storage.read({ workspaceId: CRASH_WORKSPACE, scope: 'workspace', ownerId: '', name }, Date.now());
      if (E.isLeft(read)) throw new Error(`read of ${name} failed after the crash`);
      let value: JsonValue | undefined;
      const got = await service.get(ctx, { name, scope: 'workspace' });
      if (E.isRight(got) && typeof got.right === 'string') {
        const r = await service.resolve(ctx, got.right);
        if (E.isRight(r)) {
          value = r.right.value;
          decrypted++;
        }
      }
      states.set(name, { version: read.right.version, value });
    }
    return { states, listed: listed.right.length, decrypted };
  } finally {
    await storage.close();
  }
};

const stateOf = (intents: Intent[], ack: { op: string; id: string; version: number }): State => ({
  version: ack.version,
  value: ack.op === 'set' ? intents.find((i) => i.id === ack.id)?.value : undefined,
});

const runRounds = async (store: StoreUnderTest): Promise<Round[]> => {
  const masterKeys = masterKeysText();
  let known = new Map<string, State>(NAMES.map((n) => [n, { version: 0, value: undefined }]));
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { lines, signal, stderr } = await killMidStream(store.spec, masterKeys, round);
    const integrity = await store.integrity();
    const back = await readBack(store.spec, masterKeys);
    const durability: string[] = [];
    const sequence: string[] = [];
    for (const name of NAMES) {
      const intents = lines.filter((l): l is Intent => l.t === 'intent' && l['name'] === name);
      const acks = lines.filter((l): l is Ack => l.t === 'ack' && l['name'] === name);
      const before = known.get(name)!;
      // One writer per name: its acknowledged versions continue exactly from what the store held before this round.
      acks.forEach((a, i) => a.version !== before.version + i + 1 && sequence.push(`${name}: acknowledgement #${i} at version ${a.version} after ${before.version}`));
      const last = acks.at(-1);
      const base = last === undefined ? before : stateOf(intents, last);
      const pending = intents.slice(last === undefined ? 0 : intents.findIndex((i) => i.id === last.id) + 1);
      const now = back.states.get(name)!;
      const same = (s: State) => now.version === s.version && isDeepStrictEqual(now.value, s.value);
      // The store holds the last acknowledged write, or the one write that was in flight when the process died.
      const inFlight = pending.length === 1 && same(stateOf(intents, { op: pending[0]!.op, id: pending[0]!.id, version: base.version + 1 }));
      if (now.version < base.version) durability.push(`${name}: version ${now.version} is below the acknowledged ${base.version}`);
      else if (!same(base) && !inFlight) durability.push(`${name}: holds neither the last acknowledged write (version ${base.version}) nor the one in flight`);
      if (pending.length > 1) durability.push(`${name}: ${pending.length} unacknowledged intents (expected at most one in flight)`);
    }
    rounds.push({
      acks: lines.filter((l) => l.t === 'ack').length,
      signal,
      stderr,
      integrity,
      liveRows: await store.liveRows(),
      decrypted: back.decrypted,
      durability,
      sequence,
    });
    known = back.states;
    if (back.listed !== back.decrypted) rounds[rounds.length - 1]!.durability.push(`${back.listed} live secrets listed, ${back.decrypted} decrypted`);
  }
  return rounds;
};

const crashSuite = (label: string, make: () => StoreUnderTest, cleanup: () => Promise<void>) =>
  describe(`a writer killed with SIGKILL mid-stream, ${ROUNDS} times, on one ${label} store`, () => {
    let rounds: Round[];
    beforeAll(async () => {
      rounds = await runRounds(make());
    }, 120_000);
    afterAll(cleanup, 60_000);

    it('dies by the signal each time, after acknowledging writes (not by an error of its own)', () => {
      expect(rounds.map((r) => r.signal), rounds.map((r) => r.stderr).join('\n')).toEqual(rounds.map(() => 'SIGKILL'));
      for (const r of rounds) expect(r.acks).toBeGreaterThanOrEqual(20);
    });

    it('leaves a store that passes its integrity check', () => {
      expect(rounds.map((r) => r.integrity)).toEqual(rounds.map(() => 'ok'));
    });

    it('leaves a store whose every live row decrypts through the service', () => {
      expect(rounds.every((r) => r.liveRows > 0)).toBe(true);
      expect(rounds.map((r) => r.decrypted)).toEqual(rounds.map((r) => r.liveRows));
    });

    it('holds every acknowledged write: each name at its last acknowledged version and value, or one in-flight write beyond it', () => {
      expect(rounds.flatMap((r, i) => r.durability.map((d) => `round ${i}: ${d}`))).toEqual([]);
    });

    it('takes writes again after each crash, with versions continuing exactly where the crash left them', () => {
      expect(rounds.flatMap((r, i) => r.sequence.map((d) => `round ${i}: ${d}`))).toEqual([]);
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'secretref-crash-'));
const sqlitePath = join(dir, 'store', 'secrets.db');
crashSuite(
  'SQLite',
  () => ({
    spec: { kind: 'sqlite', path: sqlitePath },
    integrity: async () => {
      // better-sqlite3 directly, on the files exactly as the killed process left them (the open replays the WAL).
      const db = new Database(sqlitePath);
      try {
        return String(db.pragma('integrity_check', { simple: true }));
      } finally {
        db.close();
      }
    },
    liveRows: async () => {
      const db = new Database(sqlitePath, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM secrets WHERE payload IS NOT NULL').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  }),
  async () => rmSync(dir, { recursive: true, force: true }),
);

const target = await pgTarget();
if (target.url === undefined) console.warn(target.reason);
const fx = target.url === undefined ? undefined : pgFixture(target.url);
describe.skipIf(fx === undefined)('PostgreSQL', () => {
  const admin = target.url === undefined ? undefined : adminSql(target.url);
  crashSuite(
    'PostgreSQL',
    () => {
      const schema = fx!.freshSchema();
      const count = async () => {
        const [r] = await admin!<{ n: string }[]>`SELECT count(*)::text AS n FROM ${admin!(`${schema}.secrets`)} WHERE payload IS NOT NULL`;
        return Number(r!.n);
      };
      return {
        spec: { kind: 'postgres', url: target.url!, schema },
        // After the kill, first wait until no statement of the dead process is still running on the schema (a statement the
        // server had already received may still commit); then every table must scan in full. The decrypt-every-row check
        // is the integrity check that matters for PostgreSQL.
        integrity: async () => {
          for (let i = 0; ; i++) {
            const [r] = await admin!<{ n: string }[]>`
              SELECT count(*)::text AS n FROM pg_stat_activity
              WHERE pid <> pg_backend_pid() AND state = 'active' AND position(${schema} in query) > 0`;
            if (r!.n === '0') break;
            if (i >= 100) return `${r!.n} statements still running on the schema after 5 s`;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await rawRowsOfPostgres(admin!, schema);
          return 'ok';
        },
        liveRows: count,
      };
    },
    async () => {
      await admin?.end({ timeout: 5 });
      await fx!.cleanup();
    },
  );
});
