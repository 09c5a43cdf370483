// Deno suite for the shared store: the service on the PostgreSQL adapter (postgres.js) under Deno, in a schema of its own.
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { openSecrets } from '../../src/mod.ts';
import { openPostgresStorage } from '../../src/effects/storage/postgres.ts';

const url = Deno.env.get('SECRETREF_PG_URL');
const hex = (n: number): string => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');

Deno.test({
  name: 'set, get, resolve, list and delete through PostgreSQL on Deno; the table holds no plaintext',
  ignore: url === undefined, // SECRETREF_PG_URL names the server; .ci/run sets it
  fn: async () => {
    const schema = `deno_${hex(6)}`;
    const opened = await openPostgresStorage(url!, { schema, max: 2 });
    if (opened._tag === 'Left') throw new Error(`storage did not open: ${opened.left.message}`);
    const storage = opened.right;
    const admin = postgres(url!, { max: 1, onnotice: () => undefined });
    try {
      const secrets = await openSecrets({ masterKeys: JSON.stringify([{ kid: 'k1', key: hex(32), active: true }]), storage });
      if (secrets._tag === 'Left') throw new Error('the service did not open');
      const service = secrets.right;
      const ctx = { workspaceId: 'ws-deno', correlationId: `run-${hex(4)}`, trigger: 'manual', userId: 'dina' } as const;
      const value = `deno-pg-${hex(16)}`;

      assert.equal((await service.set(ctx, { name: 'apiKey', value, scope: 'user' }))._tag, 'Right');
      const got = await service.get(ctx, { name: 'apiKey', scope: 'user' });
      const resolved = await service.resolve(ctx, (got as { right: string }).right);
      assert.equal(resolved._tag === 'Right' && resolved.right.value, value);
      const listed = await service.list(ctx);
      assert.deepEqual(listed._tag === 'Right' && listed.right.map((m) => m.identity.name), ['apiKey']);

      const rows = await admin.unsafe(`SELECT * FROM ${schema}.secrets`);
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(value), 'the stored row holds the plaintext');

      assert.deepEqual(await service.delete(ctx, { name: 'apiKey', scope: 'user' }), { _tag: 'Right', right: { deleted: true } });
      const after = await service.resolve(ctx, (got as { right: string }).right);
      assert.equal(after._tag === 'Left' && after.left.code, 'not_found');
    } finally {
      await storage.close();
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  },
});
