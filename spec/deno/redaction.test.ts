// Deno suite for what keeps values in: references bound to their workspace and run, and the redactor with its encodings, from the main entry.
import assert from 'node:assert/strict';
import { createRedactor, manualClock, openSecrets, REDACTED } from '../../src/mod.ts';

const hex = (n: number): string => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');

Deno.test('a reference does not open in another workspace or another run on Deno', async () => {
  const opened = await openSecrets({ masterKeys: JSON.stringify([{ kid: 'k1', key: hex(32), active: true }]), clock: manualClock(Date.UTC(2026, 10, 26)) });
  if (opened._tag === 'Left') throw new Error('did not open');
  const service = opened.right;
  const ctx = { workspaceId: 'ws-a', correlationId: 'run-1', trigger: 'manual', userId: 'u' } as const;
  const set = await service.set(ctx, { name: 'k', value: `v-${hex(16)}`, scope: 'workspace' });
  const ref = (set as { right: string }).right;
  const elsewhere = await service.resolve({ ...ctx, workspaceId: 'ws-b' }, ref);
  const laterRun = await service.resolve({ ...ctx, correlationId: 'run-2' }, ref);
  assert.equal(elsewhere._tag === 'Left' && elsewhere.left.code, 'other_workspace');
  assert.equal(laterRun._tag === 'Left' && laterRun.left.code, 'other_run');
  const altered = `${ref.slice(0, -2)}${ref.endsWith('A') ? 'B' : 'A'}${ref.slice(-1)}`;
  const tampered = await service.resolve(ctx, altered);
  assert.equal(tampered._tag === 'Left' && tampered.left.code, 'tampered');
});

Deno.test('the redactor masks a value and the encodings a service echoes back, on Deno', () => {
  const value = `p@ss ${hex(8)}/é`;
  const r = createRedactor({ decoder: () => {
    const d = new TextDecoder('utf-8', { fatal: false });
    return { decode: (bytes: Uint8Array) => d.decode(bytes, { stream: true }), flush: () => d.decode() };
  } });
  r.addSecret(value);
  const bytes = new TextEncoder().encode(value);
  const forms = [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    btoa(String.fromCharCode(...bytes)),
    Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''),
  ];
  for (const form of forms) assert.equal(r.redactText(`echo: ${form} end`), `echo: ${REDACTED} end`);
  assert.deepEqual(r.redactStructured({ nested: [{ text: `x${value}y` }] }), { nested: [{ text: `x${REDACTED}y` }] });

  // the stream masks a value split at every byte, with the platform's TextDecoder
  const text = new TextEncoder().encode(`before ${value} after`);
  for (let cut = 1; cut < text.length; cut++) {
    const s = r.stream();
    const out = s.write(text.subarray(0, cut)) + s.write(text.subarray(cut)) + s.end();
    assert.equal(out, `before ${REDACTED} after`);
  }
});
