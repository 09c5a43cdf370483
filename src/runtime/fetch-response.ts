// Reading a fetch response: JSON when the content type says so, text otherwise; headers as an object with lower-case names.
import { parseJson, type JsonValue } from '../core/json-value.ts';

export interface ReadResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: JsonValue;
}

/** The body: parsed JSON when the content type contains `json` and the text parses, the text otherwise ('' when empty). */
export const readBody = async (response: Response): Promise<JsonValue> => {
  const text = await response.text();
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
