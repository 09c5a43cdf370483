// Redaction throughput on 1 MiB of JSON log text for 1 to 1,000 secrets, against replaceAll, one RegExp alternation and a single-needle indexOf, medians over rounds.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { encodedForms } from '../src/core/encodings.ts';
import { REDACTED, createRedactor, type Redactor, type Utf8StreamDecoder } from '../src/core/redactor.ts';

/** TextDecoder in stream mode as the redactor's decoder port, as a Node runtime would pass it. */
const textDecoderPort = (): Utf8StreamDecoder => {
  const d = new TextDecoder('utf-8', { fatal: false });
  return { decode: (b) => d.decode(b, { stream: true }), flush: () => d.decode() };
};

export type SecretProfile = 'mixed' | 'tokens' | 'short';

export interface RedactionBenchRow {
  readonly profile: SecretProfile;
  readonly secrets: number;
  /** Distinct patterns registered (secrets and their encodings). */
  readonly patterns: number;
  /** Shortest registered pattern, in UTF-16 code units (sets the sampling stride). */
  readonly shortest: number;
  /** Secret occurrences planted in the text. */
  readonly planted: number;
  /** Median MB/s (10^6 bytes of UTF-8 input per second). */
  readonly redactor: number;
  /** stream() with the built-in pure-JS UTF-8 decoder. */
  readonly stream: number;
  /** stream() with a TextDecoder passed as the decoder port. */
  readonly streamTextDecoder: number;
  readonly replaceAll: number;
  /** true when the replaceAll loop was cut at its time budget and its rate extrapolated. */
  readonly replaceAllExtrapolated: boolean;
  readonly regex: number;
  readonly indexOf: number;
  /** Time to register the secrets and build the index, ms. */
  readonly buildMs: number;
  readonly regexCompileMs: number;
}

export interface RedactionBenchResult {
  readonly machine: { readonly cpus: number; readonly node: string; readonly cpu: string };
  readonly inputBytes: number;
  readonly rounds: number;
  readonly rows: readonly RedactionBenchRow[];
}

export interface RedactionBenchOptions {
  /** Measured rounds for the fast figures (after a warm-up); default 21. */
  readonly rounds?: number;
  readonly counts?: readonly number[];
  readonly profiles?: readonly SecretProfile[];
  /** Time budget per replaceAll or RegExp round, ms; default 1500. */
  readonly budgetMs?: number;
}

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/** Seeded generator (mulberry32): the same input every run. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PRINTABLE = ALNUM + '!#$%&()*+,-./:;<=>?@[]^_{|}~';

const pick = <A>(r: () => number, xs: readonly A[]): A => xs[Math.floor(r() * xs.length)]!;
const chars = (r: () => number, alphabet: string, n: number): string => Array.from({ length: n }, () => pick(r, [...alphabet])).join('');
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/**
 * Secrets: 'tokens' are API keys and tokens of 20 to 64 characters; 'mixed' adds passwords of 8 to 16 printable
 * characters (the recommended minimum length), and its first secret is one, so every set has the same shortest
 * pattern; 'short' is 'mixed' whose first secret has 5 characters, masked in text outside the q-gram index.
 */
export const makeSecrets = (profile: SecretProfile, n: number): string[] => {
  const r = prng(profile === 'tokens' ? 11 : 7);
  const token = (): string => {
    const k = r();
    if (k < 0.25) return `ghp_${chars(r, ALNUM, 36)}`;
    if (k < 0.5) return `sk_live_${chars(r, ALNUM, int(r, 24, 40))}`;
    if (k < 0.7) return chars(r, '0123456789abcdef', pick(r, [32, 40, 64]));
    if (k < 0.85) return `xoxb-${chars(r, '0123456789', 12)}-${chars(r, ALNUM, 24)}`;
    return chars(r, ALNUM + '-_', int(r, 20, 48));
  };
  const password = (): string => chars(r, PRINTABLE, int(r, 8, 16));
  return Array.from({ length: n }, (_, i) => {
    if (profile === 'tokens') return token();
    if (i === 0) return chars(r, PRINTABLE, profile === 'short' ? 5 : 8);
    return r() < 0.3 ? password() : token();
  });
};

const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error'];
const MSGS = ['request completed', 'cache miss', 'retrying upstream call', 'user signed in', 'job finished', 'connection reset by peer', 'rate limited'];
const PATHS = ['/api/v1/items', '/api/v1/users', '/oauth/token', '/health', '/api/v2/search', '/webhooks/stripe'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'python-requests/2.31.0', 'okhttp/4.12.0'];

/** About `bytes` of JSON log lines, with `plant` secret occurrences in several encodings at random lines. */
export const makeLog = (bytes: number, secrets: readonly string[], plant: number): { text: string; planted: number } => {
  const r = prng(42);
  const lines: string[] = [];
  let size = 0;
  let ts = Date.UTC(2024, 4, 1);
  for (;;) {
    ts += int(r, 1, 2000);
    const line = JSON.stringify({
      ts: new Date(ts).toISOString(),
      level: pick(r, LEVELS),
      msg: pick(r, MSGS),
      method: pick(r, ['GET', 'POST', 'PUT']),
      path: `${pick(r, PATHS)}/${int(r, 1, 99999)}?page=${int(r, 1, 50)}&q=${chars(r, 'abcdefghijklmnopqrstuvwxyz', int(r, 3, 10))}`,
      status: pick(r, [200, 200, 200, 201, 204, 400, 404, 429, 500]),
      duration_ms: Math.round(r() * 500_000) / 1000,
      request_id: `${chars(r, '0123456789abcdef', 8)}-${chars(r, '0123456789abcdef', 4)}-4${chars(r, '0123456789abcdef', 3)}-${chars(r, '0123456789abcdef', 12)}`,
      user: `${chars(r, 'abcdefghijklmnopqrstuvwxyz', int(r, 4, 9))}@example.com`,
      ua: pick(r, AGENTS),
    });
    if (size + line.length + 1 > bytes - 400) break;
    lines.push(line);
    size += line.length + 1;
  }
  for (let k = 0; k < plant; k++) {
    const s = pick(r, secrets);
    const forms = [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), Buffer.from(`user:${s}`).toString('base64')];
    const i = int(r, 0, lines.length - 1);
    lines[i] = lines[i]!.replace('"msg":"', `"msg":"echo ${pick(r, forms)} `);
  }
  // a last line padded to the exact size, so the text is one flat string (no slice of a larger one)
  const used = lines.reduce((n, l) => n + l.length + 1, 0);
  const tail = '{"msg":"padding","pad":""}';
  lines.push(tail.replace('""', `"${'x'.repeat(Math.max(0, bytes - used - tail.length))}"`));
  return { text: lines.join('\n'), planted: plant };
};

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Keeps results alive so no work is optimised away. */
let sink = 0;

/** Median MB/s of `f` over `rounds` rounds, after warming up for 200 ms (at least one call) so the JIT has settled. */
const rate = (bytes: number, rounds: number, f: () => number): number => {
  const w0 = performance.now();
  do sink ^= f();
  while (performance.now() - w0 < 200);
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    sink ^= f();
    xs.push(bytes / 1e6 / ((performance.now() - t) / 1000));
  }
  return median(xs);
};

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

const replaceAllRate = (text: string, bytes: number, sorted: readonly string[], rounds: number, budgetMs: number): { rate: number; extrapolated: boolean } => {
  const xs: number[] = [];
  let extrapolated = false;
  for (let round = 0; round < rounds; round++) {
    let t = text;
    const t0 = performance.now();
    let done = 0;
    for (const p of sorted) {
      t = t.replaceAll(p, REDACTED);
      done++;
      if ((done & 63) === 0 && performance.now() - t0 > budgetMs) break;
    }
    const ms = performance.now() - t0;
    sink ^= t.length;
    if (done < sorted.length) extrapolated = true;
    xs.push(bytes / 1e6 / (((ms / done) * sorted.length) / 1000));
  }
  return { rate: median(xs), extrapolated };
};

const round1 = (x: number): number => Math.round(x * 10) / 10;

const machine = (): RedactionBenchResult['machine'] => {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    /* not Linux */
  }
  return { cpus: availableParallelism(), node: process.version, cpu };
};

/** Runs every profile and secret count and returns the medians. */
export const runRedactionBench = (options: RedactionBenchOptions = {}): RedactionBenchResult => {
  const rounds = options.rounds ?? 21;
  const budgetMs = options.budgetMs ?? 1500;
  const counts = options.counts ?? [1, 10, 100, 1000];
  const inputBytes = 1 << 20;
  const rows: RedactionBenchRow[] = [];
  for (const profile of options.profiles ?? (['mixed', 'tokens', 'short'] as const)) {
    const all = makeSecrets(profile, Math.max(...counts));
    for (const n of counts) {
      const secrets = all.slice(0, n);
      const { text, planted } = makeLog(inputBytes, secrets, 8);
      const bytes = Buffer.byteLength(text);

      const t0 = performance.now();
      const redactor = createRedactor();
      for (const s of secrets) redactor.addSecret(s);
      const out = redactor.redactText(text); // builds the index
      const buildMs = performance.now() - t0;
      for (const s of secrets) if (out.includes(s)) throw new Error('bench: the redactor left a planted secret');
      if (!out.includes(REDACTED)) throw new Error('bench: nothing was redacted');

      const patterns = [...new Set(secrets.flatMap((s) => encodedForms(s)))].sort((a, b) => b.length - a.length);
      const redactorRate = rate(bytes, rounds, () => redactor.redactText(text).length);
      const encoded = new TextEncoder().encode(text);
      const streamOf = (r: Redactor) => () => {
        const s = r.stream();
        let len = 0;
        for (let i = 0; i < encoded.length; i += 65536) len += s.write(encoded.subarray(i, i + 65536)).length;
        return len + s.end().length;
      };
      const streamRate = rate(bytes, rounds, streamOf(redactor));
      const ported = createRedactor({ decoder: textDecoderPort });
      for (const s of secrets) ported.addSecret(s);
      const whole = ported.stream();
      let streamed = '';
      for (let i = 0; i < encoded.length; i += 65536) streamed += whole.write(encoded.subarray(i, i + 65536));
      if (streamed + whole.end() !== out) throw new Error('bench: the stream and redactText disagree');
      const streamTdRate = rate(bytes, rounds, streamOf(ported));
      // one needle at a time; the median over up to 8 of the secrets, since indexOf's speed depends on the needle
      const indexOfRate = median(
        secrets.slice(0, 8).map((needle) =>
          rate(bytes, rounds, () => {
            let c = 0;
            for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) c++;
            return c;
          }),
        ),
      );
      const c0 = performance.now();
      const re = new RegExp(patterns.map(escapeRegExp).join('|'), 'g');
      text.slice(0, 4096).replace(re, REDACTED); // irregexp compiles lazily
      const regexCompileMs = performance.now() - c0;
      const probe = performance.now();
      sink ^= text.replace(re, REDACTED).length;
      const regexRounds = performance.now() - probe > budgetMs ? 1 : rounds;
      const regexRate = rate(bytes, regexRounds, () => text.replace(re, REDACTED).length);
      const ra = replaceAllRate(text, bytes, patterns, n >= 100 ? 1 : Math.min(rounds, 5), budgetMs);

      rows.push({
        profile,
        secrets: n,
        patterns: redactor.size,
        shortest: Math.min(...patterns.map((p) => p.length)),
        planted,
        redactor: round1(redactorRate),
        stream: round1(streamRate),
        streamTextDecoder: round1(streamTdRate),
        replaceAll: round1(ra.rate),
        replaceAllExtrapolated: ra.extrapolated,
        regex: round1(regexRate),
        indexOf: round1(indexOfRate),
        buildMs: round1(buildMs),
        regexCompileMs: round1(regexCompileMs),
      });
    }
  }
  if (sink === 0.5) console.log(sink);
  return { machine: machine(), inputBytes, rounds, rows };
};

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

/** The "## Redaction" section of docs/benchmarks.md. */
export const formatRedactionMarkdown = (r: RedactionBenchResult, date: string): string => {
  const head =
    '| profile | secrets | patterns | shortest | redactor MB/s | stream MB/s | stream + TextDecoder MB/s | replaceAll MB/s | RegExp MB/s | indexOf MB/s (1 needle) | redactor / indexOf | redactor / RegExp | redactor / replaceAll | build ms |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  const x = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×` : '–');
  const body = r.rows
    .map(
      (w) =>
        `| ${w.profile} | ${w.secrets} | ${w.patterns} | ${w.shortest} | ${w.redactor} | ${w.stream} | ${w.streamTextDecoder} | ${w.replaceAll}${w.replaceAllExtrapolated ? '*' : ''} | ${w.regex} | ${w.indexOf} | ${x(w.redactor, w.indexOf)} | ${x(w.redactor, w.regex)} | ${x(w.redactor, w.replaceAll)} | ${w.buildMs} |`,
    )
    .join('\n');
  return [
    '## Redaction',
    '',
    `Measured ${date} with \`npx tsx bench/redaction.ts\`: ${r.machine.cpus} CPUs (\`nproc\`), Node ${r.machine.node}, ${r.machine.cpu}; a shared, noisy machine, so the figures are medians of ${r.rounds} rounds after a warm-up.`,
    '',
    `Input: ${r.inputBytes} bytes of JSON log lines (timestamps, paths, request ids, user agents) with 8 planted secret occurrences (raw, JSON-escaped, percent-encoded, inside a base64 Basic credential). Each secret is registered with \`addSecret\`, so every encoded form of it is a pattern. MB = 10^6 bytes.`,
    '',
    head + body,
    '',
    '- redactor: `redactText` on the whole text. stream: the same text as UTF-8 bytes in 64 KiB chunks through `stream()`, decoding included, with the built-in pure decoder (core may not use TextDecoder) or with a TextDecoder passed as `createRedactor({ decoder })`.',
    '- replaceAll: one `String.prototype.replaceAll` per pattern, longest first. `*`: cut at its time budget and extrapolated from the patterns it got through (1 round at 100 secrets and more).',
    '- RegExp: one alternation of every escaped pattern, longest first, global `replace`; compile time not included.',
    '- indexOf: counting occurrences of one needle (one of the secrets) with `String.prototype.indexOf`, median over up to 8 needles — the practical limit of a native single-needle scan; it does a fraction of the work. With one secret there is one needle, and when its first character never occurs in the text V8 runs a memchr (the mixed, 1 row).',
    '- build ms: `createRedactor`, `addSecret` for every secret and the first `redactText` (which builds the index).',
    '- mixed: passwords of 8–16 printable characters and tokens of 20–64; the first secret is an 8-character password, so the shortest pattern (8 code units, sampling stride 5) is the same in every set. tokens: tokens only, so the shortest pattern (and the stride) shrinks as secrets are added. short: mixed whose first secret has 5 characters: its forms under 8 code units go to the RegExp pass beside the index (redact-short.ts), which is the cost of a secret under 8 characters.',
    '',
    '### Against the targets (≥ 1 GB/s with 1,000 secrets; 1,000 secrets no slower than half of 1)',
    '',
    ...verdicts(r),
    '',
    'Why: the scan samples one 4-unit gram every (shortest pattern − 3) characters, so its work per character is',
    'set by the shortest registered pattern, not by how many there are. With an 8-character secret registered',
    '(the minimum length) it reads 3 or 4 of every 5 characters, and a `charCodeAt` costs about a nanosecond on',
    'this machine, which caps the scan near 1.1–1.3 GB/s whatever the pattern count. With 1,000 mixed secrets',
    '(counted on this input) 7% of the 209,715 samples pass the first filter, 0.5% the second, and 2,885 chain',
    'entries are compared: little work. The cost is the first filter itself, 128 KiB that sit in L2, not L1, so',
    'every sample waits on it. A 32 KiB table that fits L1 lets 4× more samples through and measured slower',
    '(623 against 683 MB/s); 256 KiB to 512 KiB were no faster. With tokens only the stride is 17 or more and the scan',
    'runs at several GB/s; its 1,000/1 ratio compares a stride of 17 with one of 37, not a cost per secret.',
    'Strings that are slices of larger strings scan about 1.4× slower (V8 reads them through an indirection).',
    '',
    'A secret under 8 characters (the short profile, not held to the targets) is masked in text too: its forms',
    'under 8 code units are matched by one RegExp alternation pass beside the index, which is what the short rows',
    'cost over the mixed ones.',
  ].join('\n');
};

const verdicts = (r: RedactionBenchResult): string[] =>
  (['mixed', 'tokens'] as const).flatMap((profile) => {
    const one = r.rows.find((w) => w.profile === profile && w.secrets === 1);
    const many = r.rows.find((w) => w.profile === profile && w.secrets === 1000);
    if (one === undefined || many === undefined) return [];
    const ratio = many.redactor / one.redactor;
    return [
      `- ${profile}: ${many.redactor} MB/s with 1,000 secrets — ${many.redactor >= 1000 ? 'met' : 'missed'}; ` +
        `${ratio.toFixed(2)} of the 1-secret speed — ${ratio >= 0.5 ? 'met' : 'missed'}.`,
    ];
  });

/** Replaces (or appends) the "## Redaction" section of docs/benchmarks.md, keeping the other sections. */
const writeDocs = (section: string): void => {
  const path = new URL('../docs/benchmarks.md', import.meta.url);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf('\n## Redaction\n');
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}\n`;
  else {
    const after = current.indexOf('\n## ', start + 1);
    next = `${current.slice(0, start)}\n${section}\n${after < 0 ? '' : current.slice(after)}`;
  }
  writeFileSync(path, next);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runRedactionBench();
  console.table(result.rows);
  const section = formatRedactionMarkdown(result, new Date().toISOString().slice(0, 10));
  if (process.argv.includes('--write-docs')) writeDocs(section);
  else console.log(`\n${section}\n\n(run with --write-docs to update docs/benchmarks.md)`);
}
