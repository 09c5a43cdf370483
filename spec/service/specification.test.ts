// One example per sentence of the specification's set / get / delete tables and error table, with its own YAML parameters.
import { describe, expect, it } from 'vitest';
import { ctx, openHarness, right, scheduleCtx } from '../support/service.ts';
import { specParameters } from '../support/fixtures.ts';

const REFERENCE = /^\$secret:v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const setParams = specParameters('set');
const getParams = specParameters('get');
const deleteParams = specParameters('delete');

describe('set — store or update a secret', () => {
  it('returns a $secret: reference string, not the value', async () => {
    const h = await openHarness();
    const ref = right(await h.service.set(ctx(), setParams));
    expect(ref).toMatch(REFERENCE);
    expect(ref).not.toContain(String(setParams['value']));
  });

  it('encrypts the value: the store holds no plaintext', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), setParams));
    const read = right(await h.storage.read({ workspaceId: 'ws-1', scope: 'workspace', ownerId: '', name: 'myApiKey' }, h.clock.now()));
    expect(read.secret?.payload).toMatch(/^sv1\./);
    expect(read.secret?.payload).not.toContain(String(setParams['value']));
  });

  it('updates a secret that already exists with the same name and scope', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), setParams));
    const ref = right(await h.service.set(ctx(), { ...setParams, value: 'rotated-value-1' }));
    expect(right(await h.service.resolve(ctx(), ref as string)).value).toBe('rotated-value-1');
    const listed = right(await h.service.list(ctx()));
    expect(listed.map((m) => [m.identity.name, m.version])).toEqual([['myApiKey', 2]]);
  });

  it('keeps the same name in user scope and in workspace scope apart (unique within its scope)', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), { name: 'shared', value: 'workspace-one', scope: 'workspace' }));
    right(await h.service.set(ctx(), { name: 'shared', value: 'user-one', scope: 'user' }));
    const ws = right(await h.service.get(ctx(), { name: 'shared', scope: 'workspace' }));
    const us = right(await h.service.get(ctx(), { name: 'shared', scope: 'user' }));
    expect(right(await h.service.resolve(ctx(), ws as string)).value).toBe('workspace-one');
    expect(right(await h.service.resolve(ctx(), us as string)).value).toBe('user-one');
  });

  it.each([
    ['a string', 'text value'],
    ['a number', 42.5],
    ['a boolean', false],
    ['null', null],
    ['an object', { user: 'svc', pass: ['p', 1, { deep: true }] }],
    ['an array', [1, 'two', null]],
  ])('stores any value and gives it back with its type: %s', async (_label, value) => {
    const h = await openHarness();
    const ref = right(await h.service.set(ctx(), { name: 'typed', value, scope: 'workspace' }));
    expect(right(await h.service.resolve(ctx(), ref as string)).value).toEqual(value);
  });

  it('makes the secret unreadable after ttl seconds', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), { ...setParams, ttl: 3600 }));
    h.clock.advance(3600 * 1000 - 1);
    expect(right(await h.service.get(ctx(), getParams))).toMatch(REFERENCE);
    h.clock.advance(1);
    expect(right(await h.service.get(ctx(), getParams))).toEqual({ error: 'not_found' });
    expect(right(await h.service.delete(ctx(), deleteParams))).toEqual({ error: 'not_found' });
  });

  it('returns { error: "user_required" } for scope user without a user context (cron trigger)', async () => {
    const h = await openHarness();
    expect(right(await h.service.set(scheduleCtx(), { ...setParams, scope: 'user' }))).toEqual({ error: 'user_required' });
    expect(right(await h.service.list(scheduleCtx()))).toEqual([]);
  });
});

describe('get — retrieve a secret reference', () => {
  it('returns a $secret: reference string that resolves to the stored value', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), setParams));
    const ref = right(await h.service.get(ctx(), getParams));
    expect(ref).toMatch(REFERENCE);
    expect(right(await h.service.resolve(ctx(), ref as string)).value).toBe(setParams['value']);
  });

  it('returns { error: "not_found" } if the secret does not exist', async () => {
    const h = await openHarness();
    expect(right(await h.service.get(ctx(), getParams))).toEqual({ error: 'not_found' });
  });

  it('returns { error: "not_found" } if the secret has expired', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), { ...setParams, ttl: 1 }));
    h.clock.advance(1000);
    expect(right(await h.service.get(ctx(), getParams))).toEqual({ error: 'not_found' });
  });

  it('returns { error: "user_required" } for scope user without a user context', async () => {
    const h = await openHarness();
    expect(right(await h.service.get(scheduleCtx(), { ...getParams, scope: 'user' }))).toEqual({ error: 'user_required' });
  });

  it('returns references that are short-lived (300 seconds by default)', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), setParams));
    const ref = right(await h.service.get(ctx(), getParams)) as string;
    h.clock.advance(300_000);
    expect(await h.service.resolve(ctx(), ref)).toMatchObject({ left: { code: 'expired' } });
  });
});

describe('delete — remove a secret', () => {
  it('returns { deleted: true } on success, and the secret is gone', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx(), setParams));
    expect(right(await h.service.delete(ctx(), deleteParams))).toEqual({ deleted: true });
    expect(right(await h.service.get(ctx(), getParams))).toEqual({ error: 'not_found' });
  });

  it('returns { error: "not_found" } when there is nothing to delete', async () => {
    const h = await openHarness();
    expect(right(await h.service.delete(ctx(), deleteParams))).toEqual({ error: 'not_found' });
  });

  it('returns { error: "user_required" } for scope user without a user context', async () => {
    const h = await openHarness();
    expect(right(await h.service.delete(scheduleCtx(), { ...deleteParams, scope: 'user' }))).toEqual({ error: 'user_required' });
  });
});

describe('scopes', () => {
  it('workspace scope is shared across all users in the workspace', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx({ userId: 'alice' }), setParams));
    const asBob = ctx({ userId: 'bob', correlationId: 'run-bob' });
    const ref = right(await h.service.get(asBob, getParams)) as string;
    expect(right(await h.service.resolve(asBob, ref)).value).toBe(setParams['value']);
    const cron = scheduleCtx();
    expect(right(await h.service.get(cron, getParams))).toMatch(REFERENCE);
  });

  it('user scope is private to the current user', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx({ userId: 'alice' }), { ...setParams, scope: 'user' }));
    expect(right(await h.service.get(ctx({ userId: 'bob' }), { ...getParams, scope: 'user' }))).toEqual({ error: 'not_found' });
    expect(right(await h.service.delete(ctx({ userId: 'bob' }), { ...deleteParams, scope: 'user' }))).toEqual({ error: 'not_found' });
    expect(right(await h.service.get(ctx({ userId: 'alice' }), { ...getParams, scope: 'user' }))).toMatch(REFERENCE);
  });

  it('workspaces never see each other\'s secrets', async () => {
    const h = await openHarness();
    right(await h.service.set(ctx({ workspaceId: 'ws-a' }), setParams));
    expect(right(await h.service.get(ctx({ workspaceId: 'ws-b' }), getParams))).toEqual({ error: 'not_found' });
  });
});

describe('invalid parameters', () => {
  it.each([
    [{ value: 'x-value-1', scope: 'workspace' }, 'parameters.name'],
    [{ name: '', value: 'x-value-1', scope: 'workspace' }, 'parameters.name'],
    [{ name: 'n', value: 'x-value-1', scope: 'team' }, 'parameters.scope'],
    [{ name: 'n', value: 'x-value-1', scope: 'workspace', ttl: 0 }, 'parameters.ttl'],
    [{ name: 'n', value: 'x-value-1', scope: 'workspace', ttl: -5 }, 'parameters.ttl'],
    [{ name: 'n', value: 'x-value-1', scope: 'workspace', ttl: Number.POSITIVE_INFINITY }, 'parameters.ttl'],
    [{ name: 'n', value: 'x-value-1', scope: 'workspace', ttl: '60' }, 'parameters.ttl'],
    [{ name: 'n', scope: 'workspace' }, 'parameters.value'],
  ])('set refuses %j with an error that names %s', async (params, path) => {
    const h = await openHarness();
    const r = await h.service.set(ctx(), params);
    expect(r).toMatchObject({ left: { code: 'invalid_parameter' } });
    const problems = (r as unknown as { left: { problems: { path: string }[] } }).left.problems;
    expect(problems.map((p) => p.path)).toContain(path);
    expect(JSON.stringify(r)).not.toContain('x-value-1');
  });

  it('a refused set writes nothing', async () => {
    const h = await openHarness();
    await h.service.set(ctx(), { name: 'n', value: 'x-value-1', scope: 'workspace', ttl: -1 });
    expect(right(await h.service.list(ctx()))).toEqual([]);
  });
});
