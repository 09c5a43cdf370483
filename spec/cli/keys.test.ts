// `secretref keys generate|rotate|rotate-data` and wrong-key detection, as real processes on a real SQLite file.
import { afterAll, describe, expect, it } from 'vitest';
import { parseKeySet } from '../../src/core/key-config.ts';
import { generatedValue, holdsValue, keyEntry, keysText, messagesOf, runCli, storeFingerprint, tempDirs, writeFile, type CliResult } from '../support/cli-process.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

type Entry = { kid: string; key: string; active: boolean };
const inactive = (e: Entry): Entry => ({ ...e, active: false });

describe.concurrent('secretref keys', () => {
  it('keys generate prints one entry {kid, key (64 hex), active} usable as SECRETS_MASTER_KEYS, different at each run', async () => {
    const cwd = dirs.make('keys');
    const [a, b, off, badKid] = await Promise.all([
      runCli(['keys', 'generate', '--kid', 'kek-a'], { cwd }),
      runCli(['keys', 'generate'], { cwd }),
      runCli(['keys', 'generate', '--kid', 'kek-old', '--inactive'], { cwd }),
      runCli(['keys', 'generate', '--kid', 'has space'], { cwd }),
    ]);
    for (const r of [a, b, off]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    }
    const [ea, eb, eoff] = [a, b, off].map((r) => JSON.parse(r.stdout) as Entry);
    expect(ea).toEqual({ kid: 'kek-a', key: expect.stringMatching(/^[0-9a-f]{64}$/), active: true });
    expect(eb).toEqual({ kid: expect.stringMatching(/^kek-\d{4}-\d{2}-\d{2}$/), key: expect.stringMatching(/^[0-9a-f]{64}$/), active: true });
    expect(eoff).toMatchObject({ kid: 'kek-old', active: false });
    expect(new Set([ea!.key, eb!.key, eoff!.key]).size).toBe(3);
    expect(parseKeySet('SECRETS_MASTER_KEYS', `[${a.stdout.trim()},${off.stdout.trim()}]`)._tag).toBe('Right');
    expect(badKid.code).toBe(2);
    expect(badKid.stdout).toBe('');
  });

  it('rotation end to end: old secrets read under [A inactive, B active]; keys rotate rewraps and names A as removable; again rewraps nothing; then [B] alone reads everything', async () => {
    const cwd = dirs.make('rotate');
    const A = keyEntry('kek-a');
    const B = keyEntry('kek-b');
    const cli = (keys: readonly Entry[], args: readonly string[], stdin?: string) =>
      runCli(args, { cwd, env: { SECRETS_MASTER_KEYS: keysText(...keys) }, ...(stdin === undefined ? {} : { stdin }) });
    const values = { s1: generatedValue('s1'), s2: generatedValue('s2'), u1: generatedValue('u1') };
    const outputs: CliResult[] = [];
    const step = async (r: Promise<CliResult>) => {
      const done = await r;
      outputs.push(done);
      return done;
    };

    // with A: two workspaces, one user secret
    expect((await step(cli([A], ['secrets', 'set', 's1'], values.s1))).code).toBe(0);
    expect((await step(cli([A], ['secrets', 'set', 's2', '--workspace', 'w2'], values.s2))).code).toBe(0);
    expect((await step(cli([A], ['secrets', 'set', 'u1', '--scope', 'user', '--user', 'alice'], values.u1))).code).toBe(0);

    // A removed too early: a data key wrapped with A cannot be opened, and the error names A
    const early = await step(cli([B], ['secrets', 'get', 's1', '--reveal']));
    expect(early.code).toBe(1);
    expect(messagesOf(early, 'error').join('\n')).toMatch(/kek-a/);

    // add B as active, keep A inactive: old secrets still read
    const both = [inactive(A), B];
    const before = await step(cli(both, ['secrets', 'get', 's1', '--reveal']));
    expect(before.stdout).toBe(`${values.s1}\n`);

    const rotate = await step(cli(both, ['keys', 'rotate']));
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.events()).toEqual([{ activeMasterKid: 'kek-b', total: 2, rewrapped: 2, alreadyCurrent: 0, unusedMasterKids: ['kek-a'] }]);
    expect(messagesOf(rotate, 'info').join('\n')).toMatch(/"kek-a" no longer wraps any data key: remove it/);

    const again = await step(cli(both, ['keys', 'rotate']));
    expect(again.code, again.stderr).toBe(0);
    expect(again.events()).toEqual([{ activeMasterKid: 'kek-b', total: 2, rewrapped: 0, alreadyCurrent: 2, unusedMasterKids: ['kek-a'] }]);

    // A removed after rotation: everything still reads
    const after = await Promise.all([
      step(cli([B], ['secrets', 'get', 's1', '--reveal'])),
      step(cli([B], ['secrets', 'get', 's2', '--workspace', 'w2', '--reveal'])),
      step(cli([B], ['secrets', 'get', 'u1', '--scope', 'user', '--user', 'alice', '--reveal'])),
    ]);
    expect(after.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(after.map((r) => r.stdout)).toEqual([`${values.s1}\n`, `${values.s2}\n`, `${values.u1}\n`]);

    // keys rotate-data: a new data key for the workspace, every value of it re-encrypted, versions grow
    const data = await step(cli([B], ['keys', 'rotate-data', '--workspace', 'default']));
    expect(data.code, data.stderr).toBe(0);
    expect(data.events()).toEqual([{ workspace: 'default', dataKeyId: expect.any(String), reencrypted: 2, skipped: 0, unreadable: [] }]);
    const [s1, u1, listed, listedUser, w2] = await Promise.all([
      step(cli([B], ['secrets', 'get', 's1', '--reveal'])),
      step(cli([B], ['secrets', 'get', 'u1', '--scope', 'user', '--user', 'alice', '--reveal'])),
      step(cli([B], ['secrets', 'list'])),
      step(cli([B], ['secrets', 'list', '--scope', 'user', '--user', 'alice'])),
      step(cli([B], ['secrets', 'list', '--workspace', 'w2'])),
    ]);
    expect([s1.stdout, u1.stdout]).toEqual([`${values.s1}\n`, `${values.u1}\n`]);
    expect(listed.events()).toEqual([expect.objectContaining({ name: 's1', version: 2 })]);
    expect(listedUser.events()).toEqual([expect.objectContaining({ name: 'u1', version: 2 })]);
    expect(w2.events()).toEqual([expect.objectContaining({ name: 's2', version: 1 })]);

    // a value appears only where --reveal asked for it, and nowhere else
    for (const r of outputs)
      for (const v of Object.values(values)) expect(holdsValue(r.stdout === `${v}\n` ? r.stderr : r.stdout + r.stderr, v)).toBe(false);
  });

  it('a malformed SECRETS_MASTER_KEYS exits 2 naming the problem, never echoing key material', async () => {
    const cwd = dirs.make('keys');
    const material = `${'ab'.repeat(31)}zz`; // 64 characters, not hex
    const [notHex, twoActive] = await Promise.all([
      runCli(['secrets', 'list'], { cwd, env: { SECRETS_MASTER_KEYS: JSON.stringify([{ kid: 'k', key: material, active: true }]) } }),
      runCli(['secrets', 'list'], { cwd, env: { SECRETS_MASTER_KEYS: keysText(keyEntry('k1'), keyEntry('k2')) } }),
    ]);
    expect(notHex.code).toBe(2);
    expect(messagesOf(notHex, 'error').join('\n')).toMatch(/SECRETS_MASTER_KEYS\[0\]\.key/);
    expect(notHex.stderr).not.toContain(material);
    expect(twoActive.code).toBe(2);
    expect(messagesOf(twoActive, 'error').join('\n')).toMatch(/exactly one key/);
  });

  it('keys rotate-data without --workspace exits 2', async () => {
    const cwd = dirs.make('keys');
    const r = await runCli(['keys', 'rotate-data'], { cwd, env: { SECRETS_MASTER_KEYS: keysText(keyEntry('k')) } });
    expect(r.code).toBe(2);
    expect(messagesOf(r, 'error').join('\n')).toMatch(/--workspace/);
  });

  it('keys rotate-data for a workspace that holds no secret exits 2 naming --workspace, and the workspace still has none', async () => {
    const cwd = dirs.make('keys');
    const env = { SECRETS_MASTER_KEYS: keysText(keyEntry('k')) };
    expect((await runCli(['secrets', 'set', 'kept'], { cwd, env, stdin: generatedValue('t') })).code).toBe(0);
    const r = await runCli(['keys', 'rotate-data', '--workspace', 'defualt'], { cwd, env });
    expect(r.code).toBe(2);
    expect(messagesOf(r, 'error').join('\n')).toMatch(/--workspace: .*"defualt" has no data key/);
    // Had the refusal created a data key, the second try would rotate it and exit 0.
    const again = await runCli(['keys', 'rotate-data', '--workspace', 'defualt'], { cwd, env });
    expect(again.code).toBe(2);
  });

  it('a different master key under the same kid is refused at start with exit 2 ("wrong master key") and nothing is written', async () => {
    const cwd = dirs.make('wrong');
    const right = keysText(keyEntry('kek-1'));
    const wrong = keysText(keyEntry('kek-1'));
    const value = generatedValue('w');
    expect((await runCli(['secrets', 'set', 'kept'], { cwd, env: { SECRETS_MASTER_KEYS: right }, stdin: value })).code).toBe(0);
    writeFile(cwd, 'noop.yaml', 'do:\n  - emit: { event: ran, payload: {} }\n');
    const before = storeFingerprint(cwd);
    expect(Object.keys(before)).toContain('secrets.db');

    const attempts = await Promise.all([
      runCli(['secrets', 'get', 'kept', '--reveal'], { cwd, env: { SECRETS_MASTER_KEYS: wrong } }),
      runCli(['secrets', 'set', 'kept'], { cwd, env: { SECRETS_MASTER_KEYS: wrong }, stdin: generatedValue('x') }),
      runCli(['keys', 'rotate'], { cwd, env: { SECRETS_MASTER_KEYS: wrong } }),
      runCli(['run', 'noop.yaml'], { cwd, env: { SECRETS_MASTER_KEYS: wrong } }),
    ]);
    for (const r of attempts) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(messagesOf(r, 'error').join('\n')).toMatch(/wrong master key/);
    }
    expect(storeFingerprint(cwd)).toEqual(before);

    const reveal = await runCli(['secrets', 'get', 'kept', '--reveal'], { cwd, env: { SECRETS_MASTER_KEYS: right } });
    expect(reveal.stdout).toBe(`${value}\n`);
  });
});
