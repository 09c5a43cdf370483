// `secretref secrets set|get|delete|list` as real processes on a real SQLite file in a temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseKeySet } from '../../src/core/key-config.ts';
import { startLoopbackServer, type LoopbackServer } from '../support/cli-http.ts';
import { freshMasterKeys, generatedValue, holdsValue, messagesOf, runCli, storeFingerprint, tempDirs, writeFile } from '../support/cli-process.ts';

const dirs = tempDirs();
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(async () => {
  await server.close();
  dirs.cleanup();
});

/** A temp dir and a CLI bound to it, with a fresh master key (or the environment given). */
const workspaceDir = (env: Readonly<Record<string, string | undefined>> = { SECRETS_MASTER_KEYS: freshMasterKeys() }) => {
  const dir = dirs.make('secrets');
  const cli = (args: readonly string[], stdin?: string) => runCli(args, { cwd: dir, env, ...(stdin === undefined ? {} : { stdin }) });
  return { dir, env, cli };
};

describe.concurrent('secretref secrets (SQLite)', () => {
  it('set takes the value from stdin and prints metadata; get prints metadata; get --reveal prints the value; list shows metadata only', async () => {
    const { cli } = workspaceDir();
    const value = generatedValue('key');

    const set = await cli(['secrets', 'set', 'apiKey', '--ttl', '3600', '--allowed-host', 'api.example.test', '--allowed-host', '127.0.0.1'], `${value}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.events()).toEqual([expect.objectContaining({ stored: true, name: 'apiKey', scope: 'workspace', owner: null, version: 1 })]);

    const get = await cli(['secrets', 'get', 'apiKey']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.events()).toEqual([expect.objectContaining({ exists: true, name: 'apiKey', version: 1 })]);

    const reveal = await cli(['secrets', 'get', 'apiKey', '--reveal']);
    expect(reveal.code, reveal.stderr).toBe(0);
    expect(reveal.stdout).toBe(`${value}\n`); // one trailing newline of stdin is dropped, one is printed

    const list = await cli(['secrets', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const [row, ...more] = list.events();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ name: 'apiKey', scope: 'workspace', owner: null, version: 1, allowedHosts: ['api.example.test', '127.0.0.1'] });
    const expiresIn = Date.parse(String(row!['expiresAt'])) - Date.parse(String(row!['createdAt']));
    expect(expiresIn).toBe(3600 * 1000);

    for (const r of [set, get, list]) expect(holdsValue(r.stdout + r.stderr, value)).toBe(false);
    expect(holdsValue(reveal.stderr, value)).toBe(false);
  });

  it('--json stores a JSON value that comes back typed through --reveal', async () => {
    const { cli } = workspaceDir();
    const value = { token: generatedValue('j'), retries: 3, on: true, scopes: ['read', 'write'], none: null };
    const set = await cli(['secrets', 'set', 'creds', '--json'], JSON.stringify(value));
    expect(set.code, set.stderr).toBe(0);
    expect(holdsValue(set.stdout + set.stderr, value.token)).toBe(false);
    const reveal = await cli(['secrets', 'get', 'creds', '--reveal']);
    expect(reveal.code, reveal.stderr).toBe(0);
    expect(JSON.parse(reveal.stdout)).toEqual(value);
  });

  it('refuses a value on the command line with exit 2, never echoes it, and writes nothing', async () => {
    const { dir, cli } = workspaceDir();
    const value = generatedValue('argv');
    const attempts = await Promise.all([
      cli(['secrets', 'set', 'apiKey', '--value', value]),
      cli(['secrets', 'set', 'apiKey', `--value=${value}`]),
      cli(['secrets', 'set', 'apiKey', value]),
      cli(['secrets', 'set', 'apiKey', '--scope', value]),
    ]);
    for (const r of attempts) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(holdsValue(r.stderr, value)).toBe(false);
    }
    expect(storeFingerprint(dir)).toEqual({});
  });

  it('refuses an empty stdin with exit 2', async () => {
    const { cli } = workspaceDir();
    const r = await cli(['secrets', 'set', 'apiKey'], '');
    expect(r.code).toBe(2);
    expect(messagesOf(r, 'error').join('\n')).toMatch(/stdin/);
  });

  it('delete removes the secret: get and a second delete then answer not_found with exit 1', async () => {
    const { cli } = workspaceDir();
    expect((await cli(['secrets', 'set', 'gone'], generatedValue())).code).toBe(0);
    const del = await cli(['secrets', 'delete', 'gone']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.events()).toEqual([{ deleted: true }]);
    const [get, again, list] = await Promise.all([cli(['secrets', 'get', 'gone', '--reveal']), cli(['secrets', 'delete', 'gone']), cli(['secrets', 'list'])]);
    expect(get.code).toBe(1);
    expect(get.events()).toEqual([{ error: 'not_found' }]);
    expect(again.code).toBe(1);
    expect(again.events()).toEqual([{ error: 'not_found' }]);
    expect(list.events()).toEqual([]);
  });

  it('sweep drops the ciphertext of expired secrets and reports how many; live secrets stay', async () => {
    const { cli } = workspaceDir();
    expect((await cli(['secrets', 'set', 'short', '--ttl', '0.001'], generatedValue())).code).toBe(0);
    expect((await cli(['secrets', 'set', 'kept'], generatedValue())).code).toBe(0);
    const sweep = await cli(['secrets', 'sweep']);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.events()).toEqual([{ swept: 1 }]);
    const list = await cli(['secrets', 'list']);
    expect(list.events().map((m) => m['name'])).toEqual(['kept']);
  });

  it('user scope needs --user (user_required, exit 1) and is private to that user', async () => {
    const { cli } = workspaceDir();
    const value = generatedValue('mine');
    const noUser = await cli(['secrets', 'set', 'personal', '--scope', 'user'], value);
    expect(noUser.code).toBe(1);
    expect(noUser.events()).toEqual([{ error: 'user_required' }]);

    expect((await cli(['secrets', 'set', 'personal', '--scope', 'user', '--user', 'alice'], value)).code).toBe(0);
    const [mine, theirs, anonymous, list, listAnyone] = await Promise.all([
      cli(['secrets', 'get', 'personal', '--scope', 'user', '--user', 'alice', '--reveal']),
      cli(['secrets', 'get', 'personal', '--scope', 'user', '--user', 'bob']),
      cli(['secrets', 'get', 'personal', '--scope', 'user']),
      cli(['secrets', 'list', '--scope', 'user', '--user', 'alice']),
      cli(['secrets', 'list', '--scope', 'user']),
    ]);
    expect(mine.stdout).toBe(`${value}\n`);
    expect(theirs.code).toBe(1);
    expect(theirs.events()).toEqual([{ error: 'not_found' }]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.events()).toEqual([{ error: 'user_required' }]);
    expect(list.events()).toEqual([expect.objectContaining({ name: 'personal', scope: 'user', owner: 'alice', version: 1 })]);
    expect(listAnyone.code, listAnyone.stderr).toBe(2); // listing user secrets names a user
    expect(listAnyone.stdout).toBe('');

    // bob's own secret of the same name: set and get describe bob's, never alice's
    const bobSet = await cli(['secrets', 'set', 'personal', '--scope', 'user', '--user', 'bob', '--ttl', '60'], generatedValue('bob'));
    expect(bobSet.events()).toEqual([expect.objectContaining({ stored: true, name: 'personal', owner: 'bob', version: 1 })]);
    const bobGet = await cli(['secrets', 'get', 'personal', '--scope', 'user', '--user', 'bob']);
    expect(bobGet.events()).toEqual([expect.objectContaining({ exists: true, name: 'personal', owner: 'bob', version: 1 })]);
    expect(bobSet.stdout + bobGet.stdout).not.toContain('alice');
  });

  it('processes starting together without SECRETS_MASTER_KEYS agree on one development key', async () => {
    const { dir, cli } = workspaceDir({});
    const runs = await Promise.all(Array.from({ length: 6 }, () => cli(['secrets', 'list'])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    const file = join(dir, '.secretref', 'dev-master-keys.json');
    expect(parseKeySet('SECRETS_MASTER_KEYS', readFileSync(file, 'utf8'))._tag).toBe('Right');
    expect(readdirSync(join(dir, '.secretref')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('without SECRETS_MASTER_KEYS it warns, generates a private development key under .secretref/, and the next process reuses it', async () => {
    const { dir, cli } = workspaceDir({});
    const value = generatedValue('dev');
    const set = await cli(['secrets', 'set', 'devSecret'], value);
    expect(set.code, set.stderr).toBe(0);
    expect(messagesOf(set, 'warn').join('\n')).toMatch(/SECRETS_MASTER_KEYS is not set.*dev-master-keys\.json/);
    const file = join(dir, '.secretref', 'dev-master-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseKeySet('SECRETS_MASTER_KEYS', readFileSync(file, 'utf8'))._tag).toBe('Right');

    const reveal = await cli(['secrets', 'get', 'devSecret', '--reveal']);
    expect(reveal.code, reveal.stderr).toBe(0);
    expect(reveal.stdout).toBe(`${value}\n`);
  });

  it('a secret set by `secrets set` in one process is sent by `run` in another: the server receives the value', async () => {
    const { dir, cli } = workspaceDir();
    const value = generatedValue('api');
    expect((await cli(['secrets', 'set', 'apiKey'], value)).code).toBe(0);
    writeFile(
      dir,
      'call-api.yaml',
      `do:\n  - run:\n      module: secrets\n      function: get\n      parameters:\n        name: apiKey\n        scope: workspace\n      output: keyRef\n  - fetch:\n      url: ${server.origin}/secrets-sqlite\n      headers:\n        X-Api-Key: "{{keyRef}}"\n      output: response\n`,
    );
    const run = await cli(['run', 'call-api.yaml']);
    expect(run.code, run.stderr).toBe(0);
    expect(server.at('/secrets-sqlite').map((r) => r.headers['x-api-key'])).toEqual([value]);
    expect(holdsValue(run.stdout + run.stderr, value)).toBe(false);
  });

  it('an unknown SECRETREF_STORE exits 2 and an unreachable PostgreSQL exits 1, naming host:port but never the password', async () => {
    const password = generatedValue('pw');
    const [unknown, unreachable] = await Promise.all([
      runCli(['secrets', 'list'], { cwd: workspaceDir().dir, env: { SECRETS_MASTER_KEYS: freshMasterKeys(), SECRETREF_STORE: 'mysql://db/secrets' } }),
      runCli(['secrets', 'list'], { cwd: workspaceDir().dir, env: { SECRETS_MASTER_KEYS: freshMasterKeys(), SECRETREF_STORE: `postgres://app:${password}@127.0.0.1:1/secrets` } }),
    ]);
    expect(unknown.code).toBe(2);
    expect(messagesOf(unknown, 'error').join('\n')).toMatch(/SECRETREF_STORE/);
    expect(unreachable.code).toBe(1);
    const message = messagesOf(unreachable, 'error').join('\n');
    expect(message).toMatch(/127\.0\.0\.1:1/);
    expect(message).toMatch(/connection refused/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(password);
  });

  it('a PostgreSQL address whose peer accepts and closes the connection exits 1 with a clear error instead of hanging', async () => {
    // what a load balancer without a backend, or another service on the port, does
    const sockets = new Set<Socket>();
    const peer = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const { port } = peer.address() as AddressInfo;
    try {
      const r = await runCli(['secrets', 'list'], {
        cwd: workspaceDir().dir,
        env: { SECRETS_MASTER_KEYS: freshMasterKeys(), SECRETREF_STORE: `postgres://app@127.0.0.1:${port}/secrets` },
        hungAfterMs: 20_000, // the connect timeout is 5 s; a child still running long after it is the bug
      });
      expect(r.code).toBe(1);
      const message = messagesOf(r, 'error').join('\n');
      expect(message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
      // the cause is the missing handshake, not whatever a storm of reconnections ends up hitting
      expect(message).toMatch(/CONNECT_TIMEOUT/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
  });

  it('exits 2 on a usage error of secrets: unknown action, missing name, unknown scope', async () => {
    const { cli } = workspaceDir();
    const results = await Promise.all([cli(['secrets', 'rename', 'a']), cli(['secrets', 'get']), cli(['secrets', 'list', '--scope', 'team'])]);
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});
