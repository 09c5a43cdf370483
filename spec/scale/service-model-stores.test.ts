// The service's model-based test on the real stores: the same random set/get/delete/advance/resolve sequences as on memory,
// each on a fresh SQLite file or a fresh PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, it } from 'vitest';
import { openSqliteStorage } from '../../src/effects/node/sqlite-storage.ts';
import { checkServiceAgainstModel } from '../support/service-model.ts';
import { pgFixture, pgTarget } from '../support/storage-pg.ts';

/** 100 sequences per store by default; SECRETREF_MODEL_RUNS_STORES raises (or lowers) it. */
const runs = (() => {
  const n = Number(process.env['SECRETREF_MODEL_RUNS_STORES'] ?? 100);
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

const target = await pgTarget();
if (target.url === undefined) console.warn(target.reason);

describe('the secrets service against its model on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secretref-model-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it(`agrees with the model on ${runs} random sequences, each on a fresh SQLite file`, async () => {
    await checkServiceAgainstModel(async () => {
      const opened = openSqliteStorage(join(dir, `seq-${n++}`, 'secrets.db'));
      if (E.isLeft(opened)) throw new Error(`test setup: ${opened.left.message}`);
      return opened.right;
    }, runs);
  }, 300_000);
});

describe.skipIf(target.url === undefined)('the secrets service against its model on PostgreSQL', () => {
  const fx = pgFixture(target.url ?? '');
  afterAll(() => fx.cleanup(), 60_000);

  it(`agrees with the model on ${runs} random sequences, each in a fresh PostgreSQL schema`, async () => {
    await checkServiceAgainstModel(() => fx.make({ max: 2 }), runs);
  }, 300_000);
});
