// Looks for a secret, in any encoding the redactor knows, in text and in the raw bytes of a store.
import { existsSync, readFileSync } from 'node:fs';
import { encodedForms } from '../../core/encodings.ts';

/** The encoded forms worth searching for (very short base64 slices would match by chance). */
const formsOf = (secret: string): string[] => encodedForms(secret).filter((f) => f.length >= 8);

/** How many of `texts` contain a secret or one of its encodings. */
export const countLeaks = (texts: readonly string[], secrets: readonly string[]): number => {
  const forms = secrets.flatMap(formsOf);
  return texts.filter((t) => forms.some((f) => t.includes(f))).length;
};

/** The SQLite database and its WAL, read as bytes and searched as UTF-8 and Latin-1 text. */
export const scanSqliteFiles = (path: string, secrets: readonly string[]): { readonly bytes: number; readonly leaks: number } => {
  const files = [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f));
  const buffers = files.map((f) => readFileSync(f));
  const texts = buffers.flatMap((b) => [b.toString('utf8'), b.toString('latin1')]);
  return { bytes: buffers.reduce((n, b) => n + b.length, 0), leaks: countLeaks(texts, secrets) };
};
