// Someone with write access to the database but no keys cannot lift a secret's allow-list or revive it after expiry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../src/effects/node/sqlite-storage.ts';
import { ctx, openHarness, right } from '../support/service.ts';
import { generated } from '../support/msw-env.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const sqliteHarness = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-tamper-'));
  dirs.push(dir);
  const path = join(dir, 's.db');
  const storage = openSqliteStorage(path);
  if (E.isLeft(storage)) throw new Error(storage.left.message);
  return { h: await openHarness({ storage: storage.right }), path };
};

const edit = (path: string, sql: string) => {
  const db = new Database(path);
  db.prepare(sql).run();
  db.close();
};

describe('policy columns are authenticated with the value', () => {
  it('clearing allowed_hosts in the database makes the value fail to open instead of lifting the allow-list', async () => {
    const { h, path } = await sqliteHarness();
    right(await h.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace', allowedHosts: ['api.example.com'] }));
    edit(path, 'UPDATE secrets SET allowed_hosts = NULL');
    const ref = right(await h.service.get(ctx(), { name: 'k', scope: 'workspace' })) as string;
    expect(await h.service.resolve(ctx(), ref)).toMatchObject({ left: { code: 'decrypt_failed' } });
  });

  it('clearing expires_at of an expired secret does not bring it back', async () => {
    const { h, path } = await sqliteHarness();
    right(await h.service.set(ctx(), { name: 'k', value: generated(), scope: 'workspace', ttl: 60 }));
    h.clock.advance(61_000);
    edit(path, 'UPDATE secrets SET expires_at = NULL');
    const ref = right(await h.service.get(ctx(), { name: 'k', scope: 'workspace' })) as string;
    expect(await h.service.resolve(ctx(), ref)).toMatchObject({ left: { code: 'decrypt_failed' } });
  });
});
