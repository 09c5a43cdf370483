// SQLite failures as values: a thrown error becomes a StorageFailure naming the operation and SQLite's code, once, here.
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, type StorageFailure } from '../../core/errors.ts';
import { Refusal } from '../storage/sql-rows.ts';

/** What went wrong: our refusal's message, or better-sqlite3's code and message. */
export const describeFailure = (e: unknown): string => {
  if (e instanceof Refusal) return e.message;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return 'unknown error';
};

/** Runs `f`, answering what it throws as a failure of `op`. */
export const attempt = <A>(op: string, f: () => A): E.Either<StorageFailure, A> => {
  try {
    return E.right(f());
  } catch (e) {
    return E.left(storageFailure(`SQLite ${op} failed: ${describeFailure(e)}`));
  }
};

/** `op` refused before it ran, for `why`. */
export const refuse = (op: string, why: string) => E.left(storageFailure(`SQLite ${op} refused: ${why}`));
