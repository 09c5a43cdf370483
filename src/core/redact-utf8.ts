// Streaming UTF-8 decoder for the redaction stream: the WHATWG decoder with replacement, so any split of the bytes decodes to the same text.

export interface Utf8StreamDecoder {
  /** Decodes the next bytes; an incomplete trailing sequence is held until the next call. */
  readonly decode: (bytes: Uint8Array) => string;
  /** Ends the stream: a held incomplete sequence becomes U+FFFD. */
  readonly flush: () => string;
}

const FFFD = 0xfffd;
const SLICE = 4096;

const unitsToString = (units: Uint16Array, n: number): string => {
  let out = '';
  for (let i = 0; i < n; i += SLICE) {
    out += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + SLICE)) as unknown as number[]);
  }
  return out;
};

/** The decoder of the WHATWG Encoding Standard (utf-8, fatal = false), one byte at a time. */
export const utf8StreamDecoder = (): Utf8StreamDecoder => {
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;

  const decode = (bytes: Uint8Array): string => {
    const units = new Uint16Array(bytes.length + 2);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (needed === 0) {
        if (b < 0x80) units[n++] = b;
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          needed = 2;
          cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          needed = 3;
          cp = b & 0x07;
        } else units[n++] = FFFD;
        continue;
      }
      if (b < lower || b > upper) {
        needed = seen = cp = 0;
        lower = 0x80;
        upper = 0xbf;
        units[n++] = FFFD;
        i--; // the byte starts over
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen < needed) continue;
      if (cp >= 0x10000) {
        units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
        units[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      } else units[n++] = cp;
      needed = seen = cp = 0;
    }
    return unitsToString(units, n);
  };

  const flush = (): string => {
    if (needed === 0) return '';
    needed = seen = cp = 0;
    lower = 0x80;
    upper = 0xbf;
    return String.fromCharCode(FFFD);
  };

  return { decode, flush };
};
