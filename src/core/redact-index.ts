// Multi-pattern index for the redactor: a sampled q-gram filter with exact verification, whose work per character depends on the shortest pattern, not on how many there are.
//
// Every indexed pattern is at least `minLength` code units long. Sampling the text every S = minLength - Q + 1 positions
// lands, for every occurrence starting at s, on a first sample j in [s, s + S - 1], where the Q-gram of the
// text is the Q-gram of the pattern at offset j - s. So the index holds, for each pattern, its Q-grams at
// offsets 0 .. S-1, and the scan reads one Q-gram per S characters (Q/S units per character: 4/5 when the
// shortest pattern has 8 units). A sample goes through three stages: a bit for the first 3 units (most samples
// stop here, after 3 reads), a bit for the whole Q-gram, then the chain of (pattern, offset) entries with that
// Q-gram, each checked on its first unit and the unit after the Q-gram before a full comparison. Each
// occurrence is found exactly once, at its first sample. Reading text is the cost: a JavaScript charCodeAt is
// about a nanosecond, so fewer reads per character (a longer shortest pattern) is what makes the scan faster.
//
// Patterns of Q to MIN_INDEXED_LENGTH - 1 units (a short value, its short encodings) would shrink the stride for
// everyone, so they stay out of the tables: redact-short.ts finds them with one native RegExp, and their
// occurrences join the same merge, so the regions are the union of the occurrences of every pattern either way.
import { createShortPatterns } from './redact-short.ts';

/** Length of a sampled gram, in UTF-16 code units; patterns shorter than this cannot be indexed. */
export const Q = 4;

/** Patterns shorter than this many code units are matched by redact-short.ts, outside the q-gram tables. */
export const MIN_INDEXED_LENGTH = 8;

export interface PatternIndex {
  /** Adds a pattern (to the q-gram tables, or to the short ones under MIN_INDEXED_LENGTH); false when it was already there or is shorter than Q. */
  readonly add: (pattern: string) => boolean;
  /** The masked regions of text: sorted, disjoint, non-adjacent [start, end) pairs, flattened. */
  readonly regions: (text: string) => number[];
  /** Number of distinct patterns, indexed and short. */
  readonly size: () => number;
  /** Length of the longest pattern, indexed or short, in code units (0 when there is none). */
  readonly maxLength: () => number;
}

const MUL_HI = 0x85ebca77 | 0;
const MUL = 0x9e3779b1 | 0;
/** Ints per entry: Q-gram (2), next entry, pattern id, offset, pattern length, first unit, unit after the Q-gram (or -1). */
const ENTRY = 8;
/** Stage 1 is read at every sample: at most 2^20 bits (128 KiB), to stay in L2 (smaller tables let more through). */
const GRAM3_MAX_LOG = 20;
/** Stage 2 is read by the few samples stage 1 lets through: at most 2^21 bits (256 KiB). */
const GRAM4_MAX_LOG = 21;

const log2Ceil = (n: number): number => Math.ceil(Math.log2(Math.max(2, n)));
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/** Merges found [start, end) pairs in place into sorted, disjoint, non-adjacent regions. */
const mergeRegions = (found: number[]): number[] => {
  if (found.length <= 2) return found;
  let sorted = true;
  for (let i = 2; i < found.length; i += 2) if (found[i]! < found[i - 2]!) { sorted = false; break; }
  let pairs = found;
  if (!sorted) {
    const idx = Array.from({ length: found.length / 2 }, (_, i) => i);
    idx.sort((a, b) => found[2 * a]! - found[2 * b]!);
    pairs = idx.flatMap((i) => [found[2 * i]!, found[2 * i + 1]!]);
  }
  const out: number[] = [];
  let s = pairs[0]!;
  let e = pairs[1]!;
  for (let i = 2; i < pairs.length; i += 2) {
    const ns = pairs[i]!;
    const ne = pairs[i + 1]!;
    if (ns <= e) e = Math.max(e, ne);
    else {
      out.push(s, e);
      s = ns;
      e = ne;
    }
  }
  out.push(s, e);
  return out;
};

export const createPatternIndex = (): PatternIndex => {
  const known = new Set<string>();
  const short = createShortPatterns();
  const patterns: string[] = [];
  let minLength = Infinity;
  let maxLength = 0;

  // The index, rebuilt when a shorter pattern changes the stride or the entries outgrow the tables.
  let stride = 1;
  let indexedMin = Infinity;
  let indexed = 0;
  // Stage 1: one bit per hash of the first 3 units of an indexed Q-gram, small enough to stay in cache.
  let gram3Shift = 32 - 16;
  let gram3 = new Int32Array(1 << (16 - 5));
  // Stage 2: one bit per hash of the whole Q-gram.
  let gram4Shift = 32 - 16;
  let gram4 = new Int32Array(1 << (16 - 5));
  // Stage 3: chained hash table of entries, one per (pattern, offset), ENTRY ints each, next to each other.
  let headShift = 32 - 10;
  let heads = new Int32Array(1 << 10).fill(-1);
  let entries = 0;
  let ent = new Int32Array(256 * ENTRY);

  const insert = (p: number): void => {
    const s = patterns[p]!;
    for (let o = 0; o < stride; o++) {
      const lo = s.charCodeAt(o) | (s.charCodeAt(o + 1) << 16);
      const c2 = s.charCodeAt(o + 2);
      const hi = c2 | (s.charCodeAt(o + 3) << 16);
      const b3 = Math.imul(lo ^ Math.imul(c2, MUL_HI), MUL) >>> gram3Shift;
      gram3[b3 >>> 5] = gram3[b3 >>> 5]! | (1 << b3);
      const h = Math.imul(lo ^ Math.imul(hi, MUL_HI), MUL);
      const b4 = h >>> gram4Shift;
      gram4[b4 >>> 5] = gram4[b4 >>> 5]! | (1 << b4);
      const slot = h >>> headShift;
      const e = entries++ * ENTRY;
      if (e + ENTRY > ent.length) {
        const bigger = new Int32Array(ent.length * 2);
        bigger.set(ent);
        ent = bigger;
      }
      ent[e] = lo;
      ent[e + 1] = hi;
      ent[e + 2] = heads[slot]!;
      ent[e + 3] = p;
      ent[e + 4] = o;
      ent[e + 5] = s.length;
      ent[e + 6] = s.charCodeAt(0);
      ent[e + 7] = o + Q < s.length ? s.charCodeAt(o + Q) : -1;
      heads[slot] = e;
    }
  };

  const rebuild = (): void => {
    indexedMin = minLength;
    stride = Math.max(1, minLength - Q + 1);
    const expected = Math.max(patterns.length * 2, 64) * stride;
    const gram3Log = clamp(log2Ceil(expected * 8), 16, GRAM3_MAX_LOG);
    const gram4Log = clamp(log2Ceil(expected * 16), 16, GRAM4_MAX_LOG);
    const headLog = clamp(log2Ceil(expected), 10, 22);
    gram3Shift = 32 - gram3Log;
    gram3 = new Int32Array(1 << (gram3Log - 5));
    gram4Shift = 32 - gram4Log;
    gram4 = new Int32Array(1 << (gram4Log - 5));
    headShift = 32 - headLog;
    heads = new Int32Array(1 << headLog).fill(-1);
    entries = 0;
    for (let p = 0; p < patterns.length; p++) insert(p);
    indexed = patterns.length;
  };

  const ensure = (): void => {
    if (indexed === patterns.length) return;
    const after = entries + (patterns.length - indexed) * stride;
    if (minLength < indexedMin || after > heads.length) rebuild();
    else for (; indexed < patterns.length; indexed++) insert(indexed);
  };

  const scan = (text: string, found: number[]): void => {
    const n = text.length;
    const last = n - Q;
    const S = stride;
    const g3 = gram3;
    const g3Shift = gram3Shift;
    const g4 = gram4;
    const g4Shift = gram4Shift;
    const hd = heads;
    const hShift = headShift;
    const en = ent;
    for (let j = 0; j <= last; j += S) {
      const lo = text.charCodeAt(j) | (text.charCodeAt(j + 1) << 16);
      const c2 = text.charCodeAt(j + 2);
      const b3 = Math.imul(lo ^ Math.imul(c2, MUL_HI), MUL) >>> g3Shift;
      if ((g3[b3 >>> 5]! & (1 << b3)) === 0) continue;
      const hi = c2 | (text.charCodeAt(j + 3) << 16);
      const h = Math.imul(lo ^ Math.imul(hi, MUL_HI), MUL);
      const b4 = h >>> g4Shift;
      if ((g4[b4 >>> 5]! & (1 << b4)) === 0) continue;
      for (let e = hd[h >>> hShift]!; e >= 0; e = en[e + 2]!) {
        if (en[e] !== lo || en[e + 1] !== hi) continue;
        const start = j - en[e + 4]!;
        const end = start + en[e + 5]!;
        if (start < 0 || end > n || text.charCodeAt(start) !== en[e + 6]) continue;
        const check = en[e + 7]!;
        if (check >= 0 && text.charCodeAt(j + Q) !== check) continue;
        if (text.startsWith(patterns[en[e + 3]!]!, start)) found.push(start, end);
      }
    }
  };

  return {
    add: (pattern) => {
      if (pattern.length < Q || known.has(pattern)) return false;
      known.add(pattern);
      maxLength = Math.max(maxLength, pattern.length);
      if (pattern.length < MIN_INDEXED_LENGTH) short.add(pattern);
      else {
        patterns.push(pattern);
        minLength = Math.min(minLength, pattern.length);
      }
      return true;
    },
    regions: (text) => {
      const found: number[] = [];
      if (patterns.length > 0 && text.length >= minLength) {
        ensure();
        scan(text, found);
      }
      if (short.size() > 0) short.find(text, found);
      return mergeRegions(found);
    },
    size: () => patterns.length + short.size(),
    maxLength: () => maxLength,
  };
};
