// Model-based test of the secrets service: random set/get/delete/advance/resolve/list sequences against a deliberately simple model.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from '../../src/core/json-value.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import type { Scope } from '../../src/core/scope.ts';
import type { StoragePort } from '../../src/effects/storage/port.ts';
import { manualClock, type ManualClock } from '../../src/effects/clock.ts';
import { openSecrets } from '../../src/service/open.ts';
import type { CryptoPrimitives } from '../../src/effects/crypto/primitives.ts';
import type { SecretsService } from '../../src/service/secrets-service.ts';
import { masterKeysText } from './keys.ts';

const REF_TTL_MS = 300_000;
const START = 1_700_000_000_000;

/** Run contexts: two workspaces, runs with and without users, and two deliberately confusing ones. */
export const CONTEXTS: readonly RunContext[] = [
  { workspaceId: 'ws-a', correlationId: 'run-a1', trigger: 'manual', userId: 'alice' },
  { workspaceId: 'ws-a', correlationId: 'run-a2', trigger: 'endpoint', userId: 'bob' },
  { workspaceId: 'ws-a', correlationId: 'run-a3', trigger: 'schedule' },
  { workspaceId: 'ws-a', correlationId: 'run-a4', trigger: 'event' },
  { workspaceId: 'ws-b', correlationId: 'run-b1', trigger: 'event', userId: 'alice' },
  // Same correlationId as the first context, other workspace: the workspace binding must still hold.
  { workspaceId: 'ws-b', correlationId: 'run-a1', trigger: 'manual', userId: 'alice' },
  // Same workspace and run as the first, other user: only the user check stands between them.
  { workspaceId: 'ws-a', correlationId: 'run-a1', trigger: 'manual', userId: 'bob' },
];
const NAMES = ['apiKey', 'token', 'db'] as const;

interface ModelSecret {
  readonly value: JsonValue;
  readonly expiresAt: number | null;
}
interface ModelRef {
  readonly ref: string;
  readonly ctx: number;
  readonly key: string;
  readonly expiresAt: number;
}
export interface Model {
  now: number;
  readonly secrets: Map<string, ModelSecret>;
  readonly versions: Map<string, number>;
  readonly refs: ModelRef[];
}
export interface Real {
  readonly service: SecretsService;
  readonly clock: ManualClock;
  readonly storage: StoragePort;
}

const ownerOf = (c: RunContext, scope: Scope): string | undefined => (scope === 'user' ? c.userId : '');
const keyOf = (c: RunContext, scope: Scope, owner: string, name: string) => JSON.stringify([c.workspaceId, scope, owner, name]);
const live = (m: Model, key: string): ModelSecret | undefined => {
  const s = m.secrets.get(key);
  return s && (s.expiresAt === null || m.now < s.expiresAt) ? s : undefined;
};
const REFERENCE = /^\$secret:v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** After every command: versions in the store match the model's, and only grow. */
const checkVersion = async (m: Model, r: Real, c: RunContext, scope: Scope, owner: string, name: string) => {
  const read = await r.storage.read({ workspaceId: c.workspaceId, scope, ownerId: owner, name }, m.now);
  expect(E.isRight(read)).toBe(true);
  if (E.isRight(read)) expect(read.right.version).toBe(m.versions.get(keyOf(c, scope, owner, name)) ?? 0);
};

class SetCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ctx: number, readonly name: string, readonly scope: Scope, readonly value: JsonValue, readonly ttl: number | undefined) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = CONTEXTS[this.ctx]!;
    const params = { name: this.name, value: this.value, scope: this.scope, ...(this.ttl === undefined ? {} : { ttl: this.ttl }) };
    const out = await r.service.set(c, params);
    const owner = ownerOf(c, this.scope);
    if (owner === undefined) {
      expect(out).toEqual(E.right({ error: 'user_required' }));
      return;
    }
    expect(E.isRight(out) && typeof out.right === 'string' && REFERENCE.test(out.right)).toBe(true);
    const key = keyOf(c, this.scope, owner, this.name);
    const expiresAt = this.ttl === undefined ? null : m.now + Math.ceil(this.ttl * 1000);
    m.secrets.set(key, { value: this.value, expiresAt });
    m.versions.set(key, (m.versions.get(key) ?? 0) + 1);
    m.refs.push({ ref: (out as E.Right<string>).right, ctx: this.ctx, key, expiresAt: Math.min(m.now + REF_TTL_MS, expiresAt ?? Infinity) });
    await checkVersion(m, r, c, this.scope, owner, this.name);
  }
  toString = () => `set(ctx${this.ctx}, ${this.name}, ${this.scope}, ttl=${this.ttl})`;
}

class GetCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ctx: number, readonly name: string, readonly scope: Scope) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = CONTEXTS[this.ctx]!;
    const out = await r.service.get(c, { name: this.name, scope: this.scope });
    const owner = ownerOf(c, this.scope);
    if (owner === undefined) return void expect(out).toEqual(E.right({ error: 'user_required' }));
    const key = keyOf(c, this.scope, owner, this.name);
    const s = live(m, key);
    if (!s) return void expect(out).toEqual(E.right({ error: 'not_found' }));
    expect(E.isRight(out) && typeof out.right === 'string' && REFERENCE.test(out.right)).toBe(true);
    m.refs.push({ ref: (out as E.Right<string>).right, ctx: this.ctx, key, expiresAt: Math.min(m.now + REF_TTL_MS, s.expiresAt ?? Infinity) });
  }
  toString = () => `get(ctx${this.ctx}, ${this.name}, ${this.scope})`;
}

class DeleteCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ctx: number, readonly name: string, readonly scope: Scope) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = CONTEXTS[this.ctx]!;
    const out = await r.service.delete(c, { name: this.name, scope: this.scope });
    const owner = ownerOf(c, this.scope);
    if (owner === undefined) return void expect(out).toEqual(E.right({ error: 'user_required' }));
    const key = keyOf(c, this.scope, owner, this.name);
    if (!live(m, key)) {
      expect(out).toEqual(E.right({ error: 'not_found' }));
    } else {
      expect(out).toEqual(E.right({ deleted: true }));
      m.secrets.delete(key);
      m.versions.set(key, (m.versions.get(key) ?? 0) + 1);
    }
    await checkVersion(m, r, c, this.scope, owner, this.name);
  }
  toString = () => `delete(ctx${this.ctx}, ${this.name}, ${this.scope})`;
}

class AdvanceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    m.now += this.ms;
    r.clock.advance(this.ms);
  }
  toString = () => `advance(${this.ms}ms)`;
}

class ResolveCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly refIndex: number, readonly ctx: number) {}
  check = (m: Readonly<Model>) => m.refs.length > 0;
  async run(m: Model, r: Real) {
    const ref = m.refs[this.refIndex % m.refs.length]!;
    const minted = CONTEXTS[ref.ctx]!;
    const c = CONTEXTS[this.ctx]!;
    const out = await r.service.resolve(c, ref.ref);
    const [, scope, owner] = JSON.parse(ref.key) as [string, Scope, string, string];
    const expected =
      c.workspaceId !== minted.workspaceId
        ? 'other_workspace'
        : c.correlationId !== minted.correlationId
          ? 'other_run'
          : m.now >= ref.expiresAt
            ? 'expired'
            : scope === 'user' && owner !== c.userId
              ? 'user_mismatch'
              : live(m, ref.key) === undefined
                ? 'not_found'
                : 'ok';
    if (expected === 'ok') {
      expect(E.isRight(out)).toBe(true);
      if (E.isRight(out)) expect(out.right.value).toEqual(live(m, ref.key)!.value);
    } else {
      expect(E.isLeft(out) ? out.left.code : 'resolved').toBe(expected);
    }
  }
  toString = () => `resolve(ref#${this.refIndex}, ctx${this.ctx})`;
}

/** list shows exactly what the context may read: its workspace's shared secrets and its own user's, live, never a value. */
class ListCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ctx: number, readonly scope: Scope | undefined) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const c = CONTEXTS[this.ctx]!;
    const out = await r.service.list(c, this.scope === undefined ? {} : { scope: this.scope });
    expect(E.isRight(out)).toBe(true);
    if (E.isLeft(out)) return;
    const expected = [...m.secrets.keys()]
      .filter((key) => live(m, key) !== undefined)
      .map((key) => JSON.parse(key) as [string, Scope, string, string])
      .filter(([ws, scope, owner]) => ws === c.workspaceId && (this.scope === undefined || scope === this.scope) && (scope === 'workspace' || owner === c.userId))
      .map(([, scope, owner, name]) => `${scope}/${owner}/${name}`)
      .sort();
    expect(out.right.map((x) => `${x.identity.scope}/${x.identity.ownerId}/${x.identity.name}`).sort()).toEqual(expected);
    for (const x of out.right) expect(x.version).toBe(m.versions.get(keyOf(c, x.identity.scope, x.identity.ownerId, x.identity.name)));
    for (const x of out.right) expect(Object.keys(x)).not.toContain('payload');
  }
  toString = () => `list(ctx${this.ctx}, ${this.scope ?? 'any scope'})`;
}

const ctxArb = fc.integer({ min: 0, max: CONTEXTS.length - 1 });
const nameArb = fc.constantFrom(...NAMES);
const scopeArb = fc.constantFrom<Scope>('workspace', 'user');
const ttlArb = fc.option(fc.constantFrom(0.001, 1, 5, 60, 299.5, 300, 301, 3600), { nil: undefined });
const valueArb: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
);
const advanceArb = fc.oneof(fc.constantFrom(1, 999, 1000, 299_999, 300_000, 3_600_000), fc.integer({ min: 0, max: 400_000 }));

export const serviceCommands = fc.commands(
  [
    fc.tuple(ctxArb, nameArb, scopeArb, valueArb, ttlArb).map(([c, n, s, v, t]) => new SetCommand(c, n, s, v, t)),
    fc.tuple(ctxArb, nameArb, scopeArb).map(([c, n, s]) => new GetCommand(c, n, s)),
    fc.tuple(ctxArb, nameArb, scopeArb).map(([c, n, s]) => new DeleteCommand(c, n, s)),
    advanceArb.map((ms) => new AdvanceCommand(ms)),
    fc.tuple(fc.nat(), ctxArb).map(([i, c]) => new ResolveCommand(i, c)),
    fc.tuple(fc.nat(), ctxArb).map(([i, c]) => new ResolveCommand(i, c)),
    fc.tuple(ctxArb, fc.option(scopeArb, { nil: undefined })).map(([c, s]) => new ListCommand(c, s)),
  ],
  { maxCommands: 40 },
);

/** How many sequences a run checks: 1,000 by default, more with SECRETREF_MODEL_RUNS. */
export const modelRuns = (fallback = 1000): number => {
  const n = Number(process.env['SECRETREF_MODEL_RUNS'] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** Runs the model against a service on storage made fresh for each sequence. */
export const checkServiceAgainstModel = async (
  makeStorage: () => Promise<StoragePort>,
  numRuns: number,
  masterKeys = masterKeysText(),
  crypto?: CryptoPrimitives,
): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(serviceCommands, async (cmds) => {
      const storage = await makeStorage();
      try {
        const clock = manualClock(START);
        const opened = await openSecrets({ masterKeys, storage, clock, ...(crypto === undefined ? {} : { crypto }) });
        if (E.isLeft(opened)) throw new Error(`service did not open: ${opened.left.code}`);
        const model: Model = { now: START, secrets: new Map(), versions: new Map(), refs: [] };
        await fc.asyncModelRun(() => ({ model, real: { service: opened.right, clock, storage } }), cmds);
      } finally {
        await storage.close();
      }
    }),
    { numRuns },
  );
};
