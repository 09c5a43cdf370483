// PostgreSQL unreachable: the CLI fails fast with a clear message naming the store, whether the port is closed or a server
// accepts the connection and never answers; it never hangs and never prints key material.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { masterKeysText } from '../support/keys.ts';

const BIN = fileURLToPath(new URL('../../bin/secretref.js', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'secretref-unreachable-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const { SECRETS_REF_KEYS: _refKeys, SECRETREF_STORE: _store, ...inherited } = process.env;

/** Runs `secretref secrets list` against a store URL; resolves with the exit code and both outputs. */
const cliList = (store: string, masterKeys: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'secrets', 'list'], {
      cwd,
      env: { ...inherited, SECRETREF_STORE: store, SECRETS_MASTER_KEYS: masterKeys },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // Liveness bound: a CLI still running after 15 s is killed, and the test fails on its exit code.
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });

const keyHexOf = (masterKeys: string) => (JSON.parse(masterKeys) as { key: string }[]).map((k) => k.key);

describe('the CLI with PostgreSQL unreachable', () => {
  it('exits non-zero within seconds, naming the PostgreSQL store, when nothing listens on the port', { timeout: 20_000 }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const keys = masterKeysText();

    const r = await cliList(`postgres://postgres@127.0.0.1:${port}/test`, keys);

    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(/store/i);
    expect(r.stderr).toMatch(/postgres/i);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/refused|ECONNREFUSED/i);
    expect(r.stdout).toBe('');
    for (const k of keyHexOf(keys)) expect(r.stderr.includes(k)).toBe(false);
  });

  it('exits non-zero within seconds, naming the PostgreSQL store, when the server accepts and never answers', { timeout: 20_000 }, async () => {
    const sockets: Socket[] = [];
    let accepted = 0;
    const server = createServer((s) => {
      accepted++;
      sockets.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const keys = masterKeysText();
    try {
      const r = await cliList(`postgres://postgres:not-a-real-password@127.0.0.1:${port}/test`, keys);

      expect(accepted).toBeGreaterThan(0);
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr).toMatch(/store/i);
      expect(r.stderr).toMatch(/postgres/i);
      expect(r.stderr).toContain(`127.0.0.1:${port}`);
      expect(r.stderr).toMatch(/timed out|timeout/i);
      expect(r.stderr.includes('not-a-real-password')).toBe(false);
      for (const k of keyHexOf(keys)) expect(r.stderr.includes(k)).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
