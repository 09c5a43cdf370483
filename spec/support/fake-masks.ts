// Test-only masks: record what the runtime registers, and redact by plain replaceAll of every registered string.
import type { Masks } from '../../src/runtime/run-env.ts';

export const REDACTED = '[REDACTED]';

export interface FakeMasks extends Masks {
  /** Values passed to addSecret, in order. */
  readonly secrets: unknown[];
  /** Strings passed to addExact, in order. */
  readonly exact: string[];
  /** Every registered string (secret text forms and exact strings). */
  readonly registered: () => readonly string[];
}

const stringForms = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  const out = [JSON.stringify(value)];
  const leaves = (u: unknown): void => {
    if (typeof u === 'string') out.push(u);
    else if (Array.isArray(u)) u.forEach(leaves);
    else if (typeof u === 'object' && u !== null) Object.values(u).forEach(leaves);
  };
  leaves(value);
  return out;
};

export const fakeMasks = (): FakeMasks => {
  const secrets: unknown[] = [];
  const exact: string[] = [];
  const patterns = new Set<string>();
  const redactText = (s: string): string => {
    let out = s;
    // Longest first, so a registered string that contains another is replaced whole.
    for (const p of [...patterns].sort((a, b) => b.length - a.length)) if (p !== '') out = out.replaceAll(p, REDACTED);
    return out;
  };
  const redact = (u: unknown): unknown => {
    if (typeof u === 'string') return redactText(u);
    if (Array.isArray(u)) return u.map(redact);
    if (typeof u === 'object' && u !== null) return Object.fromEntries(Object.entries(u).map(([k, v]) => [redactText(k), redact(v)]));
    return u;
  };
  return {
    secrets,
    exact,
    registered: () => [...patterns],
    addSecret: (value) => {
      secrets.push(value);
      for (const f of stringForms(value)) patterns.add(f);
      return { short: false, shortLeaves: 0 };
    },
    addExact: (text) => {
      exact.push(text);
      patterns.add(text);
    },
    redact,
  };
};
