// Opens the store named by SECRETREF_STORE: `sqlite:<path>` (the default, under .secretref/), `postgres://…` or `memory:`.
import * as E from 'fp-ts/lib/Either.js';
import { storageFailure, type StorageFailure } from '../core/errors.ts';
import { memoryStorage } from '../effects/storage/memory.ts';
import type { StoragePort } from '../effects/storage/port.ts';

export const DEFAULT_STORE = 'sqlite:.secretref/secrets.db';

export interface StoreChoice {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  /** Where it is, without credentials (for messages). */
  readonly where: string;
}

/** What the CLI will open, with any password removed for display. */
export const describeStore = (spec: string): E.Either<StorageFailure, StoreChoice> => {
  if (spec === 'memory:') return E.right({ kind: 'memory', where: 'memory' });
  if (spec.startsWith('sqlite:')) return spec.length > 7 ? E.right({ kind: 'sqlite', where: spec.slice(7) }) : E.left(storageFailure('SECRETREF_STORE: sqlite: needs a path, e.g. sqlite:.secretref/secrets.db'));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    let u: URL;
    try {
      u = new URL(spec);
    } catch {
      return E.left(storageFailure('SECRETREF_STORE: not a valid postgres:// URL'));
    }
    const schema = u.searchParams.get('schema');
    if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      return E.left(storageFailure('SECRETREF_STORE: ?schema= must be lower-case letters, digits and _ (at most 63)'));
    u.password = u.password ? '***' : '';
    return E.right({ kind: 'postgres', where: u.toString() });
  }
  return E.left(storageFailure('SECRETREF_STORE must be sqlite:<path>, postgres://… or memory:'));
};

/** Opens the store; the SQLite and PostgreSQL drivers are loaded only when chosen. */
export const openStore = async (spec: string): Promise<E.Either<StorageFailure, StoragePort>> => {
  const choice = describeStore(spec);
  if (E.isLeft(choice)) return choice;
  switch (choice.right.kind) {
    case 'memory':
      return E.right(memoryStorage());
    case 'sqlite': {
      const { openSqliteStorage } = await import('../effects/node/sqlite-storage.ts');
      return openSqliteStorage(choice.right.where);
    }
    case 'postgres': {
      const { openPostgresStorage } = await import('../effects/storage/postgres.ts');
      // ?schema= is ours: postgres.js would send any other query parameter to the server as a setting.
      const u = new URL(spec);
      const schema = u.searchParams.get('schema');
      u.searchParams.delete('schema');
      return openPostgresStorage(u.toString(), schema === null ? {} : { schema });
    }
  }
};
