// Listing secrets: metadata only, and only what the context may read — its workspace's shared secrets and its own user's.
import { describe, expect, it } from 'vitest';
import { generated } from '../support/msw-env.ts';
import { ctx, openHarness, right, scheduleCtx, type Harness } from '../support/service.ts';

const names = (h: Harness, c = ctx(), scope?: 'workspace' | 'user') =>
  h.service.list(c, scope === undefined ? {} : { scope }).then((r) => right(r).map((m) => `${m.identity.scope}/${m.identity.ownerId}/${m.identity.name}`));

const seeded = async (): Promise<Harness> => {
  const h = await openHarness();
  right(await h.service.set(ctx(), { name: 'shared', value: generated(), scope: 'workspace' }));
  right(await h.service.set(ctx({ userId: 'alice' }), { name: 'token', value: generated(), scope: 'user' }));
  right(await h.service.set(ctx({ userId: 'bob' }), { name: 'token', value: generated(), scope: 'user' }));
  right(await h.service.set(ctx({ userId: 'bob' }), { name: 'bob-only', value: generated(), scope: 'user' }));
  right(await h.service.set(ctx({ workspaceId: 'ws-other' }), { name: 'elsewhere', value: generated(), scope: 'workspace' }));
  return h;
};

describe('secrets list', () => {
  it('user scope lists only the context user\'s own secrets', async () => {
    const h = await seeded();
    expect(await names(h, ctx({ userId: 'bob' }), 'user')).toEqual(['user/bob/bob-only', 'user/bob/token']);
    expect(await names(h, ctx({ userId: 'alice' }), 'user')).toEqual(['user/alice/token']);
  });

  it('without a scope: the caller\'s own user secrets, then the workspace\'s shared ones, never another user\'s', async () => {
    const h = await seeded();
    expect(await names(h, ctx({ userId: 'alice' }))).toEqual(['user/alice/token', 'workspace//shared']);
  });

  it('a context without a user (a schedule) lists the shared secrets and no user secret at all', async () => {
    const h = await seeded();
    expect(await names(h, scheduleCtx())).toEqual(['workspace//shared']);
    expect(await names(h, scheduleCtx(), 'user')).toEqual([]);
  });

  it('workspace scope lists the shared secrets of the context\'s workspace only', async () => {
    const h = await seeded();
    expect(await names(h, ctx({ userId: 'bob' }), 'workspace')).toEqual(['workspace//shared']);
    expect(await names(h, ctx({ workspaceId: 'ws-other' }), 'workspace')).toEqual(['workspace//elsewhere']);
  });

  it('lists metadata, never the value', async () => {
    const h = await seeded();
    for (const m of right(await h.service.list(ctx({ userId: 'bob' })))) expect(Object.keys(m)).not.toContain('payload');
  });
});
