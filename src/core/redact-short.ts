// The patterns too short for the q-gram index (fewer code units than MIN_INDEXED_LENGTH): found by one native indexOf scan each, so they never slow the index down.
//
// They come only from values (leaves, exact strings) of 4 to 7 code points and their short encoded forms, so there
// are few of them; with none registered a text pays nothing. Every occurrence is found, overlapping ones included.

export interface ShortPatterns {
  /** Adds a pattern the caller has not added before (redact-index.ts keeps one set of every pattern). */
  readonly add: (pattern: string) => void;
  /** Appends [start, end) pairs covering every occurrence of every pattern in text to found, sorted per pattern only. */
  readonly find: (text: string, found: number[]) => void;
  readonly size: () => number;
}

export const createShortPatterns = (): ShortPatterns => {
  const patterns: string[] = [];

  /** Overlapping or adjacent occurrences of one pattern are pushed as one pair (they come in order). */
  const find = (text: string, found: number[]): void => {
    for (const p of patterns) {
      const n = p.length;
      let i = text.indexOf(p);
      if (i < 0) continue;
      let start = i;
      let end = i + n;
      for (i = text.indexOf(p, i + 1); i >= 0; i = text.indexOf(p, i + 1)) {
        if (i > end) {
          found.push(start, end);
          start = i;
        }
        end = i + n;
      }
      found.push(start, end);
    }
  };

  return {
    add: (pattern) => {
      patterns.push(pattern);
    },
    find,
    size: () => patterns.length,
  };
};
