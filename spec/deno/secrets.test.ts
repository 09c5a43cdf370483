// Deno smoke suite: the main entry, WebCrypto and the memory store, set -> get -> resolve -> delete under `deno test`.
import assert from 'node:assert/strict';
import { manualClock, openSecrets } from '../../src/mod.ts';

const hexKey = (): string => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
const masterKeys = JSON.stringify([{ kid: 'kek-v1', key: hexKey(), active: true }]);
const ctx = { workspaceId: 'ws-deno', correlationId: 'run-deno', trigger: 'manual', userId: 'dina' } as const;

const open = async () => {
  const clock = manualClock(Date.UTC(2026, 10, 26));
  const opened = await openSecrets({ masterKeys, clock });
  if (opened._tag === 'Left') throw new Error(`did not open: ${opened.left.code}`);
  return { service: opened.right, clock };
};

Deno.test('set, get, resolve and delete work on Deno with WebCrypto and the memory store', async () => {
  const { service } = await open();
  const value = { token: `t-${hexKey()}`, n: 7 };
  const set = await service.set(ctx, { name: 'apiKey', value, scope: 'user', ttl: 60 });
  assert.equal(set._tag, 'Right');
  const ref = (set as { right: string }).right;
  assert.match(ref, /^\$secret:v1\.kek-v1\.[A-Za-z0-9_-]+$/);
  assert.ok(!ref.includes(value.token));

  const got = await service.get(ctx, { name: 'apiKey', scope: 'user' });
  assert.equal(got._tag, 'Right');
  const resolved = await service.resolve(ctx, (got as { right: string }).right);
  assert.equal(resolved._tag, 'Right');
  assert.deepEqual((resolved as { right: { value: unknown } }).right.value, value);

  assert.deepEqual(await service.delete(ctx, { name: 'apiKey', scope: 'user' }), { _tag: 'Right', right: { deleted: true } });
  const after = await service.resolve(ctx, ref);
  assert.equal(after._tag === 'Left' && after.left.code, 'not_found');
});

Deno.test('a reference expires and user scope needs a user on Deno too', async () => {
  const { service, clock } = await open();
  const set = await service.set(ctx, { name: 'w', value: 'workspace-value', scope: 'workspace' });
  clock.advance(300_000);
  const r = await service.resolve(ctx, (set as { right: string }).right);
  assert.equal(r._tag === 'Left' && r.left.code, 'expired');
  const cron = { workspaceId: 'ws-deno', correlationId: 'run-cron', trigger: 'schedule' } as const;
  assert.deepEqual(await service.get(cron, { name: 'w', scope: 'user' }), { _tag: 'Right', right: { error: 'user_required' } });
});
