// References through the service: lifetime, revocation by delete and expiry, updates, and who may resolve them.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { openSecrets } from '../../src/service/open.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import { masterKeysText } from '../support/keys.ts';
import { ctx, openHarness, right, scheduleCtx, type Harness } from '../support/service.ts';

const secretText = () => `s-${crypto.randomUUID()}`;

/** The failure code of a resolution that must fail; the whole failure is checked not to carry the value. */
const failure = async (h: Harness, c: RunContext, ref: string, value: string): Promise<string> => {
  const r = await h.service.resolve(c, ref);
  if (E.isRight(r)) throw new Error('expected the reference not to resolve');
  expect(JSON.stringify(r.left).includes(value), 'the failure carries the value').toBe(false);
  return r.left.code;
};

const resolvedValue = async (h: Harness, c: RunContext, ref: string) => right(await h.service.resolve(c, ref)).value;

const setRef = async (h: Harness, params: Record<string, unknown>, c: RunContext = ctx()): Promise<string> => {
  const r = right(await h.service.set(c, { scope: 'workspace', ...params }));
  if (typeof r !== 'string') throw new Error('expected a reference');
  return r;
};
const getRef = async (h: Harness, params: Record<string, unknown>, c: RunContext = ctx()): Promise<string> => {
  const r = right(await h.service.get(c, { scope: 'workspace', ...params }));
  if (typeof r !== 'string') throw new Error('expected a reference');
  return r;
};

describe('reference lifetime', () => {
  test('a reference lives 300 seconds by default: it opens at 299.999 s and has expired at 300 s', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    h.clock.advance(299_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
  });

  test('a reference from get lives 300 seconds from the get, not from the set', async () => {
    const h = await openHarness();
    const value = secretText();
    await setRef(h, { name: 'apiKey', value });
    h.clock.advance(200_000);
    const ref = await getRef(h, { name: 'apiKey' });
    h.clock.advance(299_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
  });

  test('the reference lifetime is configurable (referenceTtlSeconds)', async () => {
    const h = await openHarness({ referenceTtlSeconds: 30 });
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    h.clock.advance(29_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
  });

  test('a reference never outlives its secret: a secret with a 10 s ttl gives a reference that expires at 10 s', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value, ttl: 10 });
    h.clock.advance(9_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
  });

  test('a reference taken by get shortly before the secret expires expires with the secret', async () => {
    const h = await openHarness();
    const value = secretText();
    await setRef(h, { name: 'apiKey', value, ttl: 10 });
    h.clock.advance(8_000);
    const ref = await getRef(h, { name: 'apiKey' });
    h.clock.advance(1_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
    expect(right(await h.service.get(ctx(), { name: 'apiKey', scope: 'workspace' }))).toEqual({ error: 'not_found' });
  });

  test('with a short configured lifetime, the shorter of the two limits applies', async () => {
    const h = await openHarness({ referenceTtlSeconds: 5 });
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value, ttl: 10 });
    h.clock.advance(4_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, value)).toBe('expired');
  });

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 901, 86_400])('a reference lifetime of %d seconds is refused when the service opens', async (seconds) => {
    const r = await openSecrets({ masterKeys: masterKeysText(), referenceTtlSeconds: seconds });
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'invalid_parameter', problems: [{ path: 'referenceTtlSeconds' }] });
  });

  test('a reference lifetime of 15 minutes, the most "a few minutes" allows here, is accepted', async () => {
    expect(E.isRight(await openSecrets({ masterKeys: masterKeysText(), referenceTtlSeconds: 900 }))).toBe(true);
  });
});

describe('resolution reads the secret now', () => {
  test('delete revokes an outstanding reference (not_found)', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    expect(right(await h.service.delete(ctx(), { name: 'apiKey', scope: 'workspace' }))).toEqual({ deleted: true });
    expect(await failure(h, ctx(), ref, value)).toBe('not_found');
  });

  test('a secret set again after a delete is reachable again through the old reference', async () => {
    const h = await openHarness();
    const ref = await setRef(h, { name: 'apiKey', value: secretText() });
    right(await h.service.delete(ctx(), { name: 'apiKey', scope: 'workspace' }));
    const value = secretText();
    await setRef(h, { name: 'apiKey', value });
    expect(await resolvedValue(h, ctx(), ref)).toBe(value);
  });

  test('the expiry of the secret revokes an outstanding reference (not_found)', async () => {
    const h = await openHarness();
    const first = secretText();
    const ref = await setRef(h, { name: 'apiKey', value: first });
    // Updated with a 5 s ttl: the reference taken before still has minutes to live, the secret does not.
    const second = secretText();
    await setRef(h, { name: 'apiKey', value: second, ttl: 5 });
    h.clock.advance(4_999);
    expect(await resolvedValue(h, ctx(), ref)).toBe(second);
    h.clock.advance(1);
    expect(await failure(h, ctx(), ref, second)).toBe('not_found');
    expect(await failure(h, ctx(), ref, first)).toBe('not_found');
  });

  test('an updated secret resolves to the new value through an old reference', async () => {
    const h = await openHarness();
    const ref = await setRef(h, { name: 'apiKey', value: secretText() });
    const before = right(await h.service.resolve(ctx(), ref));
    const value = { token: secretText(), n: 2 };
    await setRef(h, { name: 'apiKey', value });
    const after = right(await h.service.resolve(ctx(), ref));
    expect(after.value).toEqual(value);
    expect(after.version).toBeGreaterThan(before.version);
  });

  test('a value comes back with its type and its allowed hosts', async () => {
    const h = await openHarness();
    const value = { n: 1.5, list: [true, null, 'x'], nested: { deep: -3 } };
    const ref = await setRef(h, { name: 'config', value, allowedHosts: ['api.example.com'] });
    const r = right(await h.service.resolve(ctx(), ref));
    expect(r).toEqual({
      value,
      identity: { workspaceId: 'ws-1', scope: 'workspace', ownerId: '', name: 'config' },
      version: 1,
      allowedHosts: ['api.example.com'],
    });
  });
});

describe('who may resolve a reference', () => {
  test('a user-scope reference resolved for another user in the same workspace and run gives user_mismatch', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'token', value, scope: 'user' }, ctx({ userId: 'alice' }));
    expect(await resolvedValue(h, ctx({ userId: 'alice' }), ref)).toBe(value);
    expect(await failure(h, ctx({ userId: 'bob' }), ref, value)).toBe('user_mismatch');
  });

  test('a user-scope reference resolved in the same run without a user gives user_mismatch', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'token', value, scope: 'user' });
    const noUser: RunContext = { workspaceId: 'ws-1', correlationId: 'run-1', trigger: 'endpoint' };
    expect(await failure(h, noUser, ref, value)).toBe('user_mismatch');
  });

  test('a workspace-scope reference resolves for any user of the same run', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value }, ctx({ userId: 'alice' }));
    expect(await resolvedValue(h, ctx({ userId: 'bob' }), ref)).toBe(value);
  });

  test('a reference from another run does not open (other_run)', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    expect(await failure(h, ctx({ correlationId: 'run-2' }), ref, value)).toBe('other_run');
    expect(await failure(h, scheduleCtx(), ref, value)).toBe('other_run');
  });

  test('a reference from another workspace does not open (other_workspace)', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    expect(await failure(h, ctx({ workspaceId: 'ws-2' }), ref, value)).toBe('other_workspace');
  });

  test('a worker holding other bytes under the same reference kid refuses the reference, and the message names that possibility', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value });
    const other = await openHarness({ storage: h.storage, masterKeys: h.masterKeys, refKeys: masterKeysText() });
    const r = await other.service.resolve(ctx(), ref);
    if (E.isRight(r) || r.left._tag !== 'ResolveFailure') throw new Error('expected a refused reference');
    expect(r.left.code).toBe('other_workspace');
    expect(r.left.message).toContain('different bytes under the same reference key id');
  });

  test('a reference minted in a schedule run resolves in that run', async () => {
    const h = await openHarness();
    const value = secretText();
    const ref = await setRef(h, { name: 'apiKey', value }, scheduleCtx());
    expect(await resolvedValue(h, scheduleCtx(), ref)).toBe(value);
  });

  test('text that is not a reference is malformed', async () => {
    const h = await openHarness();
    for (const text of ['', 'apiKey', '$secret:', '$secret:v1.kek-v1']) {
      const r = await h.service.resolve(ctx(), text);
      expect(E.isLeft(r) && r.left.code).toBe('malformed');
    }
  });
});
