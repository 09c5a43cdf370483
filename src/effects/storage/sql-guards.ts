// Argument checks both SQL adapters make before a statement runs: what no row could hold is refused or answered empty.
import type { ListQuery } from '../../core/store.ts';
import { storableInteger, storableText } from './migrations.ts';
import type { DataKeyRecord } from './port.ts';

/** A clock reading no expiry can be compared with. */
export const badNow = (now: number): boolean => !Number.isFinite(now);

/** Every text of a data key record is storable and its creation time is a safe integer. */
export const storableKey = (k: DataKeyRecord): boolean =>
  [k.workspaceId, k.id, k.wrapped, k.kekId].every(storableText) && storableInteger(k.createdAt);

/** A query with unstorable text matches no stored row, so it is answered with an empty list. */
export const storableQuery = (query: ListQuery): boolean =>
  [query.workspaceId, query.scope ?? '', query.ownerId ?? ''].every(storableText);
