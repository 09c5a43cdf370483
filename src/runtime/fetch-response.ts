// Reading a fetch response: JSON when the content type says so, text otherwise; headers as an object with lower-case names.
import { parseJson, type JsonValue } from '../core/json-value.ts';

export interface ReadResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: JsonValue;
}

/** Largest response body a fetch reads (16 MiB); a larger one is an error, not a truncated output. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class ResponseTooLarge extends Error {}

/** The body as text, refusing more than MAX_RESPONSE_BYTES. */
const boundedText = async (response: Response): Promise<string> => {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      // Not awaited: cancelling a tee'd or mocked stream may settle only when every branch is cancelled, and the
      // caller must not wait on the remote end to learn that the answer is too large.
      reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
};

/** The body: parsed JSON when the content type contains `json` and the text parses, the text otherwise ('' when empty). */
export const readBody = async (response: Response): Promise<JsonValue> => {
  const text = await boundedText(response);
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().includes('json')) return text;
  if (text.trim() === '') return null;
  return parseJson(text) ?? text;
};

/** Headers as a plain object; Headers already lower-cases names and joins repeated ones. */
export const headersObject = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  });
  return out;
};

export const readResponse = async (response: Response): Promise<ReadResponse> => ({
  status: response.status,
  headers: headersObject(response.headers),
  body: await readBody(response),
});
