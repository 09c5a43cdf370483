// The storage contract against SQLite, plus what only a file store must do: persist, migrate, refuse newer schemas, share with other processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../src/effects/node/sqlite-storage.ts';
import { latestVersion, sqliteMigrations } from '../../../src/effects/storage/migrations.ts';
import type { StoragePort } from '../../../src/effects/storage/port.ts';
import { identityOf, payloadOf, right, secretOf } from '../../support/storage-contract.ts';
import { storageContract } from '../../support/storage-contract.ts';
import { rawBytesOfSqlite } from '../../support/storage-raw.ts';

const dir = mkdtempSync(join(tmpdir(), 'secretref-sqlite-'));
let n = 0;
const freshPath = () => join(dir, `store-${n++}`, 'secrets.db');
const open = (path = freshPath()): StoragePort => {
  const opened = openSqliteStorage(path);
  if (E.isLeft(opened)) throw new Error(`test setup: ${opened.left.message}`);
  return opened.right;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

storageContract('sqlite', async () => open(), async () => undefined, { modelRuns: 100 });

describe('sqlite storage', () => {
  it('creates a missing parent directory, private to its owner, and a private file', async () => {
    const path = join(dir, 'deep', 'er', 'secrets.db');
    await open(path).close();
    expect(statSync(join(dir, 'deep', 'er')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps secrets, versions, data keys and key checks across close and reopen', async () => {
    const path = freshPath();
    const a = open(path);
    const id = identityOf();
    const secret = secretOf(id, 1, { expiresAt: 2_000_000_000_000, allowedHosts: ['api.example.com'] });
    right(await a.write(secret, 0));
    const tomb = identityOf();
    right(await a.write(secretOf(tomb, 1), 0));
    right(await a.remove(tomb, 0));
    const key = right(await a.ensureActiveDataKey({ workspaceId: id.workspaceId, id: 'dk-1', wrapped: payloadOf(), kekId: 'kek-v1', active: false, createdAt: 1 }));
    const blob = right(await a.ensureKeyCheck('kek-v1', payloadOf()));
    await a.close();

    const b = open(path);
    expect(right(await b.read(id, 0))).toStrictEqual({ version: 1, secret });
    expect(right(await b.read(tomb, 0))).toStrictEqual({ version: 2, secret: null });
    expect(right(await b.activeDataKey(id.workspaceId))).toStrictEqual(key);
    expect(right(await b.keyCheck('kek-v1'))).toBe(blob);
    await b.close();
  });

  it('records its schema version, in WAL mode', async () => {
    const path = freshPath();
    await open(path).close();
    await open(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toStrictEqual(
        sqliteMigrations.map((m) => ({ version: m.version, name: m.name })),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('refuses to open a store written by a newer schema, with a clear error, and leaves it untouched', async () => {
    const path = freshPath();
    await open(path).close();
    const newer = latestVersion(sqliteMigrations) + 1;
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(newer, 'from the future', 0);
    db.close();
    const opened = openSqliteStorage(path);
    expect(E.isLeft(opened) && opened.left.message).toMatch(new RegExp(`schema version ${newer}, newer than the ${newer - 1}.*upgrade secretref`));
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(newer);
    check.close();
  });

  it('a file that is not a database fails to open with a StorageFailure', () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, randomBytes(8192));
    const opened = openSqliteStorage(path);
    expect(E.isLeft(opened) && opened.left).toMatchObject({ _tag: 'StorageFailure', message: expect.stringMatching(/cannot open the SQLite store/) });
  });

  it('a path that cannot be created fails to open with a StorageFailure', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const opened = openSqliteStorage(join(file, 'below', 'secrets.db'));
    expect(E.isLeft(opened) && opened.left).toMatchObject({ _tag: 'StorageFailure', message: expect.stringMatching(/ENOTDIR/) });
  });

  it('a closed store answers every operation with a StorageFailure instead of throwing', async () => {
    const s = open();
    await s.close();
    expect(await s.read(identityOf(), 0)).toMatchObject(E.left({ _tag: 'StorageFailure', message: expect.stringMatching(/not open/) }));
    expect(await s.write(secretOf(identityOf(), 1), 0)).toMatchObject(E.left({ _tag: 'StorageFailure' }));
    expect(await s.ensureActiveDataKey({ workspaceId: 'w', id: 'k', wrapped: 'x', kekId: 'k', active: true, createdAt: 0 })).toMatchObject(
      E.left({ _tag: 'StorageFailure' }),
    );
    await s.close();
  });

  it('refuses what it cannot store exactly, naming the field and never the value', async () => {
    const s = open();
    const id = identityOf();
    const payload = `${payloadOf()}\u0000${payloadOf()}`;
    const nul = await s.write(secretOf(id, 1, { payload }), 0);
    expect(nul).toMatchObject(E.left({ _tag: 'StorageFailure', message: expect.stringMatching(/payload/) }));
    expect(JSON.stringify(nul)).not.toContain(payload.slice(0, 20));
    expect(await s.write(secretOf(id, 1, { expiresAt: 1.5 }), 0)).toMatchObject(E.left({ message: expect.stringMatching(/expiresAt/) }));
    expect(right(await s.read(id, 0))).toStrictEqual({ version: 0, secret: null });
    await s.close();
  });

  it('rawBytesOfSqlite sees what is stored, and a removed payload is wiped from the file once closed', async () => {
    const path = freshPath();
    const s = open(path);
    const id = identityOf();
    const secret = secretOf(id, 1);
    right(await s.write(secret, 0));
    expect(rawBytesOfSqlite(path).includes(secret.payload)).toBe(true);
    right(await s.remove(id, 0));
    await s.close();
    expect(rawBytesOfSqlite(path).includes(secret.payload)).toBe(false);
  });

  it('processes sharing one file serialize: no compare-and-set update is lost, and they agree on one data key and key check', async () => {
    const path = freshPath();
    const go = join(dir, `go-${n++}`);
    const worker = fileURLToPath(new URL('../../support/storage-worker.ts', import.meta.url));
    const PROCESSES = 4;
    const INCREMENTS = 25;
    const children = Array.from({ length: PROCESSES }, (_, i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', worker, path, go, String(i), String(INCREMENTS)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const ready = new Promise<void>((resolve) => {
        const poll = setInterval(() => out.includes('ready') && (clearInterval(poll), resolve()), 5);
      });
      const done = new Promise<{ applied: number; conflicts: number; keyId: string; check: string }>((resolve, reject) =>
        child.on('close', (code) =>
          code === 0 ? resolve(JSON.parse(out.split('\n')[1] ?? '')) : reject(new Error(`worker ${i} exited ${code}: ${err}`)),
        ),
      );
      return { ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const results = await Promise.all(children.map((c) => c.done));

    expect(results.reduce((a, r) => a + r.applied, 0)).toBe(PROCESSES * INCREMENTS);
    const s = open(path);
    expect(right(await s.read({ workspaceId: 'ws-shared', scope: 'workspace', ownerId: '', name: 'counter' }, 0)).version).toBe(PROCESSES * INCREMENTS);
    const active = right(await s.activeDataKey('ws-shared'));
    expect(new Set(results.map((r) => r.keyId))).toStrictEqual(new Set([active?.id]));
    expect(right(await s.listDataKeys())).toHaveLength(1);
    expect(new Set(results.map((r) => r.check))).toStrictEqual(new Set([right(await s.keyCheck('kek'))]));
    await s.close();
  });
});
