// The per-run resolver: correct cold, cached warm, and a delete, an expiry or a new version takes effect at the next resolution.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it, vi } from 'vitest';
import { errorMessage } from '../../src/core/errors.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import { makeReferenceResolver, type ResolutionFailure } from '../../src/runtime/reference-resolver.ts';
import type { SecretsService } from '../../src/service/secrets-service.ts';
import { generated } from '../support/msw-env.ts';
import { ctx, openHarness, right, type Harness } from '../support/service.ts';

/** The harness service with a counting resolve (every call decrypts). */
const counted = (s: SecretsService) => {
  const resolve = vi.fn(s.resolve);
  return { service: { ...s, resolve } as SecretsService, resolve };
};

const setRef = async (h: Harness, name: string, value: unknown, c: RunContext = ctx(), extra: Record<string, unknown> = {}) =>
  right(await h.service.set(c, { name, value, scope: 'workspace', ...extra })) as string;

const failureOf = (r: E.Either<ResolutionFailure, unknown>): ResolutionFailure => {
  if (E.isRight(r)) throw new Error('expected a failure');
  return r.left;
};

const resolved = <A>(r: E.Either<ResolutionFailure, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected a value, got ${r.left.error.code}`);
  return r.right;
};

describe('reference resolver', () => {
  const make = async () => {
    const h = await openHarness();
    const { service, resolve } = counted(h.service);
    const resolver = makeReferenceResolver(service, ctx());
    return { h, resolver, resolve };
  };

  it('resolves a reference to the stored value, identity, version and allow-list', async () => {
    const { h, resolver } = await make();
    const value = { token: generated() };
    const ref = await setRef(h, 'apiKey', value, ctx(), { allowedHosts: ['api.example.com'] });
    const r = resolved(await resolver.resolve(ref));
    expect(r.value).toEqual(value);
    expect(r.identity.name).toBe('apiKey');
    expect(r.version).toBe(1);
    expect(r.allowedHosts).toEqual(['api.example.com']);
  });

  it('a delete revokes a reference at its next resolution, even one resolved before in this run', async () => {
    const { h, resolver } = await make();
    const ref = await setRef(h, 'apiKey', generated());
    expect(E.isRight(await resolver.resolve(ref))).toBe(true);
    right(await h.service.delete(ctx(), { name: 'apiKey', scope: 'workspace' }));
    const f = failureOf(await resolver.resolve(ref));
    expect(f.error.code).toBe('not_found');
    expect(f.name).toBe('apiKey');
  });

  it('the secret\'s own expiry revokes at once, even for a value already decrypted', async () => {
    const { h, resolver } = await make();
    const ref = await setRef(h, 'shortLived', generated(), ctx(), { ttl: 10 });
    expect(E.isRight(await resolver.resolve(ref))).toBe(true);
    h.clock.advance(10_000);
    expect(failureOf(await resolver.resolve(ref)).error.code).toMatch(/^(expired|not_found)$/);
  });

  it('a reference stops opening after its own lifetime', async () => {
    const { h, resolver } = await make();
    const ref = await setRef(h, 'apiKey', generated());
    expect(E.isRight(await resolver.resolve(ref))).toBe(true);
    h.clock.advance(300_000);
    const f = failureOf(await resolver.resolve(ref));
    expect(f.error.code).toBe('expired');
    expect(f.name).toBe('apiKey');
  });

  it('a new value (set) is what the next resolution returns', async () => {
    const { h, resolver } = await make();
    const first = generated();
    const second = generated();
    const ref = await setRef(h, 'apiKey', first);
    expect(resolved(await resolver.resolve(ref)).value).toBe(first);
    await setRef(h, 'apiKey', second);
    const r = resolved(await resolver.resolve(ref));
    expect(r.value).toBe(second);
    expect(r.version).toBe(2);
  });

  it('a reference from another run or workspace, or altered, does not resolve', async () => {
    const { h, resolver } = await make();
    const otherRun = await setRef(h, 'a', generated(), ctx({ correlationId: 'run-2' }));
    const otherWs = await setRef(h, 'b', generated(), ctx({ workspaceId: 'ws-2' }));
    const good = await setRef(h, 'c', generated());
    const tampered = good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA');
    expect(failureOf(await resolver.resolve(otherRun)).error.code).toBe('other_run');
    expect(failureOf(await resolver.resolve(otherWs)).error.code).toBe('other_workspace');
    const t = failureOf(await resolver.resolve(tampered));
    expect(t.error.code).toBe('tampered');
    expect(t.name).toBeUndefined();
  });

  it('a user-scope reference does not resolve for another user of the same run', async () => {
    const { h } = await make();
    const ref = right(await h.service.set(ctx(), { name: 'mine', value: generated(), scope: 'user' })) as string;
    const bob = makeReferenceResolver(h.service, ctx({ userId: 'bob' }));
    const f = failureOf(await bob.resolve(ref));
    expect(f.error.code).toBe('user_mismatch');
    expect(f.name).toBe('mine');
  });

  it('failure messages name the reason and never the value', async () => {
    const { h, resolver } = await make();
    const value = generated();
    const ref = await setRef(h, 'apiKey', value);
    h.clock.advance(301_000);
    const f = failureOf(await resolver.resolve(ref));
    const message = f.error._tag === 'ResolveFailure' ? f.error.message : errorMessage(f.error);
    expect(message).toContain('expired');
    expect(message).toContain('"apiKey"');
    expect(message).not.toContain(value);
  });
});

describe('reference resolver, warm path', () => {
  it('decrypts each (secret, version) once per run: a repeated reference and a fresh reference to it reuse the value', async () => {
    const h = await openHarness();
    const { service, resolve } = counted(h.service);
    const resolver = makeReferenceResolver(service, ctx());
    const ref = await setRef(h, 'apiKey', generated());
    for (let i = 0; i < 5; i++) expect(E.isRight(await resolver.resolve(ref))).toBe(true);
    const again = right(await h.service.get(ctx(), { name: 'apiKey', scope: 'workspace' })) as string;
    expect(again).not.toBe(ref);
    expect(E.isRight(await resolver.resolve(again))).toBe(true);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('still reads the store on every resolution', async () => {
    const h = await openHarness();
    const read = vi.spyOn(h.storage, 'read');
    const resolver = makeReferenceResolver(h.service, ctx());
    const ref = await setRef(h, 'apiKey', generated());
    read.mockClear();
    for (let i = 0; i < 3; i++) await resolver.resolve(ref);
    expect(read.mock.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('the service\'s peek refuses claims it did not open itself', async () => {
    const h = await openHarness();
    const ref = await setRef(h, 'apiKey', generated());
    const opened = right(await h.service.openReference(ctx(), ref));
    expect(E.isRight(await h.service.peek(ctx(), opened))).toBe(true);
    const forged = { identity: { ...opened.identity }, expiresAt: opened.expiresAt };
    expect(await h.service.peek(ctx(), forged)).toMatchObject({ left: { code: 'tampered' } });
  });

  it('an invalid run context fails every resolution', async () => {
    const h = await openHarness();
    const resolver = makeReferenceResolver(h.service, { workspaceId: '', correlationId: 'r', trigger: 'manual' });
    expect(failureOf(await resolver.resolve('$secret:v1.k.AAAA')).error.code).toBe('invalid_parameter');
  });
});
