// Many nodes on one store: four Node processes with the same master keys race set / get / delete / list / resolve on a few
// shared names, and a reference minted in one process is resolved in another. Afterwards no acknowledged write is lost or
// applied twice, versions only grow, and every read returned a value some process wrote.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json-value.ts';
import { openSecrets } from '../../src/service/open.ts';
import { masterKeysText } from '../support/keys.ts';
import {
  HANDOFF_NAME,
  SCALE_WORKSPACE,
  SHARED_NAMES,
  killQuietly,
  messageOf,
  openStoreSpec,
  spawnChild,
  supportScript,
  type Child,
  type Line,
  type StoreSpec,
} from '../support/scale-stores.ts';
import { pgFixture, pgTarget } from '../support/storage-pg.ts';

const PROCESSES = 4;
const OPERATIONS = 150;
const WORKER = supportScript('scale-node-worker.ts');

type Ev =
  | { k: 'set'; seq: number; name: string; id: string; version: number; value: JsonValue }
  | { k: 'delete'; seq: number; name: string; version: number }
  | { k: 'read'; seq: number; name: string; version?: number; value?: JsonValue; notFound?: true }
  | { k: 'list'; seq: number; versions: Record<string, number> }
  | { k: 'error'; seq: number; op: string; message: string };

interface Outcome {
  readonly seed: number;
  /** Each process's events, in the order it observed them. */
  readonly events: Ev[][];
  readonly exits: { code: number | null; stderr: string }[];
  readonly minted: Line;
  readonly resolved: Line;
  /** What a fresh process sees afterwards, per shared name: the stored version and the live value (or none). */
  readonly final: Map<string, { version: number; value: JsonValue | undefined }>;
}

const runNodes = async (spec: StoreSpec): Promise<Outcome> => {
  const masterKeys = masterKeysText();
  const seed = randomInt(2 ** 31);
  const children: Child[] = Array.from({ length: PROCESSES }, (_, i) =>
    spawnChild(WORKER, [JSON.stringify(spec), String(i), String(OPERATIONS), String(seed + i)], { SECRETS_MASTER_KEYS: masterKeys }),
  );
  try {
    await Promise.all(children.map((c) => c.waitFor((l) => l.t === 'ready')));
    for (const c of children) c.send({ t: 'go' });
    // The hand-off happens while all four are busy: process 0 mints, process 1 resolves in the same run.
    children[0]!.send({ t: 'mint' });
    const minted = await children[0]!.waitFor((l) => l.t === 'minted');
    children[1]!.send({ t: 'resolve', ref: minted['ref'] });
    const resolved = await children[1]!.waitFor((l) => l.t === 'resolved');
    for (const c of children) c.proc.stdin!.end();
    const exits = await Promise.all(children.map((c) => c.exited));
    const events = children.map((c) => c.lines.filter((l) => l.t === 'ev') as unknown as Ev[]);

    const storage = await openStoreSpec(spec);
    const final = new Map<string, { version: number; value: JsonValue | undefined }>();
    try {
      const opened = await openSecrets({ masterKeys, storage });
      if (E.isLeft(opened)) throw new Error(`the service did not open afterwards: ${messageOf(opened.left)}`);
      const ctx = { workspaceId: SCALE_WORKSPACE, correlationId: 'run-final', trigger: 'manual' } as const;
      for (const name of [...SHARED_NAMES, HANDOFF_NAME]) {
        const read = await storage.read({ workspaceId: SCALE_WORKSPACE, scope: 'workspace', ownerId: '', name }, Date.now());
        if (E.isLeft(read)) throw new Error(`read of ${name} failed afterwards`);
        const got = await opened.right.get(ctx, { name, scope: 'workspace' });
        let value: JsonValue | undefined;
        if (E.isRight(got) && typeof got.right === 'string') {
          const r = await opened.right.resolve(ctx, got.right);
          if (E.isLeft(r)) throw new Error(`resolving ${name} afterwards failed: ${r.left.code}`);
          value = r.right.value;
        }
        final.set(name, { version: read.right.version, value });
      }
    } finally {
      await storage.close();
    }
    return { seed, events, exits, minted, resolved, final };
  } finally {
    children.forEach(killQuietly);
  }
};

const acknowledged = (o: Outcome) =>
  o.events.flatMap((evs, p) => evs.filter((e): e is Extract<Ev, { k: 'set' | 'delete' }> => e.k === 'set' || e.k === 'delete').map((e) => ({ ...e, p })));

const manyNodes = (label: string, makeSpec: () => StoreSpec, cleanup: () => Promise<void>) =>
  describe(`${PROCESSES} processes sharing one ${label} store`, () => {
    let o: Outcome;
    beforeAll(async () => {
      o = await runNodes(makeSpec());
    }, 120_000);
    afterAll(cleanup, 60_000);

    it('every process finishes cleanly, with no operation failing', () => {
      expect(o.exits.map((x) => x.code), `seed ${o.seed}: ${o.exits.map((x) => x.stderr).join('\n')}`).toEqual(o.exits.map(() => 0));
      const errors = o.events.flatMap((evs, p) => evs.filter((e) => e.k === 'error').map((e) => `process ${p} op #${e.seq} ${(e as { op: string }).op}: ${(e as { message: string }).message}`));
      expect(errors, `seed ${o.seed}`).toEqual([]);
      // The run really was concurrent and mixed: every kind of operation happened, on every shared name.
      const kinds = new Set(o.events.flat().map((e) => e.k));
      expect([...kinds].sort()).toEqual(['delete', 'list', 'read', 'set']);
      expect(new Set(acknowledged(o).map((a) => a.name))).toEqual(new Set([...SHARED_NAMES, HANDOFF_NAME]));
    });

    it('every acknowledged version of a name was taken by exactly one write: versions 1..n, none reused, none skipped', () => {
      const problems: string[] = [];
      for (const name of [...SHARED_NAMES, HANDOFF_NAME]) {
        const versions = acknowledged(o)
          .filter((a) => a.name === name)
          .map((a) => a.version)
          .sort((a, b) => a - b);
        const expected = versions.map((_, i) => i + 1);
        if (!isDeepStrictEqual(versions, expected)) problems.push(`${name}: acknowledged versions ${versions.join(',')}`);
      }
      expect(problems, `seed ${o.seed}`).toEqual([]);
    });

    it('no acknowledged write is lost: each name ends at its last acknowledged write or delete, in version order', () => {
      const problems: string[] = [];
      for (const name of [...SHARED_NAMES, HANDOFF_NAME]) {
        const acks = acknowledged(o).filter((a) => a.name === name);
        const last = acks.reduce((a, b) => (b.version > a.version ? b : a));
        const f = o.final.get(name)!;
        if (f.version !== last.version) problems.push(`${name}: stored version ${f.version}, last acknowledged ${last.version}`);
        if (last.k === 'set' && (f.value === undefined || !isDeepStrictEqual(f.value, last.value)))
          problems.push(`${name}: does not hold the value of the last acknowledged set (process ${last.p} op #${last.seq})`);
        if (last.k === 'delete' && f.value !== undefined) problems.push(`${name}: holds a value after the last acknowledged delete`);
      }
      expect(problems, `seed ${o.seed}`).toEqual([]);
    });

    it('every read returned exactly the value some process wrote at that version, or not_found; never anything else', () => {
      const written = new Map(acknowledged(o).filter((a) => a.k === 'set').map((a) => [`${a.name}@${a.version}`, a]));
      const problems: string[] = [];
      let reads = 0;
      o.events.forEach((evs, p) =>
        evs.forEach((e) => {
          if (e.k !== 'read' || e.notFound) return;
          reads++;
          const w = written.get(`${e.name}@${e.version}`);
          if (!w) problems.push(`process ${p} op #${e.seq}: read ${e.name} at version ${e.version}, which no acknowledged set wrote`);
          else if (!isDeepStrictEqual(w.value, e.value)) problems.push(`process ${p} op #${e.seq}: read ${e.name}@${e.version} with a value other than the one written`);
        }),
      );
      expect(reads).toBeGreaterThan(0);
      expect(problems, `seed ${o.seed}`).toEqual([]);
    });

    it("versions only grow in each process's own observations (writes, reads and lists)", () => {
      const problems: string[] = [];
      o.events.forEach((evs, p) => {
        const seen = new Map<string, number>();
        const observe = (name: string, v: number, seq: number) => {
          if (v < (seen.get(name) ?? 0)) problems.push(`process ${p} op #${seq}: ${name} at version ${v} after ${seen.get(name)}`);
          seen.set(name, Math.max(v, seen.get(name) ?? 0));
        };
        for (const e of evs) {
          if (e.k === 'set' || e.k === 'delete' || (e.k === 'read' && e.version !== undefined)) observe(e.name, e.version!, e.seq);
          if (e.k === 'list') for (const [name, v] of Object.entries(e.versions)) observe(name, v, e.seq);
        }
      });
      expect(problems, `seed ${o.seed}`).toEqual([]);
    });

    it('a reference minted in one process resolves in another process of the same run, and not from another run or workspace', () => {
      expect(o.minted['ok']).toBe(true);
      expect(o.resolved['code']).toBe('resolved');
      expect(isDeepStrictEqual(o.resolved['value'], o.minted['value'])).toBe(true);
      expect(o.resolved['otherRun']).toBe('other_run');
      expect(o.resolved['otherWorkspace']).toBe('other_workspace');
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'secretref-nodes-'));
manyNodes('SQLite', () => ({ kind: 'sqlite', path: join(dir, 'shared', 'secrets.db') }), async () => rmSync(dir, { recursive: true, force: true }));

const target = await pgTarget();
if (target.url === undefined) console.warn(target.reason);
const fx = target.url === undefined ? undefined : pgFixture(target.url);
describe.skipIf(fx === undefined)('PostgreSQL', () => {
  manyNodes('PostgreSQL', () => ({ kind: 'postgres', url: target.url!, schema: fx!.freshSchema() }), () => fx!.cleanup());
});
