// A separate process for multi-process SQLite tests: waits for a go signal, then opens the store and races its siblings.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { openSqliteStorage } from '../../src/effects/node/sqlite-storage.ts';

const [path, goFile, index, increments] = process.argv.slice(2) as [string, string, string, string];
const id = { workspaceId: 'ws-shared', scope: 'workspace' as const, ownerId: '', name: 'counter' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const main = async () => {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await sleep(5);
  const opened = openSqliteStorage(path);
  if (E.isLeft(opened)) throw new Error(opened.left.message);
  const s = opened.right;
  let applied = 0;
  let conflicts = 0;
  while (applied < Number(increments)) {
    const r = await s.read(id, 0);
    if (E.isLeft(r)) throw new Error(r.left.message);
    const v = r.right.version;
    // Widen the window between read and write, so siblings really do race for the same version.
    await sleep(Math.random() < 0.5 ? 0 : 1);
    const w = await s.write(
      { identity: id, version: v + 1, payload: randomBytes(16).toString('base64'), createdAt: 0, updatedAt: 0, expiresAt: null, allowedHosts: null },
      v,
    );
    if (E.isRight(w)) applied++;
    else if (w.left._tag === 'VersionConflict') conflicts++;
    else throw new Error(w.left.message);
  }
  const key = await s.ensureActiveDataKey({ workspaceId: 'ws-shared', id: `dk-${index}`, wrapped: `w-${index}`, kekId: 'kek', active: false, createdAt: 0 });
  const check = await s.ensureKeyCheck('kek', `blob-${index}`);
  await s.close();
  if (E.isLeft(key) || E.isLeft(check)) throw new Error('data key or key check failed');
  process.stdout.write(`${JSON.stringify({ applied, conflicts, keyId: key.right.id, check: check.right })}\n`);
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
