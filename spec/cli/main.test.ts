// The secretref entry point: help, unknown commands, exit codes.
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDirs } from '../support/cli-process.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe.concurrent('secretref', () => {
  it('help prints the usage of every command on stdout and exits 0', async () => {
    const r = await runCli(['help'], { cwd: dirs.make('main') });
    expect(r.code).toBe(0);
    for (const c of ['secretref run', 'secretref secrets set', 'secretref keys rotate', 'secretref demo', 'SECRETREF_STORE', 'SECRETS_MASTER_KEYS'])
      expect(r.stdout).toContain(c);
  });

  it('an unknown or missing command prints the usage on stderr and exits 2', async () => {
    const [unknown, none] = await Promise.all([runCli(['deploy'], { cwd: dirs.make('main') }), runCli([], { cwd: dirs.make('main') })]);
    for (const r of [unknown, none]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('usage:');
    }
  });
});
