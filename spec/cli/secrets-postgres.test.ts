// The CLI on PostgreSQL (SECRETREF_STORE=postgres://…): real processes, a throwaway database per file, real HTTP on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, cliPgTarget, type PgDatabase } from '../support/cli-pg.ts';
import { adminSql } from '../support/storage-pg.ts';
import { startLoopbackServer, type LoopbackServer } from '../support/cli-http.ts';
import { freshMasterKeys, generatedValue, holdsValue, keyEntry, keysText, messagesOf, runCli, tempDirs, writeFile } from '../support/cli-process.ts';

const target = await cliPgTarget();
if (target.url === undefined) console.warn(target.reason);

describe.skipIf(target.url === undefined)('secretref on PostgreSQL', () => {
  const dirs = tempDirs();
  let db: PgDatabase;
  let server: LoopbackServer;

  beforeAll(async () => {
    db = await createPgDatabase(target.url!);
    server = await startLoopbackServer();
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
    dirs.cleanup();
  });

  /** Everything the database holds in the CLI's tables, as text. */
  const dump = async (): Promise<string> => {
    const sql = adminSql(db.url);
    try {
      const tables = ['secrets', 'data_keys', 'key_checks'];
      const rows = await Promise.all(tables.map((t) => sql.unsafe(`SELECT * FROM public.${t} ORDER BY 1, 2`)));
      return JSON.stringify(rows);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };

  it('set (stdin), list, run (get + fetch to loopback), delete and get work across processes on one database, and it holds no plaintext', async () => {
    const dir = dirs.make('pg');
    const env = { SECRETS_MASTER_KEYS: freshMasterKeys('kek-pg'), SECRETREF_STORE: db.url };
    const cli = (args: readonly string[], stdin?: string) => runCli(args, { cwd: dir, env, ...(stdin === undefined ? {} : { stdin }) });
    const value = generatedValue('pg');

    const set = await cli(['secrets', 'set', 'apiKey', '--workspace', 'acme'], value);
    expect(set.code, set.stderr).toBe(0);
    const list = await cli(['secrets', 'list', '--workspace', 'acme']);
    expect(list.events()).toEqual([expect.objectContaining({ name: 'apiKey', scope: 'workspace', version: 1 })]);

    writeFile(
      dir,
      'call-api.yaml',
      `do:\n  - run:\n      module: secrets\n      function: get\n      parameters: { name: apiKey, scope: workspace }\n      output: keyRef\n  - fetch:\n      url: ${server.origin}/pg-run\n      headers:\n        Authorization: "Bearer {{keyRef}}"\n      output: response\n`,
    );
    const run = await cli(['run', 'call-api.yaml', '--workspace', 'acme']);
    expect(run.code, run.stderr).toBe(0);
    expect(server.at('/pg-run').map((r) => r.headers['authorization'])).toEqual([`Bearer ${value}`]);
    expect(holdsValue(run.stdout + run.stderr, value)).toBe(false);

    const stored = await dump();
    expect(stored).toContain('apiKey'); // the dump does read the rows
    expect(holdsValue(stored, value)).toBe(false);

    const del = await cli(['secrets', 'delete', 'apiKey', '--workspace', 'acme']);
    expect(del.events()).toEqual([{ deleted: true }]);
    const get = await cli(['secrets', 'get', 'apiKey', '--workspace', 'acme']);
    expect(get.code).toBe(1);
    expect(get.events()).toEqual([{ error: 'not_found' }]);
  });

  it('refuses a wrong master key with exit 2 and writes nothing to the database', async () => {
    const kid = 'kek-shared';
    const right = keysText(keyEntry(kid));
    const dir = dirs.make('pg');
    const value = generatedValue('pgw');
    expect((await runCli(['secrets', 'set', 'w', '--workspace', 'wrong-key'], { cwd: dir, env: { SECRETS_MASTER_KEYS: right, SECRETREF_STORE: db.url }, stdin: value })).code).toBe(0);
    const before = await dump();
    const wrong = await runCli(['secrets', 'set', 'w', '--workspace', 'wrong-key'], {
      cwd: dir,
      env: { SECRETS_MASTER_KEYS: keysText(keyEntry(kid)), SECRETREF_STORE: db.url },
      stdin: generatedValue('other'),
    });
    expect(wrong.code).toBe(2);
    expect(messagesOf(wrong, 'error').join('\n')).toMatch(/wrong master key/);
    expect(await dump()).toBe(before);
  });
});
