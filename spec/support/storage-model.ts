// Model-based test of a storage adapter: random write/remove/read/list/sweep/advance sequences, the pure core store as oracle.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { identityKey, type Scope, type SecretIdentity } from '../../src/core/scope.ts';
import * as store from '../../src/core/store.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';

const START = 1_700_000_000_000;

export interface StorageModel {
  state: store.StoreState;
  now: number;
}

/**
 * A small pool so sequences collide: two workspaces, both scopes, two owners, and names whose
 * UTF-16 order differs from their UTF-8 byte order ('😀' < '\uFFFD' < 'ｚ' in code units, not in bytes).
 */
const IDENTITIES: readonly SecretIdentity[] = [
  ...(
    [
      ['workspace', ''],
      ['user', 'alice'],
      ['user', 'Bob'],
    ] as const satisfies readonly (readonly [Scope, string])[]
  ).flatMap(([scope, ownerId]) => ['token', '😀', '\uFFFD'].map((name) => ({ workspaceId: 'ws-a', scope, ownerId, name }))),
  { workspaceId: 'ws-b', scope: 'workspace', ownerId: '', name: 'token' },
  { workspaceId: 'ws-b', scope: 'user', ownerId: 'alice', name: 'token' },
];

/** Every identity the model holds came from the pool, so its store key leads back to it. */
const POOL_BY_KEY = new Map(IDENTITIES.map((id) => [identityKey(id), id]));

/** Which identity a command touches: one from the pool, or the i-th one the model already holds (so reads find writes). */
type Target = { readonly pool: SecretIdentity } | { readonly held: number };
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.constantFrom(...IDENTITIES).map((pool) => ({ pool })),
  fc.nat().map((held) => ({ held })),
);
const identityIn = (m: StorageModel, t: Target): SecretIdentity => {
  if ('pool' in t) return t.pool;
  const keys = store.keysOf(m.state);
  if (keys.length === 0) return IDENTITIES[0]!;
  return POOL_BY_KEY.get(keys[t.held % keys.length]!)!;
};
const show = (t: Target) => ('pool' in t ? JSON.stringify(t.pool) : `held#${t.held}`);
/** Any well-formed text, quotes and backslashes included; NUL cannot live in a SQL text column and is not a payload. */
const payloadArb = fc.string({ unit: 'grapheme', maxLength: 24 }).map((s) => s.replace(/\0/g, ''));
const hostsArb = fc.option(fc.array(fc.constantFrom('api.example.com', 'x.test', 'bücher.test'), { minLength: 1, maxLength: 3 }), { nil: null });
/** Expiries near now, the boundary (0: expired on arrival) included often. */
const expiryArb = fc.option(fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: -3, max: 15 }), fc.integer({ min: 16, max: 400 })), { nil: null, freq: 2 });
const stampArb = fc.integer({ min: 0, max: 2 ** 48 });
/** How a write's expected version relates to the current one: right, stale, ahead, or right with a wrong next version. */
const modeArb = fc.constantFrom('current', 'current', 'current', 'current', 'behind', 'ahead', 'skip', 'same');
type Mode = 'current' | 'behind' | 'ahead' | 'skip' | 'same';

const noPayloadKey = (items: readonly object[]) => {
  for (const m of items) expect(Object.keys(m)).not.toContain('payload');
};

class WriteCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  constructor(
    readonly target: Target,
    readonly mode: Mode,
    readonly payload: string,
    readonly expiresIn: number | null,
    readonly hosts: readonly string[] | null,
    readonly createdAt: number,
    readonly updatedAt: number,
  ) {}
  check = () => true;
  async run(m: StorageModel, real: StoragePort) {
    const id = identityIn(m, this.target);
    const current = store.read(id, m.now)(m.state).version;
    const expected = this.mode === 'behind' ? current - 1 : this.mode === 'ahead' ? current + 1 : current;
    const version = this.mode === 'skip' ? expected + 2 : this.mode === 'same' ? expected : expected + 1;
    const secret: store.StoredSecret = {
      identity: id,
      version,
      payload: this.payload,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      expiresAt: this.expiresIn === null ? null : m.now + this.expiresIn,
      allowedHosts: this.hosts,
    };
    const next = store.write(secret, expected)(m.state);
    const got = await real.write(secret, expected);
    expect(got).toStrictEqual(E.isRight(next) ? E.right(undefined) : next);
    if (E.isRight(next)) m.state = next.right;
  }
  toString = () => `write(${show(this.target)}, ${this.mode}, expiresIn=${this.expiresIn})`;
}

class RemoveCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  constructor(readonly target: Target) {}
  check = () => true;
  async run(m: StorageModel, real: StoragePort) {
    const id = identityIn(m, this.target);
    const [next, r] = store.remove(id, m.now)(m.state);
    expect(await real.remove(id, m.now)).toStrictEqual(E.right(r));
    m.state = next;
  }
  toString = () => `remove(${show(this.target)})`;
}

class ReadCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  constructor(readonly target: Target) {}
  check = () => true;
  async run(m: StorageModel, real: StoragePort) {
    const id = identityIn(m, this.target);
    expect(await real.read(id, m.now)).toStrictEqual(E.right(store.read(id, m.now)(m.state)));
  }
  toString = () => `read(${show(this.target)})`;
}

class ListCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  constructor(readonly query: store.ListQuery) {}
  check = () => true;
  async run(m: StorageModel, real: StoragePort) {
    const got = await real.list(this.query, m.now);
    expect(got).toStrictEqual(E.right(store.list(this.query, m.now)(m.state)));
    if (E.isRight(got)) noPayloadKey(got.right);
  }
  toString = () => `list(${JSON.stringify(this.query)})`;
}

class SweepCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  check = () => true;
  async run(m: StorageModel, real: StoragePort) {
    const [next, n] = store.sweep(m.now)(m.state);
    expect(await real.sweep(m.now)).toStrictEqual(E.right(n));
    m.state = next;
  }
  toString = () => 'sweep';
}

class AdvanceCommand implements fc.AsyncCommand<StorageModel, StoragePort> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: StorageModel) {
    m.now += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

const queryArb: fc.Arbitrary<store.ListQuery> = fc.oneof(
  fc.record({ workspaceId: fc.constantFrom('ws-a', 'ws-a', 'ws-b', 'ws-none') }),
  fc.record({ workspaceId: fc.constantFrom('ws-a', 'ws-b'), scope: fc.constantFrom<Scope>('workspace', 'user') }),
  fc.record({ workspaceId: fc.constantFrom('ws-a', 'ws-b'), scope: fc.constant<Scope>('user'), ownerId: fc.constantFrom('alice', 'Bob', 'carol') }),
  fc.record({ workspaceId: fc.constant('ws-a'), ownerId: fc.constantFrom('', 'alice') }),
);

export const storageCommands = fc.commands(
  [
    fc
      .tuple(targetArb, modeArb, payloadArb, expiryArb, hostsArb, stampArb, stampArb)
      .map(([t, mode, p, e, h, c, u]) => new WriteCommand(t, mode as Mode, p, e, h, c, u)),
    fc
      .tuple(targetArb, payloadArb, expiryArb)
      .map(([t, p, e]) => new WriteCommand(t, 'current', p, e, null, START, START)),
    targetArb.map((t) => new RemoveCommand(t)),
    targetArb.map((t) => new ReadCommand(t)),
    targetArb.map((t) => new ReadCommand(t)),
    queryArb.map((q) => new ListCommand(q)),
    queryArb.map((q) => new ListCommand(q)),
    fc.constant(new SweepCommand()),
    fc.integer({ min: 0, max: 8 }).map((ms) => new AdvanceCommand(ms)),
  ],
  { maxCommands: 60, size: 'medium' },
);

/** Runs random sequences against storage made fresh for each sequence, comparing every answer with the pure store's. */
export const checkStorageAgainstModel = async (makeStorage: () => Promise<StoragePort>, numRuns: number): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(storageCommands, async (cmds) => {
      const storage = await makeStorage();
      try {
        const model: StorageModel = { state: store.emptyStore, now: START };
        await fc.asyncModelRun(() => ({ model, real: storage }), cmds);
      } finally {
        await storage.close();
      }
    }),
    { numRuns },
  );
};
