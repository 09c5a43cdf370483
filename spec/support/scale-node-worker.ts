// One "node" of a multi-process test: opens the shared store with the shared master keys, then does random set / get /
// delete / list / resolve on a few shared names, printing every acknowledged write (with the version the store took) and
// every read as JSON lines. It also mints a reference for a sibling, or resolves one a sibling minted.
//
// argv: <store spec JSON> <index> <operations> <seed>; env: SECRETS_MASTER_KEYS.
// stdin (JSON lines): {t:'go'} starts the operations; {t:'mint'} sets the hand-off secret and prints its reference;
// {t:'resolve', ref} resolves a reference in the hand-off run; end of stdin lets the process exit once its operations are done.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from '../../src/core/json-value.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import {
  HANDOFF_CONTEXT,
  HANDOFF_NAME,
  SCALE_WORKSPACE,
  SHARED_NAMES,
  messageOf,
  seededRandom,
  type StoreSpec,
  openWorkerService,
} from './scale-stores.ts';

const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const main = async () => {
  const [specText, indexText, opsText, seedText] = process.argv.slice(2) as [string, string, string, string];
  const spec = JSON.parse(specText) as StoreSpec;
  const index = Number(indexText);
  const ops = Number(opsText);
  const random = seededRandom(Number(seedText));
  const { service, ackOf, close } = await openWorkerService(spec);
  const ctx: RunContext = { workspaceId: SCALE_WORKSPACE, correlationId: `run-node-${index}`, trigger: 'manual' };


  const resolveAndRecord = async (c: RunContext, name: string, ref: string, seq: number) => {
    const r = await service.resolve(c, ref);
    if (E.isRight(r)) out({ t: 'ev', k: 'read', seq, name, version: r.right.version, value: r.right.value });
    else if (r.left.code === 'not_found') out({ t: 'ev', k: 'read', seq, name, notFound: true });
    else out({ t: 'ev', k: 'error', seq, op: 'resolve', message: messageOf(r.left) });
  };

  const valueFor = (id: string): JsonValue =>
    random() < 0.5 ? `${id}|${randomBytes(12).toString('base64url')}|ünïcødé ✓ 秘密` : { id, text: `🔑 ${randomBytes(12).toString('hex')}`, n: Math.floor(random() * 1e6) };

  const run = async () => {
    for (let seq = 0; seq < ops; seq++) {
      const name = SHARED_NAMES[Math.floor(random() * SHARED_NAMES.length)]!;
      const r = random();
      if (r < 0.4) {
        const id = `p${index}s${seq}`;
        const value = valueFor(id);
        const set = await service.set(ctx, { name, value, scope: 'workspace' });
        if (E.isLeft(set) || typeof set.right !== 'string') {
          out({ t: 'ev', k: 'error', seq, op: 'set', message: E.isLeft(set) ? messageOf(set.left) : JSON.stringify(set.right) });
          continue;
        }
        out({ t: 'ev', k: 'set', seq, name, id, version: ackOf(name, 'set'), value });
        await resolveAndRecord(ctx, name, set.right, seq);
      } else if (r < 0.7) {
        const got = await service.get(ctx, { name, scope: 'workspace' });
        if (E.isLeft(got)) out({ t: 'ev', k: 'error', seq, op: 'get', message: messageOf(got.left) });
        else if (typeof got.right === 'string') await resolveAndRecord(ctx, name, got.right, seq);
        else if (got.right.error === 'not_found') out({ t: 'ev', k: 'read', seq, name, notFound: true });
        else out({ t: 'ev', k: 'error', seq, op: 'get', message: JSON.stringify(got.right) });
      } else if (r < 0.85) {
        const del = await service.delete(ctx, { name, scope: 'workspace' });
        if (E.isLeft(del)) out({ t: 'ev', k: 'error', seq, op: 'delete', message: messageOf(del.left) });
        else if ('deleted' in del.right) out({ t: 'ev', k: 'delete', seq, name, version: ackOf(name, 'delete') });
        else if (del.right.error !== 'not_found') out({ t: 'ev', k: 'error', seq, op: 'delete', message: JSON.stringify(del.right) });
      } else {
        const listed = await service.list(ctx, { scope: 'workspace' });
        if (E.isLeft(listed)) out({ t: 'ev', k: 'error', seq, op: 'list', message: messageOf(listed.left) });
        else out({ t: 'ev', k: 'list', seq, versions: Object.fromEntries(listed.right.map((m) => [m.identity.name, m.version])) });
      }
    }
  };

  let started: Promise<void> | undefined;
  const handoff: Promise<void>[] = [];
  out({ t: 'ready' });
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (text) => {
    const msg = JSON.parse(text) as { t: string; ref?: string };
    if (msg.t === 'go') started = run();
    else if (msg.t === 'mint')
      handoff.push(
        (async () => {
          const value = { id: `p${index}-handoff`, secret: randomBytes(16).toString('base64') };
          const set = await service.set(HANDOFF_CONTEXT, { name: HANDOFF_NAME, value, scope: 'workspace' });
          if (E.isLeft(set) || typeof set.right !== 'string') {
            out({ t: 'minted', ok: false });
            return;
          }
          out({ t: 'ev', k: 'set', seq: -1, name: HANDOFF_NAME, id: value.id, version: ackOf(HANDOFF_NAME, 'set'), value });
          out({ t: 'minted', ok: true, ref: set.right, value });
        })(),
      );
    else if (msg.t === 'resolve')
      handoff.push(
        (async () => {
          const code = (r: E.Either<{ code: string }, unknown>) => (E.isLeft(r) ? r.left.code : 'resolved');
          const same = await service.resolve(HANDOFF_CONTEXT, msg.ref!);
          const otherRun = await service.resolve({ ...HANDOFF_CONTEXT, correlationId: 'run-elsewhere' }, msg.ref!);
          const otherWorkspace = await service.resolve({ ...HANDOFF_CONTEXT, workspaceId: 'ws-elsewhere' }, msg.ref!);
          out({
            t: 'resolved',
            code: code(same),
            ...(E.isRight(same) ? { value: same.right.value } : {}),
            otherRun: code(otherRun),
            otherWorkspace: code(otherWorkspace),
          });
        })(),
      );
  });
  await new Promise<void>((resolve) => rl.on('close', resolve));
  await started;
  await Promise.all(handoff);
  await close();
  out({ t: 'done' });
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
