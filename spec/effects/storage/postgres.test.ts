// The storage contract against PostgreSQL, plus what only a server store must do: fail fast when unreachable, migrate once, share across pools.
import { connect, createServer, type Server, type Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../../src/effects/storage/postgres.ts';
import { latestVersion, postgresMigrations } from '../../../src/effects/storage/migrations.ts';
import { lockKey } from '../../../src/effects/storage/postgres-schema.ts';
import { adminSql, pgFixture, pgTarget } from '../../support/storage-pg.ts';
import { dataKeyOf, identityOf, payloadOf, right, secretOf, storageContract } from '../../support/storage-contract.ts';
import { rawRowsOfPostgres } from '../../support/storage-raw.ts';

const target = await pgTarget();
if (target.url === undefined) console.warn(target.reason);
const url = target.url ?? '';

/** A port on 127.0.0.1 that nothing listens on: bound, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** A server that accepts connections and never says a word. */
const silentServer = async (): Promise<{ port: number; stop: () => Promise<void> }> => {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/**
 * A loopback proxy to the real server that can stall: it keeps every connection open but holds what either side
 * sends (a network partition without resets), until it flows again.
 */
const stallingProxy = async (to: URL): Promise<{ port: number; stall: () => void; flow: () => void; stop: () => Promise<void> }> => {
  let stalled = false;
  const held: (() => void)[] = [];
  const open = new Set<Socket>();
  const forward = (from: Socket, into: Socket) =>
    from.on('data', (chunk) => (stalled ? held.push(() => into.write(chunk)) : into.write(chunk)));
  const server: Server = createServer((client) => {
    const upstream = connect(Number(to.port || 5432), to.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stall: () => {
      stalled = true;
    },
    flow: () => {
      stalled = false;
      for (const send of held.splice(0)) send();
    },
    stop: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

describe.skipIf(target.url === undefined)('postgres', () => {
  const fx = pgFixture(url);
  afterAll(fx.cleanup);

  storageContract('postgres', () => fx.make(), fx.cleanup, { modelRuns: 100 });

  describe('postgres storage', () => {
    it('an unreachable server (a closed port) fails to open with a StorageFailure naming host and cause', { timeout: 15_000 }, async () => {
      const port = await closedPort();
      const opened = await openPostgresStorage(`postgres://postgres:not-a-real-password@127.0.0.1:${port}/test`, { connectTimeoutSeconds: 2 });
      expect(E.isLeft(opened) && opened.left).toMatchObject({ _tag: 'StorageFailure', message: expect.stringContaining(`127.0.0.1:${port}`) });
      expect(E.isLeft(opened) && opened.left.message).toMatch(/ECONNREFUSED/);
      expect(JSON.stringify(opened)).not.toContain('not-a-real-password');
    });

    it('a server that accepts but never answers fails with a connect timeout instead of hanging', { timeout: 15_000 }, async () => {
      const silent = await silentServer();
      try {
        const opened = await openPostgresStorage(`postgres://postgres@127.0.0.1:${silent.port}/test`, { connectTimeoutSeconds: 1 });
        expect(E.isLeft(opened) && opened.left.message).toMatch(/CONNECT_TIMEOUT/);
      } finally {
        await silent.stop();
      }
    });

    it('after opening, a server that stops answering (a partition) makes an operation fail within its deadline instead of hanging, and the store recovers', { timeout: 20_000 }, async () => {
      const proxy = await stallingProxy(new URL(url));
      const via = new URL(url);
      via.hostname = '127.0.0.1';
      via.port = String(proxy.port);
      const store = right(await openPostgresStorage(via.href, { schema: fx.freshSchema(), connectTimeoutSeconds: 1, statementTimeoutMs: 500, max: 1 }));
      try {
        const id = identityOf();
        right(await store.write(secretOf(id, 1), 0));
        proxy.stall();
        const during = await store.read(id, Date.now());
        expect(E.isLeft(during) && during.left).toMatchObject({ _tag: 'StorageFailure', message: expect.stringMatching(/no answer from PostgreSQL at 127\.0\.0\.1:\d+ within 2500 ms/) });
        proxy.flow();
        expect(E.isRight(await store.read(id, Date.now()))).toBe(true);
      } finally {
        await store.close();
        await proxy.stop();
      }
    });

    it('with the statement timeout off, an operation waiting on a lock held elsewhere is not cut short by a client deadline', { timeout: 20_000 }, async () => {
      const schema = fx.freshSchema();
      const store = right(await openPostgresStorage(url, { schema, connectTimeoutSeconds: 1, statementTimeoutMs: 0 }));
      const admin = adminSql(url);
      try {
        // Another session holds the workspace's data key lock for longer than connect timeout + margin (2 s).
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const lockTaken = new Promise<void>((r) => (locked = r));
        const holder = admin.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey(schema, 'data_keys:ws-lock')}, 0))`;
          locked();
          await held;
        });
        await lockTaken;
        const activating = store.activateDataKey(dataKeyOf('ws-lock'));
        await new Promise((r) => setTimeout(r, 3000));
        release();
        await holder;
        expect(E.isRight(await activating)).toBe(true);
      } finally {
        await admin.end();
        await store.close();
      }
    });

    it('an invalid schema name is refused before connecting', async () => {
      const opened = await openPostgresStorage(url, { schema: 'Robert"; DROP TABLE students;--' });
      expect(E.isLeft(opened) && opened.left.message).toMatch(/schema name/);
    });

    it('concurrent first starts on a fresh schema all open, and each migration is recorded once', async () => {
      const schema = fx.freshSchema();
      const opened = await Promise.all(Array.from({ length: 6 }, () => openPostgresStorage(url, { schema, max: 1 })));
      for (const o of opened) if (E.isRight(o)) await o.right.close();
      expect(opened.map((o) => o._tag)).toEqual(Array(6).fill('Right'));
      const sql = adminSql(url);
      try {
        const rows = await sql`SELECT version, name FROM ${sql(`${schema}.schema_migrations`)} ORDER BY version`;
        expect([...rows]).toStrictEqual(postgresMigrations(schema).map((m) => ({ version: m.version, name: m.name })));
      } finally {
        await sql.end();
      }
    });

    it('refuses to open a schema written by a newer secretref, with a clear error', async () => {
      const schema = fx.freshSchema();
      await (await fx.make({ schema })).close();
      const newer = latestVersion(postgresMigrations(schema)) + 1;
      const sql = adminSql(url);
      try {
        await sql`INSERT INTO ${sql(`${schema}.schema_migrations`)} (version, name, applied_at) VALUES (${newer}, 'from the future', 0)`;
      } finally {
        await sql.end();
      }
      const opened = await openPostgresStorage(url, { schema });
      expect(E.isLeft(opened) && opened.left.message).toMatch(new RegExp(`schema version ${newer}, newer than the ${newer - 1}.*upgrade secretref`));
    });

    it('stores in different schemas do not see each other', async () => {
      const a = await fx.make();
      const b = await fx.make();
      const id = identityOf();
      right(await a.write(secretOf(id, 1), 0));
      right(await a.ensureKeyCheck('kek-v1', payloadOf()));
      expect(right(await b.read(id, 0))).toStrictEqual({ version: 0, secret: null });
      expect(right(await b.keyCheck('kek-v1'))).toBeNull();
      await a.close();
      await b.close();
    });

    it('separate pools on one schema (as separate processes would be) lose no compare-and-set update and agree on one data key', async () => {
      const schema = fx.freshSchema();
      const pools = await Promise.all(Array.from({ length: 4 }, () => fx.make({ schema, max: 3 })));
      const id = identityOf();
      const writer = async (s: (typeof pools)[number]) => {
        let applied = 0;
        while (applied < 10) {
          const { version } = right(await s.read(id, 0));
          const r = await s.write(secretOf(id, version + 1), version);
          if (E.isRight(r)) applied++;
          else expect(r.left._tag).toBe('VersionConflict');
        }
      };
      await Promise.all(pools.flatMap((s) => [writer(s), writer(s)]));
      expect(right(await pools[0]!.read(id, 0)).version).toBe(80);
      const keys = (await Promise.all(pools.flatMap((s) => [s.ensureActiveDataKey(dataKeyOf(id.workspaceId)), s.ensureActiveDataKey(dataKeyOf(id.workspaceId))]))).map(right);
      expect(new Set(keys.map((k) => k.id)).size).toBe(1);
      for (const s of pools) await s.close();
    });

    it('a query failure after open is a StorageFailure naming the SQLSTATE, never the data', async () => {
      const schema = fx.freshSchema();
      const s = await fx.make({ schema });
      const id = identityOf();
      right(await s.write(secretOf(id, 1), 0));
      const sql = adminSql(url);
      try {
        await sql.unsafe(`DROP TABLE "${schema}".secrets`);
      } finally {
        await sql.end();
      }
      const secret = secretOf(id, 2);
      const failed = await s.write(secret, 1);
      expect(E.isLeft(failed) && failed.left).toMatchObject({ _tag: 'StorageFailure', message: expect.stringMatching(/42P01/) });
      expect(JSON.stringify(failed)).not.toContain(secret.payload);
      expect(await s.read(id, 0)).toMatchObject(E.left({ _tag: 'StorageFailure' }));
      await s.close();
    });

    it('refuses what it cannot store exactly, naming the field and never the value', async () => {
      const s = await fx.make();
      const id = identityOf();
      const payload = `${payloadOf()}\u0000${payloadOf()}`;
      const nul = await s.write(secretOf(id, 1, { payload }), 0);
      expect(nul).toMatchObject(E.left({ _tag: 'StorageFailure', message: expect.stringMatching(/payload/) }));
      expect(JSON.stringify(nul)).not.toContain(payload.slice(0, 20));
      expect(await s.write(secretOf(id, 1, { createdAt: 1.5 }), 0)).toMatchObject(E.left({ message: expect.stringMatching(/createdAt/) }));
      expect(right(await s.read(id, 0))).toStrictEqual({ version: 0, secret: null });
      await s.close();
    });

    it('a closed store answers with a StorageFailure instead of throwing', async () => {
      const s = await fx.make();
      await s.close();
      expect(await s.read(identityOf(), 0)).toMatchObject(E.left({ _tag: 'StorageFailure', message: expect.stringMatching(/closed/) }));
      expect(await s.ensureKeyCheck('kek', 'blob')).toMatchObject(E.left({ _tag: 'StorageFailure' }));
    });

    it('rawRowsOfPostgres shows every stored row of the schema', async () => {
      const schema = fx.freshSchema();
      const s = await fx.make({ schema });
      const secret = secretOf(identityOf(), 1);
      right(await s.write(secret, 0));
      const key = right(await s.ensureActiveDataKey(dataKeyOf(secret.identity.workspaceId)));
      const sql = adminSql(url);
      try {
        const raw = await rawRowsOfPostgres(sql, schema);
        expect(raw).toContain(secret.payload);
        expect(raw).toContain(key.wrapped);
        expect(raw).toMatch(/^schema_migrations: /m);
      } finally {
        await sql.end();
        await s.close();
      }
    });
  });
});
