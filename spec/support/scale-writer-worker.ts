// A writer to be killed: several lanes, each the only writer of its own names, set and delete as fast as they can.
// Before each operation it prints an intent line (with the value), and only after the service returned it prints the
// acknowledgement with the version the store took. Runs until killed.
//
// argv: <store spec JSON> <round> <lanes> <seed>; env: SECRETS_MASTER_KEYS.
import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { JsonValue } from '../../src/core/json-value.ts';
import type { RunContext } from '../../src/core/run-context.ts';
import {
  CRASH_WORKSPACE,
  crashNames,
  messageOf,
  seededRandom,
  type StoreSpec,
  openWorkerService,
} from './scale-stores.ts';

const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const main = async () => {
  const [specText, roundText, lanesText, seedText] = process.argv.slice(2) as [string, string, string, string];
  const spec = JSON.parse(specText) as StoreSpec;
  const round = Number(roundText);
  const lanes = Number(lanesText);
  const random = seededRandom(Number(seedText));
  const { service, ackOf } = await openWorkerService(spec);
  const ctx: RunContext = { workspaceId: CRASH_WORKSPACE, correlationId: `run-writer-${round}`, trigger: 'manual' };


  // Which names each lane knows to be live (it is their only writer), so that every delete removes something.
  const lane = async (j: number) => {
    const names = crashNames(lanes).filter((n) => n.startsWith(`l${j}-`));
    const live = new Set<string>();
    for (let i = 0; ; i++) {
      const name = names[Math.floor(random() * names.length)]!;
      const id = `r${round}l${j}i${i}`;
      if (live.has(name) && random() < 0.2) {
        out({ t: 'intent', op: 'delete', name, id });
        const del = await service.delete(ctx, { name, scope: 'workspace' });
        if (E.isLeft(del) || !('deleted' in del.right)) throw new Error(`delete of ${name} did not delete`);
        live.delete(name);
        out({ t: 'ack', op: 'delete', name, id, version: ackOf(name, 'delete') });
      } else {
        // Now and then a value of tens of kilobytes, so a write spans several pages.
        const big = random() < 0.1;
        const filler = randomBytes(big ? 15_000 : 12).toString('hex');
        const value: JsonValue = random() < 0.5 ? `${id}|${filler}|ünï ✓` : { id, filler, n: i };
        out({ t: 'intent', op: 'set', name, id, value });
        const set = await service.set(ctx, { name, value, scope: 'workspace' });
        if (E.isLeft(set) || typeof set.right !== 'string') throw new Error(`set of ${name} failed: ${E.isLeft(set) ? messageOf(set.left) : 'no reference'}`);
        live.add(name);
        out({ t: 'ack', op: 'set', name, id, version: ackOf(name, 'set') });
      }
    }
  };

  out({ t: 'ready' });
  await Promise.all(Array.from({ length: lanes }, (_, j) => lane(j)));
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
