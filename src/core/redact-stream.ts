// Redaction of a stream split at any byte: its concatenated output equals redacting the whole decoded input at once.
import type { PatternIndex } from './redact-index.ts';
import type { Utf8StreamDecoder } from './redact-utf8.ts';

export interface RedactionStream {
  /** Takes the next chunk (bytes, or text); returns the redacted text that can no longer change. */
  readonly write: (chunk: Uint8Array | string) => string;
  /** Ends the stream and returns the rest. Later calls to write and end return ''. */
  readonly end: () => string;
}

/**
 * Holds back the last (longest pattern - 1) code units, which a later chunk may complete into a match, and any
 * incomplete UTF-8 sequence; the longest pattern counts the short ones the index matches apart (redact-short.ts),
 * so a short secret split across chunks is masked too. A masked region is written as soon as it starts before
 * that window; a later match that overlaps or touches it extends it without a second token. Patterns added
 * while a stream is open apply to the text it has not yet written. A bytes chunk after a text chunk, or text
 * after an incomplete UTF-8 sequence, ends that sequence with U+FFFD. Any internal failure closes the stream:
 * that call returns the token, everything after returns ''.
 */
export const createRedactionStream = (index: PatternIndex, token: string, decoder: Utf8StreamDecoder): RedactionStream => {
  let pending = ''; // text not yet written, from the earliest position a match may still start
  let written = 0; // how much of `pending`'s start is already covered by the last written region
  let lastWasRegion = false;
  let closed = false;

  const step = (final: boolean): string => {
    const text = pending;
    const regions = index.regions(text);
    const keep = final ? text.length : Math.max(0, text.length - Math.max(1, index.maxLength()) + 1);
    let out = '';
    let pos = written;
    for (let i = 0; i < regions.length; i += 2) {
      const s = regions[i]!;
      const e = regions[i + 1]!;
      if (e <= pos) continue;
      if (s <= pos && lastWasRegion) {
        pos = e;
        continue;
      }
      if (s >= keep) break;
      out += text.slice(pos, s) + token;
      pos = e;
      lastWasRegion = true;
    }
    if (pos < keep) {
      out += text.slice(pos, keep);
      pos = keep;
      lastWasRegion = false;
    }
    pending = text.slice(keep);
    written = pos - keep;
    return out;
  };

  const guarded = (f: () => string): string => {
    if (closed) return '';
    try {
      return f();
    } catch {
      closed = true;
      pending = '';
      return token;
    }
  };

  return {
    write: (chunk) =>
      guarded(() => {
        if (typeof chunk === 'string') pending += decoder.flush() + chunk;
        else if (chunk instanceof Uint8Array) pending += decoder.decode(chunk);
        else throw new TypeError('a stream chunk is a Uint8Array or a string');
        return step(false);
      }),
    end: () =>
      guarded(() => {
        pending += decoder.flush();
        const out = step(true);
        closed = true;
        return out;
      }),
  };
};
