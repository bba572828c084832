import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';

export type AccountKind = 'professionnel' | 'usager' | 'aidant';

/**
 * The hub's accounts: a stable `sub` per person, found by the national identifier (idNat_PS for professionals),
 * with the claims of the last login, which the DUI receives.
 */
export async function upsertAccount(
  database: Database,
  kind: AccountKind,
  externalId: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const r = await sql<{ sub: string }>`insert into oidc_account (sub, kind, external_id, claims)
    values (${randomUUID()}, ${kind}, ${externalId}, ${JSON.stringify(claims)}::jsonb)
    on conflict (kind, external_id) do update set claims = excluded.claims, updated_at = now()
    returning sub`.execute(database.db);
  const sub = r.rows[0]?.sub;
  if (!sub) throw new Error('account not stored');
  return sub;
}
