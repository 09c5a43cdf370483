// Rows of the SQL adapters (SQLite, PostgreSQL) as domain records: one mapping, checked, in the core store's order.
import type { Scope } from '../../core/scope.ts';
import type { SecretMetadata } from '../../core/store.ts';
import type { DataKeyRecord } from './port.ts';

/** A refusal of ours (corrupt row, bad argument, newer schema): its message is already safe and complete. */
export class Refusal extends Error {}

/** A `secrets` row; integers arrive as numbers (SQLite) or as text (PostgreSQL BIGINT). */
export interface SecretRow<I> {
  readonly workspace_id: string;
  readonly scope: string;
  readonly owner_id: string;
  readonly name: string;
  readonly version: I;
  readonly payload?: string | null;
  readonly created_at: I;
  readonly updated_at: I;
  readonly expires_at: I | null;
  readonly allowed_hosts: string | null;
}

export interface DataKeyRow<I, B> {
  readonly workspace_id: string;
  readonly id: string;
  readonly wrapped: string;
  readonly kek_id: string;
  readonly active: B;
  readonly created_at: I;
}

const scopeOf = (s: string): Scope => {
  if (s === 'workspace' || s === 'user') return s;
  throw new Refusal('a stored secret has an unknown scope');
};

const hostsOf = (text: string | null): readonly string[] | null => {
  if (text === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Refusal('a stored secret has unreadable allowed hosts');
  }
  if (!Array.isArray(v) || !v.every((h) => typeof h === 'string')) throw new Refusal('a stored secret has unreadable allowed hosts');
  return v as string[];
};

export const metadataOf =
  <I>(int: (i: I) => number) =>
  (r: SecretRow<I>): SecretMetadata => ({
    identity: { workspaceId: r.workspace_id, scope: scopeOf(r.scope), ownerId: r.owner_id, name: r.name },
    version: int(r.version),
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
    expiresAt: r.expires_at === null ? null : int(r.expires_at),
    allowedHosts: hostsOf(r.allowed_hosts),
  });

export const dataKeyOf =
  <I, B>(int: (i: I) => number, bool: (b: B) => boolean) =>
  (r: DataKeyRow<I, B>): DataKeyRecord => ({
    workspaceId: r.workspace_id,
    id: r.id,
    wrapped: r.wrapped,
    kekId: r.kek_id,
    active: bool(r.active),
    createdAt: int(r.created_at),
  });

/** The core store's order (UTF-16 code units), which neither SQLite's byte order nor a server collation need match. */
const orderKey = (m: SecretMetadata) => [m.identity.scope, m.identity.ownerId, m.identity.name].join('\u0000');
export const byScopeOwnerName = (a: SecretMetadata, b: SecretMetadata): number => {
  const x = orderKey(a);
  const y = orderKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
export const byWorkspaceAndId = (a: DataKeyRecord, b: DataKeyRecord): number =>
  a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
