// `secretref demo` and `npm start`: the specification's OAuth example, as written, against loopback servers.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshMasterKeys, REPO_ROOT, runCli, tempDirs, type CliResult } from '../support/cli-process.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** The demo's stdout: JSON event lines, then a blank line and the verdict. */
const split = (r: CliResult) => {
  const at = r.stdout.indexOf('\nverdict\n');
  return { events: r.stdout.slice(0, Math.max(at, 0)), verdict: at < 0 ? '' : r.stdout.slice(at) };
};

const expectPassingDemo = (r: CliResult) => {
  expect(r.code, r.stderr).toBe(0);
  const { events, verdict } = split(r);
  expect(verdict).toMatch(/run of call-with-oauth:\s+succeeded/);
  expect(verdict).toMatch(/OAuth server received the client secret:\s+yes/);
  expect(verdict).toMatch(/API received the OAuth token:\s+yes/);
  expect(verdict).toMatch(/plaintext in \d+ events:\s+none/);
  expect(verdict).toMatch(/plaintext in \d+ log lines:\s+none/);
  expect(verdict).toMatch(/plaintext in the store \(sqlite [^)]*\): none/);
  expect(verdict.trimEnd().split('\n').at(-1)).toMatch(/=> PASS$/);
  const lines = events.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; payload: Record<string, unknown> });
  const executed = lines.filter((e) => e.type === 'runtime.automations.executed');
  expect(executed).toHaveLength(1);
  expect(executed[0]!.payload).toMatchObject({ slug: 'call-with-oauth' });
  expect(executed[0]!.payload).not.toHaveProperty('error');
};

describe.concurrent('secretref demo', () => {
  it('passes in a fresh directory with the development key: both servers got what they needed, and no plaintext anywhere', async () => {
    const cwd = dirs.make('demo');
    const r = await runCli(['demo'], { cwd });
    expectPassingDemo(r);
  });

  it('npm start runs the same demo', async () => {
    const cwd = dirs.make('npm-start');
    // npm runs the script in the package root; the store and key are pointed at the temp dir so nothing lands in the checkout
    const r = await runCli(['run', '--silent', 'start'], {
      cwd: REPO_ROOT,
      command: ['npm'],
      env: { SECRETREF_STORE: `sqlite:${join(cwd, 'demo.db')}`, SECRETS_MASTER_KEYS: freshMasterKeys() },
    });
    expectPassingDemo(r);
  });

  it('runs the specification\'s example byte for byte', () => {
    const bundled = readFileSync(join(REPO_ROOT, 'src/cli/demo/call-with-oauth.yaml'));
    const spec = readFileSync(join(REPO_ROOT, 'spec/fixtures/spec-examples/call-with-oauth.yaml'));
    expect(bundled.equals(spec)).toBe(true);
  });

  it('refuses arguments with exit 2', async () => {
    const r = await runCli(['demo', '--fast'], { cwd: dirs.make('demo'), env: { SECRETS_MASTER_KEYS: freshMasterKeys() } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
